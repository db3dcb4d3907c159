// `rootlock fix --pin-digests` against a real registry (Debian's
// docker-registry on 127.0.0.1) holding an image pushed by skopeo: the
// manifest gets the digest the registry reports, the lock file records it, and
// a later --offline run pins from the lock with the registry gone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { OciLayout } from './oci-layout.js';
import { assertToolsInstalled, skopeoDigest, skopeoPush, startRegistry } from './registry-server.js';
import type { RunningRegistry } from './registry-server.js';

describe('rootlock fix --pin-digests', () => {
  let root: string;
  let registry: RunningRegistry;
  let digest: string;

  before(async () => {
    assertToolsInstalled();
    root = mkdtempSync(join(tmpdir(), 'rootlock-pin-'));
    const layout = new OciLayout(join(root, 'layout'));
    const image = layout.image('pinned by rootlock');
    layout.tag('1.0', image.manifest);
    registry = await startRegistry({ dir: root, auth: { kind: 'none' } });
    await skopeoPush(join(root, 'layout'), '1.0', registry.host, 'shop/web:1.0');
    digest = await skopeoDigest(registry.host, 'shop/web:1.0');
  });
  after(async () => {
    await registry?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const io: CliIO = { stdout: () => {}, stderr: (t) => { stderr += t; }, cwd: root, today: '2026-06-01' };
    return { code: await main(args, io), stderr };
  }

  it('pins the tag to the registry digest, records it in the lock file, and works offline later', async () => {
    const manifest = join(root, 'web.yaml');
    const text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: ${registry.host}/shop/web:1.0 # the shop front end\n`;
    writeFileSync(manifest, text);
    const first = await cli(['fix', '--no-config', '--rules', 'image-pinned-by-digest', '--pin-digests', '--write', 'web.yaml']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(readFileSync(manifest, 'utf8'), text.replace('shop/web:1.0 #', `shop/web:1.0@${digest} #`));
    const lock = JSON.parse(readFileSync(join(root, 'rootlock.lock.json'), 'utf8')) as { images: Record<string, { digest: string }> };
    assert.equal(lock.images[`${registry.host}/shop/web:1.0`]?.digest, digest);

    await registry.stop();
    writeFileSync(manifest, text);
    const offline = await cli(['fix', '--no-config', '--rules', 'image-pinned-by-digest', '--pin-digests', '--offline', '--write', 'web.yaml']);
    assert.equal(offline.code, 0, offline.stderr);
    assert.match(readFileSync(manifest, 'utf8'), new RegExp(`@${digest}`));
  });

  it('reports an image the registry cannot resolve, with exit 2, and leaves it unpinned', async () => {
    const manifest = join(root, 'missing.yaml');
    writeFileSync(manifest, 'apiVersion: v1\nkind: Pod\nmetadata: {name: m}\nspec:\n  containers:\n  - name: m\n    image: shop/not-in-lock:9\n');
    const result = await cli(['fix', '--no-config', '--rules', 'image-pinned-by-digest', '--pin-digests', '--offline', '--lock-file', 'rootlock.lock.json', 'missing.yaml']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /not-in-lock/);
    assert.ok(existsSync(manifest));
  });
});
