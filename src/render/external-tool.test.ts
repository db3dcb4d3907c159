import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveTool, runTool, ToolError } from './external-tool.js';

describe('external rendering tools', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rootlock-tool-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'kustomize');
  writeFileSync(script, '#!/bin/sh\nif [ "$1" = fail ]; then echo "Error: no kustomization in $PWD" >&2; exit 3; fi\ncat; echo "args: $*"\n');
  chmodSync(script, 0o755);

  it('finds a tool on PATH and prefers the flag when given', () => {
    assert.equal(resolveTool('kustomize', undefined, { PATH: `/nonexistent:${dir}` }), script);
    assert.equal(resolveTool('kustomize', script, { PATH: '' }), script);
  });

  it('names the tool and its flag when it is missing', () => {
    assert.throws(() => resolveTool('helm', undefined, { PATH: dir }), (error: unknown) =>
      error instanceof ToolError && /helm was not found on PATH/.test(error.message) && error.message.includes('--helm-bin <path>'));
    assert.throws(() => resolveTool('kustomize', join(dir, 'nope'), { PATH: dir }), /--kustomize-bin .*nope: not an executable file/);
    assert.throws(() => resolveTool('kustomize', dir, { PATH: '' }), /not an executable file/);
  });

  it('returns standard output and passes standard input', async () => {
    assert.equal(await runTool(script, ['build', '.'], { input: 'kind: Pod\n' }), 'kind: Pod\nargs: build .\n');
  });

  it('turns a failing exit into an error carrying the tool\'s own message', async () => {
    await assert.rejects(runTool(script, ['fail'], { cwd: dir }), (error: unknown) =>
      error instanceof ToolError && error.exitCode === 3 && error.message === `kustomize fail exited with 3: Error: no kustomization in ${dir}`);
    await assert.rejects(runTool(join(dir, 'missing'), []), /missing: spawn .* ENOENT/);
  });
});
