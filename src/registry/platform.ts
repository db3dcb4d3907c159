// Picks the manifest for one platform out of an OCI index or Docker manifest
// list, with the normalisation containerd applies (aarch64 is arm64, arm64
// means arm64/v8, an armv7 host also runs armv6 images), and skips attestation
// manifests that buildx stores beside the platform images.
import { arch as osArch, endianness } from 'node:os';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform & { 'os.version'?: string; 'os.features'?: string[] };
  annotations?: Record<string, string>;
}

const ARCHITECTURE_ALIASES: Record<string, { architecture: string; variant?: string }> = {
  x86_64: { architecture: 'amd64' },
  'x86-64': { architecture: 'amd64' },
  x64: { architecture: 'amd64' },
  aarch64: { architecture: 'arm64' },
  armhf: { architecture: 'arm', variant: 'v7' },
  armel: { architecture: 'arm', variant: 'v6' },
  i386: { architecture: '386' },
  i686: { architecture: '386' },
  ia32: { architecture: '386' },
};

/** containerd's platforms.Normalize: one spelling per platform, default variants made explicit. */
export function normalizePlatform(platform: Platform): Platform {
  const os = platform.os.toLowerCase();
  let architecture = platform.architecture.toLowerCase();
  let variant = platform.variant?.toLowerCase() || undefined;
  const alias = ARCHITECTURE_ALIASES[architecture];
  if (alias) {
    architecture = alias.architecture;
    variant ??= alias.variant;
  }
  if (architecture === 'arm64') {
    if (variant === undefined || variant === '8' || variant === 'v8') variant = 'v8';
  } else if (architecture === 'arm') {
    variant ??= 'v7';
    if (/^\d+$/.test(variant)) variant = `v${variant}`;
  } else if (architecture === 'amd64' && (variant === 'v1' || variant === undefined)) {
    variant = undefined;
  }
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** Lower is better; undefined when an image for `candidate` cannot run on `wanted`. */
function rank(candidate: Platform, wanted: Platform): number | undefined {
  const have = normalizePlatform(candidate);
  if (have.os !== wanted.os || have.architecture !== wanted.architecture) return undefined;
  if (have.variant === wanted.variant) return 0;
  // An armv7 machine runs armv6 and armv5 code, an amd64 v3 machine runs v2 code: prefer the newest that fits.
  const haveLevel = Number(have.variant?.slice(1) ?? (wanted.architecture === 'amd64' ? 1 : NaN));
  const wantedLevel = Number(wanted.variant?.slice(1) ?? (wanted.architecture === 'amd64' ? 1 : NaN));
  if ((wanted.architecture === 'arm' || wanted.architecture === 'amd64') && haveLevel < wantedLevel) return wantedLevel - haveLevel;
  return undefined;
}

function isAttestation(descriptor: Descriptor): boolean {
  return descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || descriptor.platform?.os === 'unknown';
}

/**
 * The descriptor in `index.manifests` that best fits `platform`, or undefined
 * when none does. Ties keep the index's order, as runtimes do.
 */
export function platformManifest(index: { manifests?: unknown }, platform: Platform): Descriptor | undefined {
  const wanted = normalizePlatform(platform);
  const manifests = Array.isArray(index.manifests) ? (index.manifests as unknown[]) : [];
  let best: { descriptor: Descriptor; rank: number } | undefined;
  for (const entry of manifests) {
    if (!isDescriptor(entry) || entry.platform === undefined || isAttestation(entry)) continue;
    const score = rank(entry.platform, wanted);
    if (score !== undefined && (best === undefined || score < best.rank)) best = { descriptor: entry, rank: score };
  }
  return best?.descriptor;
}

function isDescriptor(value: unknown): value is Descriptor {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  const platform = record['platform'];
  const platformOk =
    platform === undefined ||
    (typeof platform === 'object' && platform !== null && typeof (platform as Record<string, unknown>)['os'] === 'string' && typeof (platform as Record<string, unknown>)['architecture'] === 'string');
  return typeof record['digest'] === 'string' && typeof record['mediaType'] === 'string' && platformOk;
}

const NODE_ARCHITECTURES: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle' };

/** The platform this process runs on, in OCI terms (Linux images are what a node runs). */
export function hostPlatform(): Platform {
  const nodeArch = osArch();
  const architecture = nodeArch === 'ppc64' ? (endianness() === 'LE' ? 'ppc64le' : 'ppc64') : (NODE_ARCHITECTURES[nodeArch] ?? nodeArch);
  if (architecture === 'arm') {
    // Node records the ARM level it was built for; it can only run on that level or newer.
    const level = (process.config.variables as Record<string, unknown>)['arm_version'];
    return normalizePlatform({ os: 'linux', architecture, ...(typeof level === 'string' || typeof level === 'number' ? { variant: `v${level}` } : {}) });
  }
  return normalizePlatform({ os: 'linux', architecture });
}
