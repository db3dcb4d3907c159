// Guard: npm test reads nothing outside the repository, so it passes on a
// user's clone. The one door out is the corpus suite's argument
// (ROOTLOCK_CORPUS, read by test/helpers/corpus.ts), and only *.corpus.test.ts
// files may go through it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './helpers/repo.js';

/** Ways a source file can reach outside the repository. */
const ESCAPES: ReadonlyArray<readonly [RegExp, string]> = [
  [/['"`][^'"`\n]*\.\.\/shared\b/, 'a path into the shared folder beside the clone'],
  [/['"`][^'"`\n]*\bshared\/(?:corpus|seed|knowledge)\b/, 'a path into shared/'],
  [/\bsharedDir\b/, 'the helper that found the shared folder'],
  [/['"`]\/work\//, 'an absolute path of this machine'],
  [/repoRoot\(\)\s*,\s*['"`]\.\.['"`]/, 'a path above the repository root'],
];

const CORPUS_DOOR = /\bcorpusDir\b|ROOTLOCK_CORPUS|helpers\/corpus\.js/;

/** The source without its comments: a comment may name a path it does not read. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) sources(full, out);
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** What a file's text reaches outside the repository, as `file: what`. */
function boundaryViolations(root: string, file: string, text: string): string[] {
  const name = relative(root, file);
  const found: string[] = [];
  const stripped = code(text);
  for (const [pattern, what] of ESCAPES) if (pattern.test(stripped)) found.push(`${name}: ${what}`);
  const door = name === join('test', 'helpers', 'corpus.ts') || name.endsWith('.corpus.test.ts');
  if (!door && CORPUS_DOOR.test(stripped)) found.push(`${name}: the corpus suite's directory, outside a *.corpus.test.ts file`);
  return found;
}

describe('the repository boundary', () => {
  it('no file under src/ or test/ reads a path outside the repository, but the corpus suite through its argument', () => {
    const root = repoRoot();
    const files = [...sources(join(root, 'src')), ...sources(join(root, 'test'))].filter((file) => !file.endsWith('repository-boundary.test.ts'));
    assert.ok(files.length > 100, `only ${files.length} source files`);
    assert.deepEqual(files.flatMap((file) => boundaryViolations(root, file, readFileSync(file, 'utf8'))), []);
  });

  it('sees each way out', () => {
    const probe = (text: string, name = 'test/x.test.ts'): string[] => boundaryViolations('/repo', join('/repo', name), text);
    assert.match(probe("const dir = join(repoRoot(), '..', 'shared', 'seed');").join(), /above the repository root/);
    // The probes are spelled in pieces so that this file itself holds none of what it looks for.
    const up = ['..', 'shared'].join('/');
    assert.match(probe(`readFileSync('${up}/seed/examples/01.yaml')`).join(), /shared folder beside the clone/);
    assert.match(probe(`join(${'shared'}Dir(), 'corpus')`).join(), /found the shared folder/);
    assert.match(probe("const c = '/work/shared/corpus/real-world';").join(), /absolute path/);
    assert.match(probe("import { corpusDir } from './helpers/corpus.js';").join(), /outside a \*\.corpus\.test\.ts file/);
    assert.deepEqual(probe("import { corpusDir } from '../helpers/corpus.js';", 'test/corpus/x.corpus.test.ts'), []);
    assert.deepEqual(probe(`// notes: ${up}/knowledge/writable-paths.md\nconst x = 1;`), []);
  });
});
