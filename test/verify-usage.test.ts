// `rootlock verify` picks its mode from --cluster: the sandbox needs
// --image-source and one manifest, the cluster options need --cluster.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from './cluster/run-cli.js';

describe('verify usage', () => {
  it('asks for --image-source (or --cluster) in sandbox mode', async () => {
    const run = await runCli(['verify', 'pod.yaml']);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, "error: required option '--image-source <image>' not specified (or give --cluster)\n");
  });

  it('takes one manifest without --cluster', async () => {
    const run = await runCli(['verify', 'a.yaml', 'b.yaml', '--image-source', './layout']);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'error: verify without --cluster takes one manifest\n');
  });

  it('refuses cluster options without --cluster', async () => {
    const run = await runCli(['verify', 'pod.yaml', '--image-source', './layout', '--context', 'prod', '--timeout', '1m']);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'error: --context, --timeout need --cluster\n');
  });

  it('reports a manifest that does not parse with its position, before connecting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootlock-verify-usage-'));
    try {
      writeFileSync(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: [\n');
      const run = await runCli(['verify', '--cluster', 'broken.yaml', '--kubeconfig', 'no-such.kubeconfig'], dir);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /^rootlock: cannot read the manifests:\nbroken\.yaml:\d+:\d+: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
