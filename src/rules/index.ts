// The rule registry: one line per rule folder, in the order `rootlock rules`
// lists them, reports show them and policies are generated. Everything else
// about a rule lives in its folder; test/rule-registry.test.ts checks each
// folder's contract and that every folder is listed here.
import type { RuleDefinition } from '../core/rule.js';

const modules = await Promise.all([
  import('./read-only-root-filesystem/rule.js'),
  import('./writable-paths-mounted/rule.js'),
  import('./misplaced-security-context/rule.js'),
  import('./run-as-non-root/rule.js'),
  import('./no-privilege-escalation/rule.js'),
  import('./no-privileged/rule.js'),
  import('./drop-all-capabilities/rule.js'),
  import('./no-added-capabilities/rule.js'),
  import('./no-writable-host-path/rule.js'),
  import('./image-pinned-by-digest/rule.js'),
  import('./no-service-account-token-automount/rule.js'),
  import('./resource-limits/rule.js'),
  import('./seccomp-profile/rule.js'),
  import('./memory-emptydir-size-limit/rule.js'),
  import('./config-from-configmap-or-secret/rule.js'),
  import('./namespace-pod-security/rule.js'),
  import('./configmap-secret-immutable/rule.js'),
]);

export const RULES: readonly RuleDefinition[] = modules.map((module) => module.default);

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((rule) => rule.id));
