// The score the HTML report shows: for each workload, the share of the CKS
// study guide's immutability checklist it meets, each item weighted by the
// severity of its rules. The same numbers are explained in the page and in
// docs/html-report.md, so keep the three in step.
import type { RuleDefinition } from '../core/rule.js';
import { severityRank } from '../core/types.js';

export interface ChecklistItem {
  /** The item as the study guide words it. */
  text: string;
  /** Rules that check it (two rules share "All capabilities dropped"). */
  rules: string[];
  /** 3 when one of its rules is an error by default, 2 for a warning, 1 for info. */
  weight: number;
}

/** The checklist items of the rules that run, in rule order; an item no running rule checks is left out. */
export function checklistItems(rules: readonly RuleDefinition[]): ChecklistItem[] {
  const items = new Map<string, ChecklistItem>();
  for (const rule of rules) {
    if (rule.checklist === undefined) continue;
    const item = items.get(rule.checklist) ?? { text: rule.checklist, rules: [], weight: 0 };
    item.rules.push(rule.id);
    item.weight = Math.max(item.weight, severityRank(rule.severity));
    items.set(rule.checklist, item);
  }
  return [...items.values()];
}

/** Which item (index into checklistItems) each rule counts against. */
export function itemOfRule(items: readonly ChecklistItem[]): Map<string, number> {
  const byRule = new Map<string, number>();
  items.forEach((item, index) => item.rules.forEach((rule) => byRule.set(rule, index)));
  return byRule;
}

/**
 * 0 to 100: the weight of the items met over the weight of all items. An item
 * is missed when the workload has a finding of one of its rules that is not
 * exempted; `missed` has bit i set for item i.
 */
export function workloadScore(items: readonly ChecklistItem[], missed: number): number {
  let total = 0;
  let met = 0;
  items.forEach((item, index) => {
    total += item.weight;
    if ((missed & (1 << index)) === 0) met += item.weight;
  });
  return total === 0 ? 100 : (100 * met) / total;
}

/** The mean of workload scores: every workload counts the same, however many containers or findings it has. */
export class ScoreMean {
  private sum = 0;
  count = 0;
  add(score: number): void {
    this.sum += score;
    this.count++;
  }
  /** Rounded to a whole number; undefined when nothing was added. */
  get value(): number | undefined {
    return this.count === 0 ? undefined : Math.round(this.sum / this.count);
  }
}
