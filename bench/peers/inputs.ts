// The inputs bench/peers times every tool on: one small manifest, the audit
// bench's generated corpus of about 6 MB as its many files and as one file,
// and one of about 25 MB as one file. Each input also says what a tool that
// processed all of it must report: its documents and kinds, read once here.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadAll } from 'js-yaml';
import { ensureCorpus } from '../audit/generate.js';
import { manifestFiles, repoRoot } from '../../test/helpers/repo.js';

export interface ObjectIdentity {
  /** The file the object is in. */
  file: string;
  kind: string;
  apiVersion: string;
  namespace: string;
  name: string;
}

export interface BenchInput {
  /** The ~6 MB corpus's two forms are what the issue's target judges. */
  id: 'example' | 'corpus-files' | 'corpus-one-file' | 'large-one-file';
  name: string;
  /** What each tool is given on its command line: the files, or the one folder. */
  paths: string[];
  /** Every manifest file the input holds (kube-score takes files, not folders). */
  files: string[];
  bytes: number;
  /** Every non-empty YAML document, in order. */
  objects: ObjectIdentity[];
}

/** The documents of the files, as a tool that reads all of them sees them. */
export function objectsOf(files: readonly string[]): ObjectIdentity[] {
  const objects: ObjectIdentity[] = [];
  for (const file of files) {
    for (const document of loadAll(readFileSync(file, 'utf8'))) {
      if (document === null || document === undefined) continue;
      const object = document as { kind?: unknown; apiVersion?: unknown; metadata?: { namespace?: unknown; name?: unknown } };
      const text = (value: unknown): string => (typeof value === 'string' ? value : '');
      objects.push({ file, kind: text(object.kind), apiVersion: text(object.apiVersion), namespace: text(object.metadata?.namespace), name: text(object.metadata?.name) });
    }
  }
  return objects;
}

/** The files joined into one multi-document stream, as a `helm template` or `kustomize build` of it would be. */
export function joinManifests(texts: readonly string[]): string {
  return texts
    .map((text) => {
      const body = text.startsWith('---\n') ? text.slice(4) : text;
      return `---\n${body.endsWith('\n') ? body : `${body}\n`}`;
    })
    .join('');
}

function describe(id: BenchInput['id'], name: string, paths: string[], files: string[]): BenchInput {
  const bytes = files.reduce((sum, file) => sum + readFileSync(file).length, 0);
  return { id, name, paths, files, bytes, objects: objectsOf(files) };
}

/** The corpus's files joined into `<corpus>.yaml` beside it, written once per corpus. */
function oneFileOf(corpusDir: string, files: readonly string[]): string {
  const path = join(dirname(corpusDir), `${corpusDir.split('/').pop() as string}.yaml`);
  if (!existsSync(path)) writeFileSync(path, joinManifests(files.map((file) => readFileSync(file, 'utf8'))));
  return path;
}

export interface InputSizes {
  /** Workloads of the ~6 MB corpus (1,500 make 5.6 MB). */
  smallWorkloads: number;
  /** Workloads of the ~25 MB corpus (6,500 make 24.8 MB). */
  largeWorkloads: number;
  seed: number;
}

export function benchInputs(sizes: InputSizes): BenchInput[] {
  const example = join(repoRoot(), 'examples', 'web.yaml');
  const small = ensureCorpus(sizes.smallWorkloads, sizes.seed).summary;
  const smallFiles = manifestFiles(small.dir);
  const large = ensureCorpus(sizes.largeWorkloads, sizes.seed).summary;
  const largeFile = oneFileOf(large.dir, manifestFiles(large.dir));
  const smallFile = oneFileOf(small.dir, smallFiles);
  const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
  return [
    describe('example', 'one small manifest (examples/web.yaml)', [example], [example]),
    describe('corpus-files', `${mb(small.bytes)} corpus, ${smallFiles.length} files`, [small.dir], smallFiles),
    describe('corpus-one-file', `${mb(small.bytes)} corpus, one file`, [smallFile], [smallFile]),
    describe('large-one-file', `${mb(large.bytes)} corpus, one file`, [largeFile], [largeFile]),
  ];
}
