import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readOnlyErrorPaths } from './verify.js';

describe('readOnlyErrorPaths', () => {
  it('names the paths of read-only errors from shells, nginx, Python and Go, and nothing from other lines or permission errors', () => {
    const output = [
      "mkdir: can't create directory '/var/cache/app': Read-only file system",
      'nginx: [emerg] mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file system)',
      "OSError: [Errno 30] Read-only file system: '/tmp/tmpabc'",
      'listening on /run/app.sock',
      'open /data/db.lock: read-only file system',
      "sh: can't create /marker: Read-only file system",
      'open() "/etc/nginx/htpasswd" failed (13: Permission denied)',
    ].join('\n');
    assert.deepEqual(readOnlyErrorPaths(output), ['/data/db.lock', '/marker', '/tmp/tmpabc', '/var/cache/app', '/var/cache/nginx/client_temp']);
  });
});
