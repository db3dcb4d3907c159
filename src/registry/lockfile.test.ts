import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLockFilePath, emptyLock, parseLockFile, readLockFile, resolveAll, serializeLockFile, writeLockFile, UnresolvedImagesError, type LockFile } from './lockfile.js';
import { RegistryError } from './errors.js';
import { OCI_INDEX, OCI_MANIFEST } from './media-types.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const NOW = () => new Date('2026-03-04T05:06:07Z');

function withDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'rootlock-lock-'));
  return body(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe('lock file format', () => {
  it('serialises with sorted images and fixed field order, and parses back', () => {
    const lock: LockFile = {
      version: 1,
      images: {
        'redis:7': { resolvedAt: '2026-01-01T00:00:00.000Z', mediaType: OCI_INDEX, digest: digest('b') },
        'nginx:1.25': { digest: digest('a'), mediaType: OCI_MANIFEST, resolvedAt: '2026-01-02T00:00:00.000Z' },
      },
    };
    const text = serializeLockFile(lock);
    assert.equal(
      text,
      `{\n  "version": 1,\n  "images": {\n    "nginx:1.25": {\n      "digest": "${digest('a')}",\n      "mediaType": "${OCI_MANIFEST}",\n      "resolvedAt": "2026-01-02T00:00:00.000Z"\n    },\n` +
        `    "redis:7": {\n      "digest": "${digest('b')}",\n      "mediaType": "${OCI_INDEX}",\n      "resolvedAt": "2026-01-01T00:00:00.000Z"\n    }\n  }\n}\n`,
    );
    assert.deepEqual(parseLockFile(text, 'x'), lock);
    assert.equal(serializeLockFile(parseLockFile(text, 'x')), text);
  });

  it('rejects malformed lock files with the file and the entry at fault', () => {
    const cases: Array<[string, RegExp]> = [
      ['not json', /^lock\.json: not valid JSON/],
      ['[]', /^lock\.json: expected a JSON object$/],
      ['{"version":2,"images":{}}', /^lock\.json: version 2 was written by a newer rootlock$/],
      ['{"images":{}}', /^lock\.json: "version" must be 1$/],
      ['{"version":1}', /^lock\.json: "images" must be an object$/],
      ['{"version":1,"images":{"a:1":{"digest":"sha256:abc","mediaType":"x","resolvedAt":"2026-01-01T00:00:00Z"}}}', /^lock\.json: images\["a:1"\]\.digest is not a sha256 or sha512 digest$/],
      [`{"version":1,"images":{"a:1":{"digest":"${digest('a')}","resolvedAt":"2026-01-01T00:00:00Z"}}}`, /images\["a:1"\]\.mediaType must be a non-empty string/],
      [`{"version":1,"images":{"a:1":{"digest":"${digest('a')}","mediaType":"x","resolvedAt":"yesterday"}}}`, /images\["a:1"\]\.resolvedAt must be an ISO 8601 time/],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseLockFile(text, 'lock.json'), (error: unknown) => error instanceof RegistryError && error.code === 'LOCK_FILE' && message.test(error.message), text);
    }
  });

  it('reads a missing file as an empty lock and writes atomically without leaving temporary files', () =>
    withDir(async (dir) => {
      const path = join(dir, 'rootlock.lock.json');
      assert.deepEqual(await readLockFile(path), emptyLock());
      const lock: LockFile = { version: 1, images: { 'a:1': { digest: digest('c'), mediaType: OCI_MANIFEST, resolvedAt: '2026-01-01T00:00:00.000Z' } } };
      await writeLockFile(path, lock);
      await writeLockFile(path, { ...lock, images: { ...lock.images, 'b:1': { digest: digest('d'), mediaType: OCI_MANIFEST, resolvedAt: '2026-01-01T00:00:00.000Z' } } });
      assert.deepEqual(Object.keys((await readLockFile(path)).images), ['a:1', 'b:1']);
      assert.deepEqual(readdirSync(dir), ['rootlock.lock.json']);
      await assert.rejects(writeLockFile(join(dir, 'missing', 'rootlock.lock.json'), lock), /^RegistryError: cannot write .*missing\/rootlock\.lock\.json/);
      assert.deepEqual(readdirSync(dir), ['rootlock.lock.json']);
    }));

  it('puts the default lock file beside the manifests', () =>
    withDir(async (dir) => {
      mkdirSync(join(dir, 'k8s', 'apps'), { recursive: true });
      mkdirSync(join(dir, 'k8s', 'infra'), { recursive: true });
      writeFileSync(join(dir, 'k8s', 'apps', 'web.yaml'), '');
      assert.equal(await defaultLockFilePath(['k8s/apps/web.yaml'], dir), join(dir, 'k8s', 'apps', 'rootlock.lock.json'));
      assert.equal(await defaultLockFilePath(['k8s'], dir), join(dir, 'k8s', 'rootlock.lock.json'));
      assert.equal(await defaultLockFilePath(['k8s/apps/web.yaml', 'k8s/infra'], dir), join(dir, 'k8s', 'rootlock.lock.json'));
      assert.equal(await defaultLockFilePath(['k8s/apps/*.yaml'], dir), join(dir, 'k8s', 'apps', 'rootlock.lock.json'));
      assert.equal(await defaultLockFilePath(['-'], dir), join(dir, 'rootlock.lock.json'));
      assert.equal(await defaultLockFilePath([], dir), join(dir, 'rootlock.lock.json'));
    }));
});

describe('resolveAll', () => {
  const registry: Record<string, { digest: string; mediaType: string }> = {
    'nginx:1.25': { digest: digest('1'), mediaType: OCI_INDEX },
    'redis:7': { digest: digest('2'), mediaType: OCI_MANIFEST },
    'app:1': { digest: digest('3'), mediaType: OCI_MANIFEST },
  };
  const fakeResolver = (asked: string[]) => async (image: string) => {
    asked.push(image);
    await new Promise((resolve) => setTimeout(resolve, image.length % 3));
    const found = registry[image];
    if (!found) throw new RegistryError('MANIFEST_UNKNOWN', `registry docker.io: manifest unknown for ${image} (HTTP 404)`, 404);
    return found;
  };

  it('resolves each distinct image once, keeps input order, collects failures and sorts the lock', async () => {
    const asked: string[] = [];
    const result = await resolveAll(['redis:7', 'nope:1', 'nginx:1.25', 'redis:7'], { resolve: fakeResolver(asked), now: NOW });
    assert.deepEqual(asked.sort(), ['nginx:1.25', 'nope:1', 'redis:7']);
    assert.deepEqual([...result.pins.entries()], [
      ['redis:7', { digest: digest('2'), mediaType: OCI_MANIFEST, resolvedAt: '2026-03-04T05:06:07.000Z', source: 'registry' }],
      ['nginx:1.25', { digest: digest('1'), mediaType: OCI_INDEX, resolvedAt: '2026-03-04T05:06:07.000Z', source: 'registry' }],
    ]);
    assert.deepEqual(result.failures.map((f) => [f.image, f.error.message]), [['nope:1', 'registry docker.io: manifest unknown for nope:1 (HTTP 404)']]);
    assert.deepEqual(Object.keys(result.lock.images), ['nginx:1.25', 'redis:7']);
  });

  it('uses the lock before the registry and keeps entries for other images', async () => {
    const asked: string[] = [];
    const lock: LockFile = { version: 1, images: { 'redis:7': { digest: digest('9'), mediaType: OCI_MANIFEST, resolvedAt: '2025-01-01T00:00:00.000Z' }, 'old:1': { digest: digest('8'), mediaType: OCI_MANIFEST, resolvedAt: '2025-01-01T00:00:00.000Z' } } };
    const result = await resolveAll(['redis:7', 'app:1'], { lock, resolve: fakeResolver(asked), now: NOW });
    assert.deepEqual(asked, ['app:1']);
    assert.deepEqual([...result.pins.values()].map((pin) => [pin.digest, pin.source]), [[digest('9'), 'lock'], [digest('3'), 'registry']]);
    assert.deepEqual(Object.keys(result.lock.images), ['app:1', 'old:1', 'redis:7']);
    assert.equal(lock.images['app:1'], undefined, 'the input lock is not modified');

    const refreshed = await resolveAll(['redis:7'], { lock, refresh: true, resolve: fakeResolver(asked), now: NOW });
    assert.equal(refreshed.pins.get('redis:7')?.digest, digest('2'));
    assert.equal(refreshed.lock.images['redis:7']?.resolvedAt, '2026-03-04T05:06:07.000Z');
  });

  it('offline, uses only the lock and names every image it lacks', async () => {
    const lock: LockFile = { version: 1, images: { 'redis:7': { digest: digest('9'), mediaType: OCI_MANIFEST, resolvedAt: '2025-01-01T00:00:00.000Z' } } };
    const never = async (): Promise<never> => assert.fail('offline must not resolve');
    const result = await resolveAll(['redis:7'], { lock, offline: true, resolve: never });
    assert.equal(result.pins.get('redis:7')?.source, 'lock');
    await assert.rejects(resolveAll(['redis:7', 'app:1', 'nginx:1.25'], { lock, offline: true, resolve: never, lockPath: 'deploy/rootlock.lock.json' }), (error: unknown) => {
      assert.ok(error instanceof UnresolvedImagesError);
      assert.equal(error.code, 'OFFLINE');
      assert.deepEqual(error.images, ['app:1', 'nginx:1.25']);
      assert.equal(error.message, 'offline: 2 images are not in the lock file deploy/rootlock.lock.json, so they cannot be pinned without a registry:\n  app:1\n  nginx:1.25\nrun once without --offline to resolve and record them');
      return true;
    });
  });

  it('limits how many registry requests run at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const images = Array.from({ length: 10 }, (_, i) => `img${i}:1`);
    await resolveAll(images, {
      concurrency: 3,
      resolve: async () => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return { digest: digest('4'), mediaType: OCI_MANIFEST };
      },
    });
    assert.equal(peak, 3);
  });

  it('turns a non-registry error from a custom resolver into a failure, not a crash', async () => {
    const result = await resolveAll(['a:1'], { resolve: async () => { throw new Error('boom'); } });
    assert.deepEqual(result.failures.map((f) => [f.image, f.error.code, f.error.message]), [['a:1', 'NETWORK', 'a:1: boom']]);
  });
});
