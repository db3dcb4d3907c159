// The third-party corpus the corpus suite runs on. `npm run test:corpus DIR`
// hands its one argument over as ROOTLOCK_CORPUS; this is the only way a test
// reads anything outside the repository, and a missing corpus is a failure,
// never a skip.
import { existsSync, statSync } from 'node:fs';

export const CORPUS_VARIABLE = 'ROOTLOCK_CORPUS';

export function corpusDir(): string {
  const dir = process.env[CORPUS_VARIABLE];
  if (!dir) throw new Error(`${CORPUS_VARIABLE} is not set: run the corpus suite with npm run test:corpus DIR`);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`the corpus directory ${dir} does not exist (npm run test:corpus DIR)`);
  return dir;
}
