// Builds the generated parts of the Helm chart (`npm run chart`): the policies
// of `rootlock policy` for each engine and action (files/policies), a copy of
// deploy/crds (files/crds: helm reads only files inside the chart), and the
// values table of README.md from values.schema.json. test/chart/generated.test.ts
// fails when any of them differs from what this prints now.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPolicy } from '../../src/cli/policy-command.js';
import { writeFileAtomic } from '../../src/io/atomic-write.js';

export const CHART_POLICY_ENGINES = ['gatekeeper', 'kyverno', 'vap'] as const;
export const CHART_POLICY_ACTIONS = ['deny', 'warn', 'audit'] as const;
const VALUES_BEGIN = '<!-- values: generated from values.schema.json by npm run chart; do not edit -->';
const VALUES_END = '<!-- end of values -->';

/** The repository root: the folder above this file (compiled or not) that has package.json. */
export function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

export function chartDir(root = repositoryRoot()): string {
  return join(root, 'deploy', 'chart');
}

/** What `rootlock policy <engine> --action <action>` prints on standard output. */
export async function policyText(engine: string, action: (typeof CHART_POLICY_ACTIONS)[number]): Promise<string> {
  let out = '';
  let err = '';
  const code = await runPolicy(engine, { action }, { stdout: (t) => { out += t; }, stderr: (t) => { err += t; } });
  if (code !== 0) throw new Error(`rootlock policy ${engine} --action ${action} exited ${code}: ${err}`);
  return out;
}

/** Every generated file of the chart, by path relative to the chart, except README.md. */
export async function generatedFiles(root = repositoryRoot()): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const engine of CHART_POLICY_ENGINES) {
    for (const action of CHART_POLICY_ACTIONS) files.set(`files/policies/${engine}-${action}.yaml`, await policyText(engine, action));
  }
  const crds = join(root, 'deploy', 'crds');
  for (const name of readdirSync(crds).filter((n) => n.endsWith('.yaml')).sort()) files.set(`files/crds/${name}`, readFileSync(join(crds, name), 'utf8'));
  return files;
}

interface SchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
}

/** One row per value: objects whose keys are listed (additionalProperties false) are walked, the rest are leaves. */
function valueRows(node: SchemaNode, prefix: string, rows: string[]): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (child.properties && child.type === 'object' && child.default === undefined) {
      rows.push(`| **\`${path}\`** | | | ${cell(child.description ?? '')} |`);
      valueRows(child, path, rows);
      continue;
    }
    const type = Array.isArray(child.type) ? child.type.join(' or ') : child.type ?? '';
    const choices = child.enum ? ` One of ${child.enum.map((e) => `\`${String(e)}\``).join(', ')}.` : '';
    rows.push(`| \`${path}\` | ${type} | \`${cell(JSON.stringify(child.default))}\` | ${cell((child.description ?? '') + choices)} |`);
  }
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The values section of README.md, markers included. */
export function valuesSection(schema: SchemaNode): string {
  const rows = ['| value | type | default | what it does |', '| --- | --- | --- | --- |'];
  valueRows(schema, '', rows);
  return `${VALUES_BEGIN}\n\n${rows.join('\n')}\n\n${VALUES_END}`;
}

/** README.md with its values section replaced by the one the schema gives. */
export function readmeWithValues(readme: string, schema: SchemaNode): string {
  const begin = readme.indexOf(VALUES_BEGIN);
  const end = readme.indexOf(VALUES_END);
  if (begin < 0 || end < begin) throw new Error(`deploy/chart/README.md has no values section (the lines "${VALUES_BEGIN}" and "${VALUES_END}")`);
  return readme.slice(0, begin) + valuesSection(schema) + readme.slice(end + VALUES_END.length);
}

export function readSchema(root = repositoryRoot()): SchemaNode {
  return JSON.parse(readFileSync(join(chartDir(root), 'values.schema.json'), 'utf8')) as SchemaNode;
}

async function main(): Promise<void> {
  const root = repositoryRoot();
  const dir = chartDir(root);
  for (const [path, text] of await generatedFiles(root)) await writeFileAtomic(join(dir, path), text, { create: true });
  const readmePath = join(dir, 'README.md');
  await writeFileAtomic(readmePath, readmeWithValues(readFileSync(readmePath, 'utf8'), readSchema(root)), { create: true });
  process.stdout.write(`wrote ${dir}: files/policies, files/crds, README.md values\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  });
}
