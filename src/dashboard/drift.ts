// Reads `rootlock drift scan --format json` output for the HTML report
// (`audit --format html --drift FILE`) and keeps what the page shows. The
// file is checked for the shape the scan writes; anything else is an error
// that names the file, and the line and column when JSON.parse gives one.
import { readFile } from 'node:fs/promises';
import { load } from 'js-yaml';
import { isObject } from '../core/path.js';

export interface DriftView {
  hostname: string;
  time: string;
  containers: Array<{
    namespace: string;
    pod: string;
    container: string;
    image: string;
    changes: Array<{ path: string; kind: string; class: string; priority: string; suppressed: boolean }>;
    processes: Array<{ pid: number; exe: string; command: string; reason: string; priority: string }>;
    problems: string[];
  }>;
  problems: string[];
}

const text = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * `:line:column` of a JSON syntax error. Node 20's JSON.parse does not always
 * say where; js-yaml (a dependency already) reads JSON too and marks the spot.
 */
function where(source: string, message: string): string {
  const match = /position (\d+)/.exec(message);
  if (match) {
    const before = source.slice(0, Number(match[1]));
    return `:${before.split('\n').length}:${before.length - before.lastIndexOf('\n')}`;
  }
  try {
    load(source, { json: true });
  } catch (error) {
    const mark = (error as { mark?: { line: number; column: number } }).mark;
    if (mark) return `:${mark.line + 1}:${mark.column + 1}`;
  }
  return '';
}

export async function readDriftFile(path: string): Promise<DriftView> {
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    // V8 quotes the text around the error, line breaks included: one line reads better in a terminal.
    const message = (error as Error).message.replace(/\r?\n/g, '\\n');
    throw new Error(`${path}${where(source, (error as Error).message)}: not JSON: ${message}`);
  }
  if (!isObject(value) || !Array.isArray(value['containers']) || !isObject(value['tool']) || value['tool']['name'] !== 'rootlock') {
    throw new Error(`${path}: not the output of \`rootlock drift scan --format json\` (an object with "tool" and "containers")`);
  }
  return {
    hostname: text(value['hostname']),
    time: text(value['time']),
    problems: list(value['problems']).map(text),
    containers: value['containers'].filter(isObject).map((container) => {
      const identity = isObject(container['identity']) ? container['identity'] : {};
      return {
        namespace: text(identity['podNamespace']),
        pod: text(identity['podName']),
        container: text(identity['containerName'] ?? identity['containerId']),
        image: text(identity['image']),
        changes: list(container['changes']).filter(isObject).map((change) => ({
          path: text(change['path']),
          kind: text(change['kind']),
          class: text(change['class']),
          priority: text(change['priority']),
          suppressed: change['suppressed'] !== undefined,
        })),
        processes: list(container['processes']).filter(isObject).map((process) => ({
          pid: typeof process['pid'] === 'number' ? process['pid'] : 0,
          exe: text(process['exe']),
          command: text(process['command']),
          reason: text(process['reason']),
          priority: text(process['priority']),
        })),
        problems: list(container['problems']).map(text),
      };
    }),
  };
}
