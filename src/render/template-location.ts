// Where in a chart a change no value reaches belongs: the template helm's
// `# Source:` comment names, and in it the first line that mentions the field
// (or, failing that, the mapping or list the field lives in).
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Path } from '../core/types.js';

export interface TemplateLocation {
  /** The template, relative to the working directory when the chart is a directory there. */
  file: string;
  line?: number;
  /** The word found on that line. */
  field?: string;
}

/** `chart/templates/x.yaml` (or `chart/charts/sub/templates/x.yaml`) -> that file inside the chart directory. */
export function templateFile(chartDir: string, helmSource: string): string {
  const inside = helmSource.split('/').slice(1).join('/');
  return join(chartDir, inside);
}

export function locateInTemplate(chartDir: string | undefined, helmSource: string | undefined, path: Path, cwd: string): TemplateLocation | undefined {
  if (helmSource === undefined) return undefined;
  if (chartDir === undefined) return { file: helmSource };
  const file = templateFile(resolve(cwd, chartDir), helmSource);
  const shown = relative(cwd, file) || file;
  if (!existsSync(file)) return { file: shown };
  const lines = readFileSync(file, 'utf8').split('\n');
  // The field itself first, then each enclosing field, innermost first.
  const fields = path.filter((segment): segment is string => typeof segment === 'string').reverse();
  for (const field of fields) {
    const pattern = new RegExp(`\\b${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);
    const index = lines.findIndex((line) => pattern.test(line));
    if (index >= 0) return { file: shown, line: index + 1, field };
  }
  return { file: shown };
}
