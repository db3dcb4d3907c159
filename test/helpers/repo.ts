import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder with package.json), found from the compiled test's location. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

/**
 * The shared/ folder beside the repository (seed, corpus, knowledge): beside
 * the clone in CI, two levels up from a worktree under wt/, or where
 * ROOTLOCK_SHARED points.
 */
export function sharedDir(): string {
  const candidates = [process.env['ROOTLOCK_SHARED'], join(repoRoot(), '..', 'shared'), join(repoRoot(), '..', '..', 'shared')];
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  return join(repoRoot(), '..', 'shared');
}

/** Every manifest (.yaml, .yml, .json) below `dir`, sorted, recursively. */
export function manifestFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) manifestFiles(full, out);
    else if (/\.(ya?ml|json)$/.test(name)) out.push(full);
  }
  return out;
}
