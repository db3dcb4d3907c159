// How bench/peers orders and summarises its rounds: every round runs each tool
// once, the order rotating by one each round so that no tool always runs
// first (on a cold cache) or right after the heaviest one; the median round
// decides, since the machine is shared and one slow round says little.

/** The tools in the order round `round` (0-based) runs them: the list rotated left by `round`. */
export function roundOrder<T>(tools: readonly T[], round: number): T[] {
  if (tools.length === 0) return [];
  const shift = ((round % tools.length) + tools.length) % tools.length;
  return [...tools.slice(shift), ...tools.slice(0, shift)];
}

/** The median; of an even count, the mean of the middle two. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
