// A rule's contract: what its folder must hold and declare so that nothing
// outside the folder needs to know the rule (ESLint's checkRuleFiles,
// kube-linter's per-check guard). The registry test applies it to every
// folder; its own test shows it catches each missing part.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { hasAdmissionForm } from '../../src/core/admission.js';
import type { AdmissionForm } from '../../src/core/admission.js';
import type { RuleDefinition } from '../../src/core/rule.js';

/** What the folder `src/rules/<id>` holds, as the contract reads it. */
export interface RuleFolder {
  id: string;
  files: ReadonlySet<string>;
  /** The admission form the rule's loader gave, when it has one. */
  admissionForm?: AdmissionForm;
}

const ENFORCEMENTS: ReadonlySet<string> = new Set(['deny', 'warn']);

/** Every way `rule` breaks the contract of its folder; empty when it keeps it. */
export function contractProblems(rule: RuleDefinition, folder: RuleFolder): string[] {
  const problems: string[] = [];
  const need = (file: string, why: string): void => {
    if (!folder.files.has(file)) problems.push(`${folder.id}/${file} is missing (${why})`);
  };
  if (rule.id !== folder.id) problems.push(`${folder.id}/rule.ts defines rule "${rule.id}": the id must be the folder's name`);
  need('rule.ts', 'the check');
  need('rule.test.ts', 'its tests');
  need('fixtures/pass.yaml', 'objects the rule passes');
  need('fixtures/fail.yaml', 'objects the rule reports');
  if (rule.fixable) need('fixtures/fixed.yaml', 'what rootlock fix makes of fail.yaml');
  if (!ENFORCEMENTS.has(rule.enforcement)) problems.push(`${folder.id}: enforcement must be deny or warn, not ${JSON.stringify(rule.enforcement)}`);
  const admission = rule.admission as RuleDefinition['admission'] | undefined;
  if (admission === undefined) {
    problems.push(`${folder.id}: no admission form (admission.ts) and no reason why admission cannot enforce it`);
  } else if (hasAdmissionForm(admission)) {
    need('admission.ts', 'the Rego and CEL form of the rule');
    const form = folder.admissionForm;
    if (!form?.message || !form.celOk || form.regoFails.length === 0) problems.push(`${folder.id}: the admission form needs a message, Rego and CEL`);
  } else {
    if (!admission.none.trim()) problems.push(`${folder.id}: says admission cannot enforce it without saying why`);
    if (folder.files.has('admission.ts')) problems.push(`${folder.id}: has an admission.ts but declares no admission form`);
  }
  const safety = rule.fixSafety;
  if (!rule.fixable && !safety?.manualReason) problems.push(`${folder.id}: a rule rootlock fix cannot fix must say why a person has to (fixSafety.manualReason)`);
  if (safety?.optIn !== undefined && !rule.fixable) problems.push(`${folder.id}: an opt-in fix for a rule that offers no fix`);
  return problems;
}

/** The folder as it is on disk. */
export function readRuleFolder(rulesDir: string, id: string, admissionForm?: AdmissionForm): RuleFolder {
  const files = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else files.add(relative(join(rulesDir, id), full));
    }
  };
  walk(join(rulesDir, id));
  return { id, files, ...(admissionForm ? { admissionForm } : {}) };
}

/**
 * Product source files (not tests) outside `src/rules/<id>/` that write a
 * rule's id as a string literal: a rule known by name elsewhere is a second
 * home for it. The registry file lists folders, not ids.
 */
export function idsNamedOutsideTheirFolder(srcDir: string, ids: readonly string[]): string[] {
  const found: string[] = [];
  const literal = new RegExp(`(['"\`])(${ids.map((id) => id.replace(/[-]/g, '\\-')).join('|')})\\1`, 'g');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) {
        walk(full);
        continue;
      }
      if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
      const path = relative(srcDir, full);
      for (const match of readFileSync(full, 'utf8').matchAll(literal)) {
        const id = match[2] as string;
        if (!path.startsWith(join('rules', id) + '/')) found.push(`src/${path}: '${id}'`);
      }
    }
  };
  if (existsSync(srcDir)) walk(srcDir);
  return found;
}
