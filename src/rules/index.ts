// The rule registry. A guard test checks that every folder under src/rules is listed here.
import type { RuleDefinition } from '../core/rule.js';
import readOnlyRootFilesystem from './read-only-root-filesystem/rule.js';
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
