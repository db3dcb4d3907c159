import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readOnlyErrorPaths } from './verify.js';

describe('readOnlyErrorPaths', () => {
  it('names the paths of read-only errors from shells, nginx and Python, and nothing from other lines', () => {
    const output = [
      "mkdir: can't create directory '/var/cache/app': Read-only file system",
      'nginx: [emerg] mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file system)',
      "OSError: [Errno 30] Read-only file system: '/tmp/tmpabc'",
      'listening on /run/app.sock',
    ].join('\n');
    assert.deepEqual(readOnlyErrorPaths(output), ['/tmp/tmpabc', '/var/cache/app', '/var/cache/nginx/client_temp']);
  });
});
