// The pause between a prober's attempts, shared by the bash prober of probe.ts
// (which spells it in shell arithmetic) and the Node one of probe-runner.ts.

/**
 * How long a prober pauses before its next attempt, after `elapsedMs` of probing: 1 ms at first,
 * then a tenth of the time waited so far, at most 20 ms. A program that starts in a few
 * milliseconds is seen within about a millisecond of answering (a fixed 20 ms retry lost up to
 * 20 ms here, the whole start of a small server), one that takes seconds costs one attempt per
 * 20 ms as before; the first 100 ms take about 40 attempts, each a refused connect on loopback.
 */
export function retryPauseMs(elapsedMs: number): number {
  return Math.min(20, 1 + elapsedMs / 10);
}
