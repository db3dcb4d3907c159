import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configKeyHost, dockerConfigCredentials, dockerConfigPath, lookupDockerConfig, runCredentialHelper, DOCKER_HUB_CONFIG_KEY } from './docker-config.js';
import { RegistryError } from './errors.js';

const auth = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

describe('lookupDockerConfig', () => {
  it('decodes "auth" (the password may contain colons) and reads username/password fields', () => {
    assert.deepEqual(lookupDockerConfig({ auths: { 'ghcr.io': { auth: auth('bob', 'a:b:c') } } }, 'ghcr.io'), { kind: 'credentials', credentials: { username: 'bob', password: 'a:b:c' } });
    assert.deepEqual(lookupDockerConfig({ auths: { 'ghcr.io': { username: 'bob', password: 'pw' } } }, 'ghcr.io'), { kind: 'credentials', credentials: { username: 'bob', password: 'pw' } });
  });

  it('finds Docker Hub under its v1 URL key, whatever the reference calls it', () => {
    const config = { auths: { [DOCKER_HUB_CONFIG_KEY]: { auth: auth('hub', 'pw') } } };
    for (const registry of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) {
      assert.equal(lookupDockerConfig(config, registry).kind, 'credentials', registry);
    }
    assert.equal(lookupDockerConfig(config, 'ghcr.io').kind, 'none');
  });

  it('matches keys with a scheme or path, as the Docker CLI does, and prefers the exact key', () => {
    assert.equal(configKeyHost('https://Registry.Example.com:5000/v2/'), 'registry.example.com:5000');
    assert.equal(lookupDockerConfig({ auths: { 'http://127.0.0.1:5000': { auth: auth('a', 'b') } } }, '127.0.0.1:5000').kind, 'credentials');
    assert.equal(lookupDockerConfig({ auths: { '127.0.0.1:5000': { auth: auth('a', 'b') } } }, '127.0.0.1:5001').kind, 'none');
    const both = { auths: { 'https://r.example.com': { auth: auth('scheme', 'x') }, 'r.example.com': { auth: auth('exact', 'x') } } };
    assert.deepEqual(lookupDockerConfig(both, 'r.example.com'), { kind: 'credentials', credentials: { username: 'exact', password: 'x' } });
  });

  it('sends registries to credential helpers: credHelpers first, then credsStore for entries without auth', () => {
    const config = { credsStore: 'desktop', credHelpers: { 'gcr.io': 'gcloud' }, auths: { 'ghcr.io': { auth: auth('a', 'b') }, 'quay.io': {} } };
    assert.deepEqual(lookupDockerConfig(config, 'gcr.io'), { kind: 'helper', helper: 'gcloud', serverUrl: 'gcr.io' });
    assert.equal(lookupDockerConfig(config, 'ghcr.io').kind, 'credentials');
    assert.deepEqual(lookupDockerConfig(config, 'quay.io'), { kind: 'helper', helper: 'desktop', serverUrl: 'quay.io' });
    assert.deepEqual(lookupDockerConfig(config, 'docker.io'), { kind: 'helper', helper: 'desktop', serverUrl: DOCKER_HUB_CONFIG_KEY });
  });

  it('finds nothing in configs without entries, and reports a malformed "auth" with its key', () => {
    for (const config of [undefined, null, [], {}, { auths: [] }, { auths: { 'ghcr.io': 'x' } }]) assert.equal(lookupDockerConfig(config, 'ghcr.io').kind, 'none');
    assert.throws(() => lookupDockerConfig({ auths: { 'ghcr.io': { auth: auth('', 'pw').slice(0, 2) } } }, 'ghcr.io', '/home/me/.docker/config.json'), (error: unknown) => {
      assert.ok(error instanceof RegistryError);
      assert.equal(error.message, '/home/me/.docker/config.json: auths["ghcr.io"]: "auth" is not base64 of "user:password"');
      return true;
    });
  });
});

describe('dockerConfigPath and dockerConfigCredentials', () => {
  it('uses $DOCKER_CONFIG/config.json, else ~/.docker/config.json', () => {
    assert.equal(dockerConfigPath({ DOCKER_CONFIG: '/etc/ci-docker', HOME: '/home/me' }), '/etc/ci-docker/config.json');
    assert.equal(dockerConfigPath({ HOME: '/home/me' }), '/home/me/.docker/config.json');
  });

  it('reads the file once, and treats a missing file as no credentials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootlock-docker-config-'));
    try {
      const missing = dockerConfigCredentials({ env: { DOCKER_CONFIG: join(dir, 'none') } });
      assert.equal(await missing('ghcr.io'), undefined);
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { 'ghcr.io': { auth: auth('bob', 'pw') } } }));
      const source = dockerConfigCredentials({ env: { DOCKER_CONFIG: dir } });
      assert.deepEqual(await source('ghcr.io'), { username: 'bob', password: 'pw' });
      rmSync(join(dir, 'config.json'));
      assert.deepEqual(await source('ghcr.io'), { username: 'bob', password: 'pw' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a config file that is not JSON, with its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootlock-docker-config-'));
    try {
      writeFileSync(join(dir, 'config.json'), '{ auths: ');
      await assert.rejects(dockerConfigCredentials({ env: { DOCKER_CONFIG: dir } })('ghcr.io'), new RegExp(`^RegistryError: cannot parse ${join(dir, 'config.json')}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs a real credential helper with the server URL on stdin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootlock-cred-helper-'));
    try {
      const bin = join(dir, 'bin');
      mkdirSync(bin);
      const helper = join(bin, 'docker-credential-test');
      // Answers only for ghcr.io, like a real store that has one entry.
      writeFileSync(helper, '#!/bin/sh\n[ "$1" = get ] || exit 2\nread server\nif [ "$server" = ghcr.io ]; then printf \'{"ServerURL":"ghcr.io","Username":"helper-user","Secret":"helper-secret"}\'; else echo "credentials not found in native keychain"; exit 1; fi\n');
      chmodSync(helper, 0o755);
      const env = { PATH: `${bin}:${process.env['PATH'] ?? ''}`, DOCKER_CONFIG: dir };
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ credsStore: 'test', credHelpers: { 'broken.example.com': 'missing-helper' } }));
      const source = dockerConfigCredentials({ env });
      assert.deepEqual(await source('ghcr.io'), { username: 'helper-user', password: 'helper-secret' });
      assert.equal(await source('quay.io'), undefined);
      await assert.rejects(source('broken.example.com'), /credential helper docker-credential-missing-helper, which could not be run/);
      assert.equal(await runCredentialHelper('test', 'ghcr.io', { PATH: '/nonexistent' }).catch((error: Error) => error.constructor.name), 'RegistryError');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
