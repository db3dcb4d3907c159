import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../test/helpers/repo.js';
import { normalizeLogPath, suggestFromLogs } from './logs.js';

/** The suggested directories, and which program each line was read as. */
function dirs(text: string): string[] {
  return suggestFromLogs(text).suggestions.map((s) => s.path);
}

function programs(text: string): string[] {
  return suggestFromLogs(text).suggestions.flatMap((s) => s.evidence.map((e) => e.program));
}

describe('suggestFromLogs: one program at a time', () => {
  it('nginx: open() names a file (its directory), mkdir() a directory (itself)', () => {
    const log = [
      '2026/11/27 05:00:00 [emerg] 1#1: open() "/var/run/nginx.pid" failed (30: Read-only file system)',
      'nginx: [emerg] mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file system)',
      'nginx: [alert] could not open error log file: open() "/var/log/nginx/error.log" failed (30: Read-only file system)',
    ].join('\n');
    assert.deepEqual(dirs(log), ['/run', '/var/cache/nginx/client_temp', '/var/log/nginx']);
    assert.deepEqual(programs(log), ['nginx', 'nginx', 'nginx']);
  });

  it('Node: EROFS with the syscall (mkdir keeps the directory) and npm\'s copy of it', () => {
    const log = [
      "Error: EROFS: read-only file system, open '/app/.cache/x'",
      '    at Object.openSync (node:fs:596:3) {',
      '  errno: -30,',
      "  code: 'EROFS',",
      "  syscall: 'open',",
      "  path: '/app/.cache/x'",
      '}',
      "npm ERR! rofs EROFS: read-only file system, mkdir '/home/node/.npm'",
      'npm ERR! errno -30',
    ].join('\n');
    const result = suggestFromLogs(log);
    assert.deepEqual(result.suggestions.map((s) => s.path), ['/app/.cache', '/home/node/.npm']);
    assert.deepEqual(result.suggestions.map((s) => s.evidence.map((e) => e.line)), [[1], [8]]);
    assert.deepEqual(result.unplaced, [], 'the error object\'s properties repeat the message; they are not errors of their own');
  });

  it('Python: [Errno 30] with the file\'s directory, a mkdir in the traceback keeps the directory, no usable temporary directory means /tmp', () => {
    const log = [
      "OSError: [Errno 30] Read-only file system: '/srv/app/state.db'",
      'Traceback (most recent call last):',
      '  File "/usr/lib/python3.11/os.py", line 225, in makedirs',
      '    mkdir(name, mode)',
      "OSError: [Errno 30] Read-only file system: '/var/lib/app/uploads'",
      "FileNotFoundError: [Errno 2] No usable temporary directory found in ['/tmp', '/var/tmp', '/usr/tmp', '/app']",
    ].join('\n');
    assert.deepEqual(dirs(log), ['/srv/app', '/tmp', '/var/lib/app/uploads']);
    assert.deepEqual(new Set(programs(log)), new Set(['python']));
  });

  it('Java: java.nio FileSystemException, createDirectory in the stack trace, java.io FileNotFoundException', () => {
    const log = [
      'Exception in thread "main" java.nio.file.FileSystemException: /opt/app/work/session.ser: Read-only file system',
      '\tat java.base/sun.nio.fs.UnixException.translateToIOException(UnixException.java:100)',
      'Caused by: java.nio.file.FileSystemException: /opt/app/cache: Read-only file system',
      '\tat java.base/sun.nio.fs.UnixFileSystemProvider.createDirectory(UnixFileSystemProvider.java:397)',
      '\tat java.base/java.nio.file.Files.createDirectory(Files.java:700)',
      'java.io.FileNotFoundException: /var/log/app/app.log (Read-only file system)',
    ].join('\n');
    assert.deepEqual(dirs(log), ['/opt/app/cache', '/opt/app/work', '/var/log/app']);
    assert.deepEqual(new Set(programs(log)), new Set(['java']));
  });

  it('Go: os.PathError with the operation; rename names the destination', () => {
    const log = [
      'level=error msg="cannot start" err="open /data/db/LOCK: read-only file system"',
      'panic: mkdir /var/lib/app/wal: read-only file system',
      'rename /etc/app/conf.tmp /srv/conf/app.conf: read-only file system',
    ].join('\n');
    assert.deepEqual(dirs(log), ['/data/db', '/srv/conf', '/var/lib/app/wal']);
    assert.deepEqual(new Set(programs(log)), new Set(['go']));
  });

  it('shell: dash and busybox redirects, bash here-documents, coreutils and busybox tools', () => {
    const log = [
      '/bin/sh: 1: cannot create /etc/nginx/conf.d/default.conf: Read-only file system',
      "sh: can't create /var/tmp/marker: Read-only file system",
      'bash: cannot create temp file for here-document: Read-only file system',
      "touch: cannot touch '/srv/www/ready': Read-only file system",
      "mkdir: cannot create directory '/var/lib/app/cache': Read-only file system",
      "mkdir: cannot create directory ‘/var/lib/postgresql/data’: Read-only file system",
      "mktemp: failed to create file via template '/data/tmp.XXXXXXXXXX': Read-only file system",
      'touch: /home/app/.flag: Read-only file system',
      '/docker-entrypoint.sh: line 12: /opt/out/x.log: Read-only file system',
    ].join('\n');
    assert.deepEqual(dirs(log), [
      '/data', '/etc/nginx/conf.d', '/home/app', '/opt/out', '/srv/www', '/tmp', '/var/lib/app/cache', '/var/lib/postgresql/data', '/var/tmp',
    ]);
    assert.deepEqual(new Set(programs(log)), new Set(['shell']));
  });

  it('Apache: APR errno 30 with the AH message\'s path', () => {
    const log = [
      '[Fri Nov 27 05:00:00.000000 2026] [core:error] [pid 1:tid 1] (30)Read-only file system: AH00099: could not create /usr/local/apache2/logs/httpd.pid.XyZ123',
      '(30)Read-only file system: AH00091: httpd: could not open error log file /var/log/apache2/error.log.',
    ].join('\n');
    assert.deepEqual(dirs(log), ['/usr/local/apache2/logs', '/var/log/apache2']);
    assert.deepEqual(new Set(programs(log)), new Set(['apache']));
  });

  it('PostgreSQL: lock file in /var/run/postgresql (so /run/postgresql), directories kept', () => {
    const log = [
      '2026-11-27 05:00:00.000 UTC [1] FATAL:  could not create lock file "/var/run/postgresql/.s.PGSQL.5432.lock": Read-only file system',
      'initdb: error: could not create directory "/var/lib/postgresql/data/pg_wal": Read-only file system',
    ].join('\n');
    assert.deepEqual(dirs(log), ['/run/postgresql', '/var/lib/postgresql/data/pg_wal']);
    assert.deepEqual(new Set(programs(log)), new Set(['postgresql']));
  });

  it('MySQL and MariaDB: Errcode 30 and OS errno 30', () => {
    const log = [
      "mysqld: Can't create/write to file '/var/run/mysqld/mysqld.pid' (Errcode: 30 - Read-only file system)",
      "2026-11-27T05:00:00Z 0 [ERROR] [MY-000000] [Server] Can't create/write to file '/tmp/ibXYZ' (OS errno 30 - Read-only file system)",
      "mariadbd: Can't create/write to file '/var/lib/mysql/aria_log_control' (Errcode: 30 \"Read-only file system\")",
      "2026-11-27T05:00:00Z 0 [ERROR] [MY-010187] [Server] Could not open file '/var/log/mysql/error.log' for error logging: Read-only file system",
    ].join('\n');
    assert.deepEqual(dirs(log), ['/run/mysqld', '/tmp', '/var/lib/mysql', '/var/log/mysql']);
    assert.deepEqual(new Set(programs(log)), new Set(['mysql']));
  });
});

describe('suggestFromLogs: permission denied is a uid problem, not a volume', () => {
  it('lists errno 13 / EACCES apart and suggests no mount for them', () => {
    const log = [
      'nginx: [emerg] open() "/var/run/nginx.pid" failed (13: Permission denied)',
      "Error: EACCES: permission denied, open '/app/data/x.json'",
      "PermissionError: [Errno 13] Permission denied: '/srv/out.txt'",
      'java.nio.file.AccessDeniedException: /opt/app/logs/app.log',
      'open /data/x: permission denied',
      "touch: cannot touch '/srv/x': Permission denied",
      "mysqld: Can't create/write to file '/var/lib/mysql/x' (Errcode: 13 - Permission denied)",
    ].join('\n');
    const result = suggestFromLogs(log);
    assert.deepEqual(result.suggestions, []);
    assert.deepEqual(result.permissionDenied.map((p) => [p.path, p.evidence[0]!.program]), [
      ['/app/data/x.json', 'node'], ['/data/x', 'go'], ['/opt/app/logs/app.log', 'java'], ['/srv/out.txt', 'python'],
      ['/srv/x', 'shell'], ['/var/lib/mysql/x', 'mysql'], ['/var/run/nginx.pid', 'nginx'],
    ]);
  });
});

describe('suggestFromLogs: collapsing and evidence', () => {
  it('collapses duplicates and children into the topmost directory, keeping every line as evidence', () => {
    const log = [
      'starting',
      'nginx: [emerg] mkdir() "/var/cache/nginx" failed (30: Read-only file system)',
      'nginx: [emerg] mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file system)',
      'nginx: [emerg] open() "/var/cache/nginx/proxy.lock" failed (30: Read-only file system)',
      'nginx: [emerg] open() "/var/run/nginx.pid" failed (30: Read-only file system)',
      "sh: can't create /run/ready: Read-only file system",
    ].join('\n');
    const result = suggestFromLogs(log);
    assert.deepEqual(result.suggestions.map((s) => [s.path, s.evidence.map((e) => e.line)]), [
      ['/run', [5, 6]],
      ['/var/cache/nginx', [2, 3, 4]],
    ]);
    assert.deepEqual(result.suggestions[1]!.evidence[1], {
      line: 3, text: 'nginx: [emerg] mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file system)', program: 'nginx', path: '/var/cache/nginx/client_temp',
    });
  });

  it('reads kubectl --timestamps prefixes and CRLF line ends', () => {
    const log = '2026-11-27T05:00:00.123456789Z open /data/x: read-only file system\r\n2026-11-27T05:00:01Z ok\r\n';
    assert.deepEqual(suggestFromLogs(log).suggestions, [
      { path: '/data', evidence: [{ line: 1, text: '2026-11-27T05:00:00.123456789Z open /data/x: read-only file system', program: 'go', path: '/data/x' }] },
    ]);
  });

  it('lists read-only errors it cannot place: no path, a relative path, a file at the root', () => {
    const log = [
      'java.io.IOException: Read-only file system',
      'open data/db.lock: read-only file system',
      "sh: can't create /marker: Read-only file system",
      'all good here',
      "OSError: [Errno 2] No such file or directory: '/missing'",
    ].join('\n');
    const result = suggestFromLogs(log);
    assert.deepEqual(result.suggestions, []);
    assert.deepEqual(result.unplaced.map((u) => [u.line, u.path]), [[1, undefined], [2, 'data/db.lock'], [3, '/marker']]);
    assert.match(result.unplaced[1]!.reason, /relative/);
    assert.match(result.unplaced[2]!.reason, /root/);
  });

  it('finds nothing in logs without errors', () => {
    assert.deepEqual(suggestFromLogs('listening on :8080\nready\n'), { suggestions: [], permissionDenied: [], unplaced: [] });
    assert.deepEqual(suggestFromLogs(''), { suggestions: [], permissionDenied: [], unplaced: [] });
  });

  it('normalizes paths textually and leaves relative ones unplaced', () => {
    assert.equal(normalizeLogPath('/a//b/./c/../d/'), '/a/b/d');
    assert.equal(normalizeLogPath('relative/x'), undefined);
  });
});

/**
 * Output captured from real programs failing on a read-only tmpfs mounted at
 * /srv/rootlock-probe (in a private mount namespace; app/ and var/ existed):
 * go1.26 (os.WriteFile, os.MkdirAll, os.Rename), OpenJDK 17
 * (Files.createDirectory, FileOutputStream, Files.write with their stack
 * traces), CPython 3.11 (open, os.makedirs with their tracebacks) and
 * PostgreSQL 15 (the server with its socket directory there, then initdb).
 */
describe('suggestFromLogs: captured output of Go, Java, Python and PostgreSQL', () => {
  const fixture = (name: string): string => readFileSync(join(repoRoot(), 'src', 'suggest', 'fixtures', name), 'utf8');
  const read = (name: string): Array<[string, number[]]> => suggestFromLogs(fixture(name)).suggestions.map((s) => [s.path, s.evidence.map((e) => e.line)]);

  it('Go: open and rename name files, mkdir the directory itself', () => {
    assert.deepEqual(read('go.log'), [['/srv/rootlock-probe/app', [1, 3]], ['/srv/rootlock-probe/var/cache', [2]]]);
  });

  it('Java: createDirectory in the stack trace keeps the directory; FileOutputStream and Files.write name files', () => {
    assert.deepEqual(read('java.log'), [['/srv/rootlock-probe/app', [8, 14]], ['/srv/rootlock-probe/var/cache', [1]]]);
  });

  it('Python: open names a file; makedirs in the traceback keeps the directory', () => {
    assert.deepEqual(read('python.log'), [['/srv/rootlock-probe/app', [5]], ['/srv/rootlock-probe/var/cache', [12]]]);
  });

  it('PostgreSQL: the lock file\'s directory, and the directory initdb could not create', () => {
    assert.deepEqual(read('postgresql.log'), [['/srv/rootlock-probe/var/lib/postgresql/data', [13]], ['/srv/rootlock-probe/var/run/postgresql', [2]]]);
  });
});
