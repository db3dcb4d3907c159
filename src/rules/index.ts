// The rule registry: one import and one entry per rule folder, in the order `rootlock rules`
// lists them, reports show them and policies are generated. Everything else
// about a rule lives in its folder; test/rule-registry.test.ts checks each
// folder's contract and that every folder is listed here.
import type { RuleDefinition } from '../core/rule.js';

import readOnlyRootFilesystem from './read-only-root-filesystem/rule.js';
import writablePathsMounted from './writable-paths-mounted/rule.js';
import misplacedSecurityContext from './misplaced-security-context/rule.js';
import runAsNonRoot from './run-as-non-root/rule.js';
import noPrivilegeEscalation from './no-privilege-escalation/rule.js';
import noPrivileged from './no-privileged/rule.js';
import dropAllCapabilities from './drop-all-capabilities/rule.js';
import noAddedCapabilities from './no-added-capabilities/rule.js';
import noWritableHostPath from './no-writable-host-path/rule.js';
import imagePinnedByDigest from './image-pinned-by-digest/rule.js';
import noServiceAccountTokenAutomount from './no-service-account-token-automount/rule.js';
import resourceLimits from './resource-limits/rule.js';
import seccompProfile from './seccomp-profile/rule.js';
import memoryEmptydirSizeLimit from './memory-emptydir-size-limit/rule.js';
import configFromConfigmapOrSecret from './config-from-configmap-or-secret/rule.js';
import namespacePodSecurity from './namespace-pod-security/rule.js';
import configmapSecretImmutable from './configmap-secret-immutable/rule.js';

export const RULES: readonly RuleDefinition[] = [
  readOnlyRootFilesystem,
  writablePathsMounted,
  misplacedSecurityContext,
  runAsNonRoot,
  noPrivilegeEscalation,
  noPrivileged,
  dropAllCapabilities,
  noAddedCapabilities,
  noWritableHostPath,
  imagePinnedByDigest,
  noServiceAccountTokenAutomount,
  resourceLimits,
  seccompProfile,
  memoryEmptydirSizeLimit,
  configFromConfigmapOrSecret,
  namespacePodSecurity,
  configmapSecretImmutable,
];

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((rule) => rule.id));
