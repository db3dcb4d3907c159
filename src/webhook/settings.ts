// What one webhook process enforces: the rules, the loaded .rootlock.yaml and
// the mode. The server swaps the whole object when the config reloads, so a
// request always sees one consistent version.
import type { RootlockConfig } from '../core/config.js';
import type { RuleDefinition } from '../core/rule.js';
import type { Severity } from '../core/types.js';

export type WebhookMode = 'enforce' | 'warn' | 'audit';
export const WEBHOOK_MODES: readonly WebhookMode[] = ['enforce', 'warn', 'audit'];

/**
 * The rules whose findings make a workload mutable in the seed's sense: a
 * writable root filesystem, writable paths without a volume, settings that
 * let a process regain write access. Enforce mode denies on these by default;
 * every other finding is returned as a warning, so a cluster can adopt the
 * webhook without first settling capabilities, uids and limits everywhere.
 */
export const DEFAULT_DENY_RULES: readonly string[] = [
  'read-only-root-filesystem',
  'writable-paths-mounted',
  'misplaced-security-context',
  'no-privilege-escalation',
  'no-privileged',
  'no-writable-host-path',
];

export interface WebhookSettings {
  rules: readonly RuleDefinition[];
  config: RootlockConfig;
  mode: WebhookMode;
  /** Findings at or above this severity from `denyRules` deny in enforce mode. */
  failOn: Severity;
  /** Rule ids that may deny, or 'all'. */
  denyRules: ReadonlySet<string> | 'all';
  /** Today (YYYY-MM-DD) for exemption expiry: the front end reads the clock, the core never does. */
  today: () => string;
}
