// A tiny real image for the sandbox tests: the host's static busybox, in two
// layers, the second deleting a file and replacing a directory of the first
// (a `.wh.` whiteout and an opaque directory), with an entrypoint script that
// writes to /tmp, /var/run/app.pid (/var/run links to /run, as on every
// distribution) and /var/cache/app/data and then sleeps.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ImageConfigFields, LayerEntry } from './oci-image.js';
import { writeOciLayout } from './oci-image.js';

export function hostBusybox(): string {
  const path = execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim();
  if (!path) throw new Error('busybox is missing: run scripts/install-test-deps.sh (busybox-static)');
  return path;
}

export const APPLETS = ['sh', 'echo', 'mkdir', 'sleep', 'head', 'cat', 'ls', 'id', 'touch', 'rm', 'hostname', 'ip', 'wc'];

export const ENTRYPOINT_SCRIPT = `#!/bin/sh
echo started > /tmp/started
echo $$ > /var/run/app.pid
mkdir -p /var/cache/app
head -c 4096 /dev/zero > /var/cache/app/data
[ -e /etc/removed ] && echo "whiteout: /etc/removed still visible"
[ -e /etc/replaced/old ] && echo "opaque: /etc/replaced/old still visible"
echo "kept=$(cat /etc/kept) new=$(cat /etc/replaced/new) user=$(id -u):$(id -g) host=$(hostname) pid=$$ cwd=$(pwd) greeting=$GREETING"
echo ready
exec sleep 1000
`;

export function busyboxLayers(entrypoint = ENTRYPOINT_SCRIPT): LayerEntry[][] {
  const base: LayerEntry[] = [
    { path: 'bin', type: 'dir' },
    { path: 'bin/busybox', type: 'file', content: readFileSync(hostBusybox()), mode: 0o755 },
    ...APPLETS.map((name): LayerEntry => ({ path: `bin/${name}`, type: 'symlink', target: 'busybox' })),
    { path: 'etc', type: 'dir' },
    { path: 'etc/passwd', type: 'file', content: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/app:/bin/sh\n' },
    { path: 'etc/group', type: 'file', content: 'root:x:0:\napp:x:1000:\n' },
    { path: 'etc/kept', type: 'file', content: 'yes' },
    { path: 'etc/removed', type: 'file', content: 'deleted by the next layer' },
    { path: 'etc/replaced', type: 'dir' },
    { path: 'etc/replaced/old', type: 'file', content: 'hidden by the opaque directory' },
    { path: 'tmp', type: 'dir', mode: 0o1777 },
    { path: 'run', type: 'dir', mode: 0o777 },
    { path: 'var', type: 'dir' },
    { path: 'var/run', type: 'symlink', target: '../run' },
    { path: 'var/cache', type: 'dir', mode: 0o777 },
    { path: 'data', type: 'dir', mode: 0o777 },
  ];
  const app: LayerEntry[] = [
    { path: 'etc/.wh.removed', type: 'file', content: '' },
    { path: 'etc/replaced/.wh..wh..opq', type: 'file', content: '' },
    { path: 'etc/replaced/new', type: 'file', content: 'fresh' },
    { path: 'app', type: 'dir' },
    { path: 'app/entrypoint.sh', type: 'file', content: entrypoint, mode: 0o755 },
  ];
  return [base, app];
}

export function writeBusyboxImage(dir: string, config: ImageConfigFields = {}, entrypoint?: string): string[] {
  return writeOciLayout(dir, busyboxLayers(entrypoint), {
    Entrypoint: ['/app/entrypoint.sh'], Env: ['PATH=/bin', 'GREETING=hello'], WorkingDir: '/app', User: '1000:1000',
    Volumes: { '/data': {} }, ...config,
  });
}
