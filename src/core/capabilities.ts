// Linux capability names as container runtimes read them: containerd and
// CRI-O upper-case each name and add the CAP_ prefix, so `sys_admin`,
// `SYS_ADMIN` and `CAP_SYS_ADMIN` all grant the same capability.
import { isObject } from './path.js';

/** `SYS_ADMIN` for any of `sys_admin`, `CAP_SYS_ADMIN`, ` cap_sys_admin `. */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice('CAP_'.length) : upper;
}

export interface CapabilityEntry {
  /** As written in the manifest. */
  name: string;
  /** normalizeCapability(name). */
  capability: string;
  /** Index in the add or drop list. */
  index: number;
}

/** The string entries of capabilities.add or capabilities.drop; anything else is left to the field type check. */
export function capabilityEntries(capabilities: unknown, list: 'add' | 'drop'): CapabilityEntry[] {
  if (!isObject(capabilities)) return [];
  const entries = capabilities[list];
  if (!Array.isArray(entries)) return [];
  const out: CapabilityEntry[] = [];
  entries.forEach((name: unknown, index) => {
    if (typeof name === 'string' && name.trim() !== '') out.push({ name, capability: normalizeCapability(name), index });
  });
  return out;
}

/** What containerd and Docker grant a container when nothing is dropped or added (CRI-O grants a subset). */
export const RUNTIME_DEFAULT_CAPABILITIES: ReadonlySet<string> = new Set([
  'CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID', 'SETUID',
  'SETFCAP', 'SETPCAP', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE',
]);
