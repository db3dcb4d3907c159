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

/** The CKS study guide's examples (test/fixtures/seed). */
export function seedExamplesDir(): string {
  return join(repoRoot(), 'test', 'fixtures', 'seed');
}

/** Small excerpts of the third-party corpus, with their sources and licences (test/fixtures/corpus). */
export function corpusExcerptsDir(): string {
  return join(repoRoot(), 'test', 'fixtures', 'corpus');
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
