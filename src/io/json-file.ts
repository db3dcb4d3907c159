// Reads a JSON file another rootlock command wrote (`drift scan --format
// json`, `profile --format json`), for the commands that take it as input.
// Errors name the file, and the line and column when the JSON is broken.
import { readFile } from 'node:fs/promises';
import { load } from 'js-yaml';

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

/** The parsed value of the file at `path`; errors are named `name` (default: the path). */
export async function readJsonFile(path: string, name = path): Promise<unknown> {
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${name}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(source) as unknown;
  } catch (error) {
    // V8 quotes the text around the error, line breaks included: one line reads better in a terminal.
    const message = (error as Error).message.replace(/\r?\n/g, '\\n');
    throw new Error(`${name}${where(source, (error as Error).message)}: not JSON: ${message}`);
  }
}
