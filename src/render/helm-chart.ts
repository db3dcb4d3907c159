// What rootlock reads of a chart besides its rendered output: the user's
// values files (parsed here so a typo is reported with file:line:col before
// helm runs), the chart's default values (and its subcharts', under their
// names), and `helm template` itself, run with the user's values and
// optionally one more values file on top.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { isObject } from '../core/path.js';
import type { JsonObject } from '../core/types.js';
import { runTool } from './external-tool.js';

export interface HelmChartInput {
  /** The chart as given to helm: a directory, a packaged chart or a repo/name reference. */
  chart: string;
  /** --values files, in order (later ones win, as with helm). */
  valuesFiles: readonly string[];
  /** --set arguments, passed through unchanged (helm applies them after every values file). */
  set: readonly string[];
  releaseName?: string;
  namespace?: string;
  cwd: string;
  helmBinary: string;
}

/** A values file that cannot be used: where it went wrong, for the user. */
export class ValuesFileError extends Error {
  constructor(readonly file: string, message: string, readonly line?: number, readonly column?: number) {
    super(`${file}${line !== undefined ? `:${line}:${column ?? 1}` : ''}: ${message}`);
  }
}

/** Parses a values file: a YAML mapping (or empty). */
export function readValuesFile(file: string, cwd: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new ValuesFileError(file, `cannot read the values file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseValuesText(text, file);
}

export function parseValuesText(text: string, file: string): JsonObject {
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const error = document.errors[0];
  if (error) {
    const at = lineColumn(text, error.pos[0]);
    throw new ValuesFileError(file, `not valid YAML: ${error.message.split('\n')[0] ?? error.message}`, at.line, at.column);
  }
  const value: unknown = document.toJS({ maxAliasCount: 1000 });
  if (value === null || value === undefined) return {};
  if (!isObject(value)) {
    const range = document.contents?.range;
    const at = range ? document.contents && lineColumn(text, range[0]) : undefined;
    throw new ValuesFileError(file, 'a values file must be a mapping of keys to values', at?.line, at?.column);
  }
  return value;
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Helm's merge of values: maps merge key by key, anything else replaces, null removes the key. */
export function mergeValues(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else if (isObject(value) && isObject(out[key])) out[key] = mergeValues(out[key] as JsonObject, value);
    else out[key] = value;
  }
  return out;
}

function readChartValues(dir: string): JsonObject {
  const file = join(dir, 'values.yaml');
  if (!existsSync(file)) return {};
  try {
    return parseValuesText(readFileSync(file, 'utf8'), file);
  } catch {
    // A chart's own values that do not parse make helm fail with the reason; nothing to add here.
    return {};
  }
}

/** The subcharts of a chart directory, under the key their values live at (the dependency's alias, else its name). */
function subchartValues(dir: string): JsonObject {
  const out: JsonObject = {};
  const chartsDir = join(dir, 'charts');
  if (!existsSync(chartsDir)) return out;
  let aliases = new Map<string, string>();
  try {
    const chart = parseDocument(readFileSync(join(dir, 'Chart.yaml'), 'utf8')).toJS() as { dependencies?: Array<{ name?: string; alias?: string }> };
    aliases = new Map((chart.dependencies ?? []).filter((d) => d.name && d.alias).map((d) => [d.name as string, d.alias as string]));
  } catch {
    // No dependencies to read: subcharts are keyed by their own names.
  }
  for (const entry of readdirSync(chartsDir)) {
    const sub = join(chartsDir, entry);
    if (!statSync(sub).isDirectory() || !existsSync(join(sub, 'Chart.yaml'))) continue;
    let name = entry;
    try {
      name = String((parseDocument(readFileSync(join(sub, 'Chart.yaml'), 'utf8')).toJS() as { name?: string }).name ?? entry);
    } catch {
      // Keep the folder's name.
    }
    out[aliases.get(name) ?? name] = mergeValues(readChartValues(sub), subchartValues(sub));
  }
  return out;
}

/** The chart's default values with its subcharts' under their keys; `helm show values` for a chart that is not a directory. */
export async function chartDefaultValues(input: HelmChartInput): Promise<JsonObject> {
  const dir = resolve(input.cwd, input.chart);
  if (existsSync(dir) && statSync(dir).isDirectory()) return mergeValues(subchartValues(dir), readChartValues(dir));
  const text = await runTool(input.helmBinary, ['show', 'values', input.chart], { cwd: input.cwd });
  return parseValuesText(text, `${input.chart} (helm show values)`);
}

/** `helm template` with the user's values and then `extraValuesFile`, if given; returns the manifests. */
export function helmTemplate(input: HelmChartInput, extraValuesFile?: string): Promise<string> {
  const args = ['template'];
  if (input.releaseName !== undefined) args.push(input.releaseName);
  args.push(input.chart);
  if (input.namespace !== undefined) args.push('--namespace', input.namespace);
  for (const file of input.valuesFiles) args.push('--values', file);
  if (extraValuesFile !== undefined) args.push('--values', extraValuesFile);
  for (const set of input.set) args.push('--set', set);
  return runTool(input.helmBinary, args, { cwd: input.cwd });
}
