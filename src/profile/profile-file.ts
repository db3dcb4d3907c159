// Reads a `rootlock profile --format json` result back, for the commands that
// take one (`fix --profile`, `audit --format html --profile`). The fields
// those commands read are checked, so a file of some other tool is an error
// that names the file rather than a crash or a silently empty result.
import { isObject } from '../core/path.js';
import { readJsonFile } from '../io/json-file.js';
import type { ProfileResult } from './profile.js';

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

/** What is wrong with `value` as a profile result, or undefined when it has the shape `rootlock profile` writes. */
export function profileShapeProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'not an object';
  if (typeof value['image'] !== 'string') return 'no "image"';
  if (value['imageName'] !== undefined && typeof value['imageName'] !== 'string') return '"imageName" is not a string';
  for (const key of ['workload', 'container'] as const) {
    if (value[key] !== undefined && typeof value[key] !== 'string') return `"${key}" is not a string`;
  }
  if (!Array.isArray(value['proposals'])) return 'no "proposals"';
  for (const proposal of value['proposals']) {
    if (!isObject(proposal) || typeof proposal['path'] !== 'string' || typeof proposal['bytes'] !== 'number' || !isStringList(proposal['paths'])) {
      return 'a proposal without "path", "bytes" and "paths"';
    }
  }
  for (const key of ['coveredByVolumes', 'atRoot'] as const) if (!isStringList(value[key])) return `"${key}" is not a list of paths`;
  if (!Array.isArray(value['changes']) || !value['changes'].every((change) => isObject(change) && typeof change['path'] === 'string' && typeof change['kind'] === 'string')) {
    return '"changes" is not a list of changed paths';
  }
  if (typeof value['durationMs'] !== 'number') return 'no "durationMs"';
  return undefined;
}

/** The profile result in the file at `path`; errors are named `name` (the path as the user gave it). */
export async function readProfileFile(path: string, name = path): Promise<ProfileResult> {
  const value = await readJsonFile(path, name);
  const problem = profileShapeProblem(value);
  if (problem !== undefined) throw new Error(`${name}: not the output of \`rootlock profile --format json\` (${problem})`);
  // The fields the readers use are checked above; the rest is shown as it is.
  return value as unknown as ProfileResult;
}
