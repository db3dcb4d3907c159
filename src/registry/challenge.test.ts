import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseWwwAuthenticate } from './challenge.js';

describe('parseWwwAuthenticate', () => {
  it('reads a registry Bearer challenge (Docker Hub)', () => {
    assert.deepEqual(parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"'), [
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' } },
    ]);
  });

  it('reads Basic, unquoted values, spaces, escapes and upper-case names', () => {
    assert.deepEqual(parseWwwAuthenticate('Basic realm="basic-realm"'), [{ scheme: 'basic', params: { realm: 'basic-realm' } }]);
    assert.deepEqual(parseWwwAuthenticate('BEARER Realm = https://a/t , Service=x,scope="a \\"b\\" c"'), [
      { scheme: 'bearer', params: { realm: 'https://a/t', service: 'x', scope: 'a "b" c' } },
    ]);
  });

  it('splits several challenges in one header', () => {
    assert.deepEqual(parseWwwAuthenticate('Basic realm="r", Bearer realm="https://t",scope="repository:a:pull,push"'), [
      { scheme: 'basic', params: { realm: 'r' } },
      { scheme: 'bearer', params: { realm: 'https://t', scope: 'repository:a:pull,push' } },
    ]);
  });

  it('returns nothing for an empty or nonsensical header', () => {
    assert.deepEqual(parseWwwAuthenticate(''), []);
    assert.deepEqual(parseWwwAuthenticate('  ,, '), []);
    assert.deepEqual(parseWwwAuthenticate('"quoted"'), []);
  });
});
