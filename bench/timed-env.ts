// The environment of the processes a whole-process benchmark times. NODE_EXTRA_CA_CERTS makes every Node.js
// process read and parse that CA bundle before it runs a line (about 100 ms per start on a machine that points it at
// the system's bundle), so it would time the machine's settings rather than the tools: it is left out, and said so.

/** process.env without NODE_EXTRA_CA_CERTS, plus `extra`. */
export function timedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _unset, ...rest } = process.env;
  return { ...rest, ...extra };
}

/** A line for the benchmark's header when the variable was set here, empty otherwise. */
export function timedEnvNote(): string {
  return process.env['NODE_EXTRA_CA_CERTS'] ? 'NODE_EXTRA_CA_CERTS is set here and left out of the timed processes (it costs every Node.js start a CA bundle read)\n' : '';
}
