// The HTML report's scores worked out again from the JSON report of the same
// input and the rules' metadata, the way docs/html-report.md states them,
// so the browser tests compare the page against an independent computation.
import { RULES } from '../../src/rules/index.js';
import type { AuditReport } from '../../src/report/model.js';

const WEIGHT = { error: 3, warning: 2, info: 1 } as const;

/**
 * Overall and per-namespace scores. Workloads without checklist findings
 * meet every item (100); the JSON report does not list them, so the overall
 * score counts `summary.workloads` and a namespace's score counts the clean
 * workloads the caller knows of (`cleanByNamespace`).
 */
export function expectedScores(report: AuditReport, cleanByNamespace: Record<string, number> = {}): { overall: number; namespaces: Map<string, number> } {
  const weights = new Map<string, number>();
  for (const rule of RULES) if (rule.checklist) weights.set(rule.checklist, Math.max(weights.get(rule.checklist) ?? 0, WEIGHT[rule.severity]));
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  const checklistOf = new Map(RULES.filter((rule) => rule.checklist).map((rule) => [rule.id, rule.checklist as string]));
  const missed = new Map<string, { namespace: string; items: Set<string> }>();
  for (const finding of report.findings) {
    const item = checklistOf.get(finding.rule);
    if (item === undefined || finding.exempted) continue;
    const key = `${finding.file}|${finding.documentIndex}|${finding.object.kind}|${finding.object.namespace ?? ''}|${finding.object.name}`;
    const entry = missed.get(key) ?? { namespace: finding.object.namespace ?? '', items: new Set<string>() };
    entry.items.add(item);
    missed.set(key, entry);
  }
  const score = (items: Set<string>) => (100 * (total - [...items].reduce((sum, item) => sum + (weights.get(item) ?? 0), 0))) / total;
  let sum = 0;
  const perNamespace = new Map<string, { sum: number; count: number }>();
  for (const { namespace, items } of missed.values()) {
    const s = score(items);
    sum += s;
    const row = perNamespace.get(namespace) ?? { sum: 0, count: 0 };
    row.sum += s;
    row.count++;
    perNamespace.set(namespace, row);
  }
  for (const [namespace, clean] of Object.entries(cleanByNamespace)) {
    const row = perNamespace.get(namespace) ?? { sum: 0, count: 0 };
    row.sum += 100 * clean;
    row.count += clean;
    perNamespace.set(namespace, row);
  }
  const clean = report.summary.workloads - missed.size;
  const overall = Math.round((sum + 100 * clean) / report.summary.workloads);
  return { overall, namespaces: new Map([...perNamespace].map(([name, row]) => [name, Math.round(row.sum / row.count)])) };
}
