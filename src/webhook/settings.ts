// What one webhook process enforces: the rules, the loaded .rootlock.yaml and
// the mode. The server swaps the whole object when the config reloads, so a
// request always sees one consistent version.
import type { RootlockConfig } from '../core/config.js';
import type { RuleDefinition } from '../core/rule.js';
import type { Severity } from '../core/types.js';

export type WebhookMode = 'enforce' | 'warn' | 'audit';
export const WEBHOOK_MODES: readonly WebhookMode[] = ['enforce', 'warn', 'audit'];

/** The rules that may deny by default in enforce mode: those whose enforcement is deny (see Enforcement). */
export function defaultDenyRules(rules: readonly RuleDefinition[]): string[] {
  return rules.filter((rule) => rule.enforcement === 'deny').map((rule) => rule.id);
}

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
