import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { arch } from 'node:os';
import { hostPlatform, normalizePlatform, platformManifest, type Descriptor } from './platform.js';
import { OCI_MANIFEST } from './media-types.js';

const entry = (name: string, platform: Descriptor['platform'], annotations?: Record<string, string>): Descriptor => ({
  mediaType: OCI_MANIFEST,
  digest: `sha256:${name.padEnd(64, '0')}`,
  size: 100,
  ...(platform ? { platform } : {}),
  ...(annotations ? { annotations } : {}),
});

// The shape of a buildx multi-platform push: platforms plus attestation manifests.
const index = {
  manifests: [
    entry('a1', { os: 'linux', architecture: 'amd64' }),
    entry('a2', { os: 'linux', architecture: 'arm64', variant: 'v8' }),
    entry('a3', { os: 'linux', architecture: 'arm', variant: 'v6' }),
    entry('a4', { os: 'linux', architecture: 'arm', variant: 'v7' }),
    entry('a5', { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' }),
    entry('a6', { os: 'unknown', architecture: 'unknown' }, { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': 'sha256:x' }),
  ],
};

const pick = (target: Parameters<typeof platformManifest>[1], from: { manifests?: unknown } = index) => platformManifest(from, target)?.digest.slice(7, 9);

describe('platformManifest', () => {
  it('picks the exact os and architecture', () => {
    assert.equal(pick({ os: 'linux', architecture: 'amd64' }), 'a1');
    assert.equal(pick({ os: 'windows', architecture: 'amd64' }), 'a5');
    assert.equal(pick({ os: 'linux', architecture: 'arm', variant: 'v7' }), 'a4');
  });

  it('normalises architecture names and default variants', () => {
    assert.equal(pick({ os: 'linux', architecture: 'x86_64' }), 'a1');
    assert.equal(pick({ os: 'linux', architecture: 'aarch64' }), 'a2');
    assert.equal(pick({ os: 'linux', architecture: 'arm64' }), 'a2');
    assert.equal(pick({ os: 'linux', architecture: 'arm64' }, { manifests: [entry('b1', { os: 'linux', architecture: 'arm64' })] }), 'b1');
    assert.equal(pick({ os: 'Linux', architecture: 'armhf' }), 'a4');
  });

  it('lets an armv8-32 or armv7 host fall back to the newest older arm variant, never a newer one', () => {
    assert.equal(pick({ os: 'linux', architecture: 'arm', variant: 'v8' }), 'a4');
    const onlyV6 = { manifests: [entry('c1', { os: 'linux', architecture: 'arm', variant: 'v6' })] };
    assert.equal(pick({ os: 'linux', architecture: 'arm', variant: 'v7' }, onlyV6), 'c1');
    assert.equal(pick({ os: 'linux', architecture: 'arm', variant: 'v5' }, onlyV6), undefined);
  });

  it('prefers an exact amd64 microarchitecture level, then lower ones', () => {
    const levels = { manifests: [entry('d1', { os: 'linux', architecture: 'amd64' }), entry('d2', { os: 'linux', architecture: 'amd64', variant: 'v3' })] };
    assert.equal(pick({ os: 'linux', architecture: 'amd64', variant: 'v3' }, levels), 'd2');
    assert.equal(pick({ os: 'linux', architecture: 'amd64', variant: 'v2' }, levels), 'd1');
    assert.equal(pick({ os: 'linux', architecture: 'amd64' }, levels), 'd1');
  });

  it('finds nothing for a missing platform, and skips attestations and malformed entries', () => {
    assert.equal(pick({ os: 'linux', architecture: 's390x' }), undefined);
    assert.equal(pick({ os: 'unknown', architecture: 'unknown' }), undefined);
    assert.equal(pick({ os: 'linux', architecture: 'amd64' }, { manifests: [null, 'x', { digest: 1 }, { mediaType: OCI_MANIFEST, digest: 'sha256:1', platform: { os: 'linux' } }] }), undefined);
    assert.equal(pick({ os: 'linux', architecture: 'amd64' }, {}), undefined);
  });

  it('keeps the first of equal candidates, as runtimes do', () => {
    const twice = { manifests: [entry('e1', { os: 'linux', architecture: 'amd64' }), entry('e2', { os: 'linux', architecture: 'amd64' })] };
    assert.equal(pick({ os: 'linux', architecture: 'amd64' }, twice), 'e1');
  });
});

describe('normalizePlatform and hostPlatform', () => {
  it('spells platforms one way', () => {
    assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'aarch64' }), { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'arm', variant: '7' }), { os: 'linux', architecture: 'arm', variant: 'v7' });
    assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'amd64', variant: 'v1' }), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'i686' }), { os: 'linux', architecture: '386' });
  });

  it('describes this machine as a Linux platform in OCI terms', () => {
    const host = hostPlatform();
    assert.equal(host.os, 'linux');
    const expected: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', s390x: 's390x' };
    if (expected[arch()]) assert.equal(host.architecture, expected[arch()]);
    assert.deepEqual(host, normalizePlatform(host));
  });
});
