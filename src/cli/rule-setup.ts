// What every command that runs rules does first: check the rule ids given on
// the command line, load .rootlock.yaml (errors name file:line:column), and
// pick the rules to run.
import type { CliIO } from './io.js';
import type { RootlockConfig } from '../core/config.js';
import type { RuleDefinition } from '../core/rule.js';

export interface RuleSelectionFlags {
  /** A config path, or false for --no-config. */
  config?: string | false;
  rules?: string[];
  disableRules?: string[];
}

export interface RuleSetup {
  rules: readonly RuleDefinition[];
  config: RootlockConfig;
  configFile?: string;
}

/** Undefined after printing why (the caller exits 2). */
export async function setupRules(flags: RuleSelectionFlags, io: CliIO): Promise<RuleSetup | undefined> {
  const { RULES, RULE_IDS } = await import('../rules/index.js');
  const { loadConfig } = await import('../app/config-file.js');
  const { emptyConfig } = await import('../core/config.js');
  const { displayName } = await import('../input/sources.js');
  const cwd = io.cwd ?? process.cwd();
  const unknown = [...(flags.rules ?? []), ...(flags.disableRules ?? [])].find((id) => !RULE_IDS.has(id));
  if (unknown !== undefined) {
    io.stderr(`rootlock: unknown rule "${unknown}" (see rootlock rules)\n`);
    return undefined;
  }
  const loaded = flags.config === false
    ? { config: emptyConfig(), errors: [] }
    : await loadConfig({ cwd, ...(typeof flags.config === 'string' ? { explicit: flags.config } : {}), knownRules: RULE_IDS });
  if (loaded.errors.length) {
    for (const e of loaded.errors) io.stderr(`rootlock: ${displayName(e.file, cwd)}${e.line ? `:${e.line}:${e.column}` : ''}: ${e.message} [${e.code}]\n`);
    return undefined;
  }
  const rules = RULES.filter((rule) => (!flags.rules || flags.rules.includes(rule.id)) && !flags.disableRules?.includes(rule.id));
  return { rules, config: loaded.config, ...('file' in loaded && loaded.file ? { configFile: loaded.file } : {}) };
}
