// Renders the new values a fix inserts, in the style of the file around
// them. Written here rather than with the `yaml` library's stringify so that
// indentation (mapping width, sequences indented under their key or not, the
// gap after `- `) is exactly the file's, and so that every plain scalar is
// proved to read back as the same value under the Kubernetes YAML 1.1 rules
// (`yes`, `0755`, `1_000` and `0o17` are not strings there) before it is
// written unquoted.
import { load } from 'js-yaml';
import { parse } from 'yaml';
import { isObject } from '../core/path.js';
import { KUBERNETES_SCHEMA } from '../input/kube-yaml.js';

/** Indentation habits of a file, measured by yaml-style.ts. */
export interface BlockStyle {
  /** Columns a nested mapping is indented under its key. */
  mapIndent: number;
  /** Columns the `-` of a sequence is indented under its key (0: `- ` at the key's column). */
  seqIndent: number;
  /** Columns from `-` to the item's content (2 for `- name`). */
  itemIndent: number;
  /** Indent width of pretty-printed JSON. */
  jsonIndent: number;
  eol: '\n' | '\r\n';
}

export type ScalarStyle = 'plain' | 'single' | 'double';

const plainVerdicts = new Map<string, boolean>();

/** Characters a plain scalar may start with, and contain, in block and in flow context. */
const PLAIN_BLOCK = /^[A-Za-z0-9_./$~(^][^\t\r\n]*$/;
const FLOW_INDICATORS = /[,[\]{}]/;

function readsBackAs(text: string, value: string): boolean {
  try {
    return load(text, { schema: KUBERNETES_SCHEMA }) === value
      && parse(text, { version: '1.1' }) === value
      && parse(text, { version: '1.2' }) === value;
  } catch {
    return false;
  }
}

/** True when `value` can be written without quotes and reads back as the same string. */
export function isPlainSafe(value: string, flow: boolean): boolean {
  if (!PLAIN_BLOCK.test(value) || value !== value.trim()) return false;
  if (value.includes(': ') || value.includes(' #') || value.endsWith(':')) return false;
  if (flow && FLOW_INDICATORS.test(value)) return false;
  const key = `${flow ? 'f' : 'b'}${value}`;
  let verdict = plainVerdicts.get(key);
  if (verdict === undefined) {
    verdict = readsBackAs(value, value);
    if (plainVerdicts.size > 10_000) plainVerdicts.clear();
    plainVerdicts.set(key, verdict);
  }
  return verdict;
}

function singleQuoted(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * A scalar as YAML text. Strings are plain when that is safe, otherwise
 * double-quoted with JSON escapes (a JSON string is a valid YAML
 * double-quoted scalar); `prefer` keeps the quoting of the value it replaces.
 */
export function renderScalar(value: unknown, options: { flow?: boolean; json?: boolean; prefer?: ScalarStyle } = {}): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write the number ${value}`);
    return JSON.stringify(value);
  }
  if (typeof value !== 'string') throw new Error(`cannot write ${typeof value} as a scalar`);
  if (options.json) return JSON.stringify(value);
  const oneLine = !/[\r\n]/.test(value);
  if (options.prefer === 'single' && oneLine && /^[^\x00-\x1f\x7f]*$/.test(value)) return singleQuoted(value);
  if (options.prefer === 'double') return JSON.stringify(value);
  return isPlainSafe(value, options.flow ?? false) ? value : JSON.stringify(value);
}

function isEmptyCollection(value: unknown): boolean {
  return (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);
}

function isBlockCollection(value: unknown): boolean {
  return (Array.isArray(value) || isObject(value)) && !isEmptyCollection(value);
}

/** A value on one line, in flow style: `{a: 1, b: [x, y]}`, or JSON when `json`. */
export function renderFlow(value: unknown, json: boolean): string {
  if (Array.isArray(value)) return `[${value.map((item) => renderFlow(item, json)).join(', ')}]`;
  if (isObject(value)) {
    return `{${Object.entries(value).map(([key, item]) => `${renderScalar(key, { flow: true, json })}: ${renderFlow(item, json)}`).join(', ')}}`;
  }
  return renderScalar(value, { flow: true, json });
}

/** Pretty JSON whose first line starts at the cursor and whose other lines are indented from `column`. */
export function renderJsonPretty(value: unknown, column: number, style: BlockStyle): string {
  const lines = JSON.stringify(value, null, style.jsonIndent).split('\n');
  const pad = ' '.repeat(column);
  return lines.map((line, i) => (i === 0 ? line : pad + line)).join(style.eol);
}

function pad(column: number): string {
  return ' '.repeat(column);
}

/** What follows `key:` or `- ` for a value that fits on that line. */
function inline(value: unknown, prefer?: ScalarStyle): string {
  if (isEmptyCollection(value)) return Array.isArray(value) ? '[]' : '{}';
  return renderScalar(value, prefer ? { prefer } : {});
}

/** Lines of a block mapping whose keys start at `column`. */
export function renderMappingLines(value: Record<string, unknown>, column: number, style: BlockStyle): string[] {
  return Object.entries(value).flatMap(([key, item]) => renderPairLines(key, item, column, style));
}

/** Lines of `key: value` with the key at `column`; collections go below the key. */
export function renderPairLines(key: string, value: unknown, column: number, style: BlockStyle): string[] {
  const head = `${pad(column)}${renderScalar(key)}:`;
  if (!isBlockCollection(value)) return [`${head} ${inline(value)}`];
  return [head, ...renderBlockLines(value, column, style)];
}

/** Lines of a block collection that is the value of a key at `keyColumn`. */
export function renderBlockLines(value: unknown, keyColumn: number, style: BlockStyle): string[] {
  if (Array.isArray(value)) return renderSequenceLines(value, keyColumn + style.seqIndent, style);
  return renderMappingLines(value as Record<string, unknown>, keyColumn + style.mapIndent, style);
}

/** Lines of a block sequence whose `-` is at `dashColumn`. */
export function renderSequenceLines(items: readonly unknown[], dashColumn: number, style: BlockStyle): string[] {
  return items.flatMap((item) => renderItemLines(item, dashColumn, style));
}

/** Lines of one sequence item: `- value`, or a collection that starts on the dash line. */
export function renderItemLines(item: unknown, dashColumn: number, style: BlockStyle): string[] {
  const contentColumn = dashColumn + style.itemIndent;
  const dash = `${pad(dashColumn)}-${pad(style.itemIndent - 1)}`;
  if (!isBlockCollection(item)) return [`${dash}${inline(item)}`];
  const lines = Array.isArray(item) ? renderSequenceLines(item, contentColumn, style) : renderMappingLines(item as Record<string, unknown>, contentColumn, style);
  lines[0] = dash + (lines[0] as string).slice(contentColumn);
  return lines;
}

/**
 * A value that starts after `key:` or `- ` on the current line (a scalar or
 * an empty collection), or undefined when it needs lines of its own.
 */
export function renderInline(value: unknown, prefer?: ScalarStyle): string | undefined {
  return isBlockCollection(value) ? undefined : inline(value, prefer);
}
