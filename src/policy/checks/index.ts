// The admission checks, keyed by rule id, and the rules that have none with
// the reason. A guard test holds this list to src/rules/index.ts: every rule
// is either here or explained.
import { configmapSecretImmutable } from './configmap-secret-immutable.js';
import { configFromConfigmapOrSecret } from './config-from-configmap-or-secret.js';
import { dropAllCapabilities } from './drop-all-capabilities.js';
import { imagePinnedByDigest } from './image-pinned-by-digest.js';
import { noAddedCapabilities } from './no-added-capabilities.js';
import { noPrivilegeEscalation } from './no-privilege-escalation.js';
import { noPrivileged } from './no-privileged.js';
import { memoryEmptydirSizeLimit } from './memory-emptydir-size-limit.js';
import { noWritableHostPath } from './no-writable-host-path.js';
import { noServiceAccountTokenAutomount } from './no-service-account-token-automount.js';
import { readOnlyRootFilesystem } from './read-only-root-filesystem.js';
import { resourceLimits } from './resource-limits.js';
import { runAsNonRoot } from './run-as-non-root.js';
import { seccompProfile } from './seccomp-profile.js';
import { writablePathsMounted } from './writable-paths-mounted.js';
import type { AdmissionCheck } from './types.js';

export type { AdmissionCheck } from './types.js';

export const ADMISSION_CHECKS: readonly AdmissionCheck[] = [
  readOnlyRootFilesystem,
  runAsNonRoot,
  noPrivilegeEscalation,
  noPrivileged,
  dropAllCapabilities,
  noAddedCapabilities,
  imagePinnedByDigest,
  noServiceAccountTokenAutomount,
  resourceLimits,
  seccompProfile,
  noWritableHostPath,
  memoryEmptydirSizeLimit,
  configmapSecretImmutable,
  writablePathsMounted,
  configFromConfigmapOrSecret,
];

/** Rules without an admission check, and why. */
export const NOT_AT_ADMISSION: ReadonlyMap<string, string> = new Map([
  ['misplaced-security-context',
    'the API server drops container-only fields from the pod securityContext when it decodes the object, so no ' +
    'admission policy ever sees them; kubectl --validate=strict (the default) rejects them before they are sent'],
  ['namespace-pod-security', 'applies to Namespaces: `rootlock policy psa` writes the Pod Security labels and `--check` audits them'],
]);

export function admissionCheck(rule: string): AdmissionCheck | undefined {
  return ADMISSION_CHECKS.find((check) => check.rule === rule);
}
