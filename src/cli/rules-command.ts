import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CliIO } from './io.js';
import { EXIT_OK } from './io.js';

export async function runRules(flags: { format: 'text' | 'json' | 'markdown'; writeDocs?: string }, io: CliIO): Promise<number> {
  const { RULES } = await import('../rules/index.js');
  const { ruleDocPage, rulesIndexPage } = await import('../report/rule-docs.js');
  if (flags.writeDocs) {
    const dir = resolve(io.cwd ?? process.cwd(), flags.writeDocs);
    await mkdir(dir, { recursive: true });
    const { loadAdmissionChecks } = await import('../policy/admission-checks.js');
    const checks = await loadAdmissionChecks();
    for (const rule of RULES) await writeFile(join(dir, `${rule.id}.md`), ruleDocPage(rule, checks));
    await writeFile(join(dir, 'README.md'), rulesIndexPage(RULES));
    io.stdout(`wrote ${RULES.length} rule pages to ${flags.writeDocs}\n`);
    return EXIT_OK;
  }
  if (flags.format === 'json') {
    io.stdout(JSON.stringify(RULES.map((r) => ({ id: r.id, severity: r.severity, fixable: r.fixable, ...r.docs })), null, 2) + '\n');
  } else if (flags.format === 'markdown') {
    io.stdout(rulesIndexPage(RULES));
  } else {
    const width = Math.max(...RULES.map((r) => r.id.length));
    for (const rule of RULES) io.stdout(`${rule.id.padEnd(width)}  ${rule.severity.padEnd(7)}  ${rule.fixable ? 'fix' : '   '}  ${rule.docs.summary}\n`);
  }
  return EXIT_OK;
}
