// A profile result for tests that need one without running `rootlock profile`
// (which needs root and an image): typed as ProfileResult, so the compiler
// holds it to the shape the command writes, and src/profile/profile-file.test.ts
// reads it back through readProfileFile, the reader every --profile uses.
// test/profile.test.ts renders the output of a real profile run as well.
import type { ProfileResult } from '../../src/profile/profile.js';

/** A profile result as `rootlock profile --format json` writes it; typed, so the compiler holds it to ProfileResult. */
export const NGINX_PROFILE: ProfileResult = {
  image: 'debian.oci:nginx',
  imageName: 'nginx:1.27',
  argv: ['nginx', '-g', 'daemon off;'],
  user: { uid: 0, gid: 0 },
  durationMs: 5000,
  output: '',
  changes: [
    { path: '/run/nginx.pid', kind: 'added', type: 'file', size: 3 },
    { path: '/var/cache/nginx/client_temp', kind: 'added', type: 'directory' },
    { path: '/var/log/nginx/access.log', kind: 'changed', type: 'file', size: 0 },
  ],
  proposals: [
    { path: '/run', bytes: 3, paths: ['/run/nginx.pid'] },
    { path: '/var/cache/nginx', bytes: 0, paths: ['/var/cache/nginx/client_temp'] },
    { path: '/var/log/nginx', bytes: 0, paths: ['/var/log/nginx/access.log'] },
  ],
  coveredByVolumes: [],
  atRoot: [],
  imageVolumes: [],
  placeholderEnv: [],
};
