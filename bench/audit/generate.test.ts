// The benchmark is only as good as its corpus: it must be repeatable, parse
// cleanly the way the audit reads manifests, and mix the shapes it claims to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCorpus, ensureCorpus } from './generate.js';
import { listManifests } from './passes.js';
import { parseManifests } from '../../src/input/kube-yaml.js';
import { isObject } from '../../src/core/path.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'rootlock-corpus-test-'));
}

function withTempDir(run: (dir: string) => void): void {
  const dir = tempDir();
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function texts(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const file of await listManifests(dir)) out.set(file.slice(dir.length), readFileSync(file, 'utf8'));
  return out;
}

test('the same seed writes the same bytes; another seed writes other bytes', async () => {
  const [a, b, c] = [tempDir(), tempDir(), tempDir()];
  try {
    generateCorpus({ dir: a, workloads: 60, seed: 7 });
    generateCorpus({ dir: b, workloads: 60, seed: 7 });
    generateCorpus({ dir: c, workloads: 60, seed: 8 });
    assert.deepEqual(await texts(a), await texts(b));
    assert.notDeepEqual(await texts(a), await texts(c));
  } finally {
    for (const dir of [a, b, c]) rmSync(dir, { recursive: true, force: true });
  }
});

test('every document parses as a Kubernetes object and the summary counts them', async () => {
  const dir = tempDir();
  try {
    const summary = generateCorpus({ dir, workloads: 150, seed: 3 });
    assert.equal(summary.workloads, 150);
    const kinds: Record<string, number> = {};
    let documents = 0;
    let bytes = 0;
    let helmSources = 0;
    let hardened = 0;
    let unset = 0;
    const files = await listManifests(dir);
    assert.equal(files.length, summary.files);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      bytes += Buffer.byteLength(text);
      const parsed = parseManifests(text, file);
      assert.deepEqual(parsed.errors, [], file);
      for (const document of parsed.documents) {
        documents++;
        assert.ok(isObject(document.value), `${file}: document ${document.index} is not a mapping`);
        const { kind, apiVersion } = document.value;
        assert.equal(typeof apiVersion, 'string');
        kinds[kind as string] = (kinds[kind as string] ?? 0) + 1;
        if (document.helmSource !== undefined) helmSources++;
        const json = JSON.stringify(document.value);
        if (json.includes('"readOnlyRootFilesystem":true')) hardened++;
        if (['Deployment', 'Pod'].includes(kind as string) && !json.includes('securityContext')) unset++;
      }
    }
    assert.equal(documents, summary.documents);
    assert.equal(bytes, summary.bytes);
    assert.deepEqual(kinds, summary.kinds);
    for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job', 'Pod', 'Service', 'ConfigMap', 'ServiceAccount']) {
      assert.ok((kinds[kind] ?? 0) > 0, `no ${kind} in the corpus`);
    }
    assert.ok(helmSources > 0, 'no Helm # Source: comments');
    assert.ok(hardened > 0 && unset > 0, 'the corpus should mix hardened workloads and workloads without a securityContext');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ensureCorpus reuses a finished corpus and regenerates one of another size', () => {
  withTempDir((dir) => {
    const first = ensureCorpus(20, 5, dir);
    assert.equal(first.reused, false);
    const again = ensureCorpus(20, 5, dir);
    assert.equal(again.reused, true);
    assert.deepEqual(again.summary, first.summary);
    const bigger = ensureCorpus(30, 5, dir);
    assert.equal(bigger.reused, false);
    assert.equal(bigger.summary.workloads, 30);
  });
});
