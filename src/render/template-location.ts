// Where in a chart a change no value reaches belongs: the template helm's
// `# Source:` comment names, and in it the first line that mentions the field
// (or, failing that, the mapping or list the field lives in).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Path } from '../core/types.js';

export interface TemplateLocation {
  /** The template, relative to the working directory when the chart is a directory there. */
  file: string;
  line?: number;
  /** The word found on that line. */
  field?: string;
}

/** Fields every pod template has: a line naming them says nothing about where a change belongs. */
const STRUCTURAL = new Set(['spec', 'template', 'metadata', 'jobTemplate', 'containers', 'initContainers']);

/** `chart/templates/x.yaml` (or `chart/charts/sub/templates/x.yaml`) -> that file inside the chart directory, as the user spelled the chart. */
export function templateFile(chartDir: string, helmSource: string): string {
  const inside = helmSource.split('/').slice(1).join('/');
  return join(chartDir, inside);
}

function firstMention(file: string, fields: readonly string[]): { line: number; field: string } | undefined {
  const lines = readFileSync(file, 'utf8').split('\n');
  for (const field of fields) {
    const pattern = new RegExp(`\\b${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);
    const index = lines.findIndex((line) => pattern.test(line));
    if (index >= 0) return { line: index + 1, field };
  }
  return undefined;
}

/**
 * The template line for a change: the first mention of the field in the template, innermost field first;
 * failing that, in the helper templates (`_*.tpl`) beside it, where charts often keep the pod spec.
 */
export function locateInTemplate(chartDir: string | undefined, helmSource: string | undefined, path: Path, cwd: string, container?: string): TemplateLocation | undefined {
  if (helmSource === undefined) return undefined;
  if (chartDir === undefined) return { file: helmSource };
  const shown = templateFile(chartDir, helmSource);
  const file = resolve(cwd, shown);
  if (!existsSync(file)) return { file: shown };
  const fields = path.filter((segment): segment is string => typeof segment === 'string' && !STRUCTURAL.has(segment)).reverse();
  const here = firstMention(file, fields);
  if (here) return { file: shown, ...here };
  // Helpers live in the chart's templates/ folder (the template may be in a subfolder of it).
  const templatesDir = join(resolve(cwd, chartDir), helmSource.split('/').slice(1, -1).join('/'));
  for (const dir of [dirname(file), templatesDir]) {
    for (const name of existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('_') && n.endsWith('.tpl')).sort() : []) {
      const found = firstMention(join(dir, name), fields);
      if (found) return { file: join(dirname(shown), name), ...found };
    }
  }
  // No mention of the field anywhere: the container it belongs to is where it would be added.
  if (container !== undefined) {
    const lines = readFileSync(file, 'utf8').split('\n');
    const index = lines.findIndex((line) => new RegExp(`name:\\s*["']?${container.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*$`).test(line));
    if (index >= 0) return { file: shown, line: index + 1, field: `container ${container}` };
  }
  return { file: shown };
}
