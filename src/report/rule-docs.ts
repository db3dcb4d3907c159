// Rule documentation generated from rule metadata: docs/rules/<id>.md and the
// `rootlock rules` listing. A test fails when the checked-in pages are stale.
import type { RuleDefinition } from '../core/rule.js';

export function ruleDocPage(rule: RuleDefinition): string {
  const lines = [
    `# ${rule.id}`,
    '',
    '<!-- Generated from the rule metadata by `npm run docs:rules`; do not edit. -->',
    '',
    `- **Default severity:** ${rule.severity}`,
    `- **Fixable by \`rootlock fix\`:** ${rule.fixable ? 'yes' : 'no'}`,
    ...(rule.checklist ? [`- **Checklist item:** ${rule.checklist}`] : []),
    '',
    `${rule.docs.summary}.`,
    '',
    '## Why it matters',
    '',
    rule.docs.rationale,
    '',
    '## How to fix',
    '',
    rule.docs.remediation,
    '',
    '## Exempting',
    '',
    `Annotate the object with \`rootlock.dev/ignore: "${rule.id}"\` (or \`rootlock.dev/ignore.<container>\` for one container) and give a \`rootlock.dev/ignore-reason\`, or add an exemption to \`.rootlock.yaml\`.`,
  ];
  if (rule.docs.references?.length) {
    lines.push('', '## References', '', ...rule.docs.references.map((r) => `- ${r}`));
  }
  return lines.join('\n') + '\n';
}

export function rulesIndexPage(rules: readonly RuleDefinition[]): string {
  const lines = [
    '# Rules',
    '',
    '<!-- Generated from the rule metadata by `npm run docs:rules`; do not edit. -->',
    '',
    '| id | default severity | fixable | what it reports |',
    '|---|---|---|---|',
    ...rules.map((r) => `| [${r.id}](${r.id}.md) | ${r.severity} | ${r.fixable ? 'yes' : 'no'} | ${r.docs.summary} |`),
  ];
  return lines.join('\n') + '\n';
}
