// The layout of rootlock's own image, which `npm run image` builds
// (deploy/image/) and `rootlock webhook manifests` and `rootlock drift
// manifests` run: where rootlock is, which users exist, and which file
// capabilities the drift scanner's copy of it carries. Pure constants,
// so the manifests and the image recipe cannot disagree.

/** Where the image is published by default; `--image` names the copy you pushed. */
export const DEFAULT_IMAGE_REPOSITORY = 'ghcr.io/rootlock/rootlock';

export function defaultImageReference(version: string): string {
  return `${DEFAULT_IMAGE_REPOSITORY}:${version}`;
}

export const IMAGE_APP_DIR = '/opt/rootlock';
/**
 * rootlock as one executable (`npm run sea`: Node.js with the CLI inside), without file capabilities: the
 * entrypoint, for the webhook and the in-cluster audit, whose pods drop ALL capabilities. A binary with file
 * capabilities cannot run there: the kernel refuses the exec (EPERM) when its effective bit is set and the bounding
 * set lacks a capability it names.
 */
export const IMAGE_CLI = `${IMAGE_APP_DIR}/bin/rootlock`;
/** A second copy of it carrying DRIFT_FILE_CAPABILITIES (=ep), which only the drift DaemonSet runs, as its `command`. */
export const IMAGE_DRIFT_CLI = `${IMAGE_APP_DIR}/bin/rootlock-drift`;

/** The image's default user and the webhook's: distroless's "nonroot". */
export const IMAGE_USER = { name: 'nonroot', uid: 65532, gid: 65532 };
/**
 * The drift scanner's user, of its own: with 65532 a compromised scanner could
 * write every file that distroless and Chainguard containers own (docs/drift.md, "Privileges").
 */
export const IMAGE_DRIFT_USER = { name: 'rootlock-drift', uid: 65533, gid: 65533 };

/** What the drift DaemonSet adds to `drop: [ALL]`, and exactly what IMAGE_DRIFT_CLI carries. */
export const DRIFT_FILE_CAPABILITIES = ['DAC_READ_SEARCH', 'SYS_PTRACE'] as const;

/** Linux capability numbers (include/uapi/linux/capability.h). */
const CAPABILITY_NUMBERS: Record<string, number> = {
  CHOWN: 0, DAC_OVERRIDE: 1, DAC_READ_SEARCH: 2, FOWNER: 3, FSETID: 4, KILL: 5, SETGID: 6, SETUID: 7, SETPCAP: 8,
  LINUX_IMMUTABLE: 9, NET_BIND_SERVICE: 10, NET_BROADCAST: 11, NET_ADMIN: 12, NET_RAW: 13, IPC_LOCK: 14, IPC_OWNER: 15,
  SYS_MODULE: 16, SYS_RAWIO: 17, SYS_CHROOT: 18, SYS_PTRACE: 19, SYS_PACCT: 20, SYS_ADMIN: 21, SYS_BOOT: 22, SYS_NICE: 23,
  SYS_RESOURCE: 24, SYS_TIME: 25, SYS_TTY_CONFIG: 26, MKNOD: 27, LEASE: 28, AUDIT_WRITE: 29, AUDIT_CONTROL: 30,
  SETFCAP: 31, MAC_OVERRIDE: 32, MAC_ADMIN: 33, SYSLOG: 34, WAKE_ALARM: 35, BLOCK_SUSPEND: 36, AUDIT_READ: 37,
  PERFMON: 38, BPF: 39, CHECKPOINT_RESTORE: 40,
};

/** setcap's spelling: `cap_dac_read_search,cap_sys_ptrace=ep`. */
export function fileCapabilityText(capabilities: readonly string[]): string {
  return `${capabilities.map((c) => `cap_${c.toLowerCase()}`).join(',')}=ep`;
}

/**
 * The `security.capability` extended attribute that `setcap <caps>=ep` writes
 * (VFS_CAP_REVISION_2: magic with the effective flag, then permitted and
 * inheritable as two little-endian 32-bit halves each; no root uid, which
 * only user-namespaced files need).
 */
export function fileCapabilityXattr(capabilities: readonly string[]): Buffer {
  let low = 0;
  let high = 0;
  for (const name of capabilities) {
    const bit = CAPABILITY_NUMBERS[name];
    if (bit === undefined) throw new Error(`unknown capability ${name}`);
    if (bit < 32) low |= 1 << bit;
    else high |= 1 << (bit - 32);
  }
  const value = Buffer.alloc(20);
  value.writeUInt32LE(0x02000000 | 0x1, 0);
  value.writeUInt32LE(low >>> 0, 4);
  value.writeUInt32LE(0, 8);
  value.writeUInt32LE(high >>> 0, 12);
  value.writeUInt32LE(0, 16);
  return value;
}
