// Finds and reads `.rootlock.yaml`, turning every problem into an InputError
// with file, line and column.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { readConfig, emptyConfig } from '../core/config.js';
import type { RootlockConfig } from '../core/config.js';
import { formatPath } from '../core/path.js';
import type { InputError } from '../core/types.js';
import { parseManifests } from '../input/kube-yaml.js';
import { ManifestTextDecoder } from '../input/sources.js';

export const CONFIG_FILE_NAMES = ['.rootlock.yaml', '.rootlock.yml'];

export async function findConfigFile(cwd: string): Promise<string | undefined> {
  let dir = resolve(cwd);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name);
      // Synchronous, so a run with no config file never loads node:fs/promises.
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export interface LoadedConfig {
  config: RootlockConfig;
  file?: string;
  errors: InputError[];
}

export async function loadConfig(options: { cwd: string; explicit?: string; knownRules: ReadonlySet<string> }): Promise<LoadedConfig> {
  const file = options.explicit ? resolve(options.cwd, options.explicit) : await findConfigFile(options.cwd);
  if (!file) return { config: emptyConfig(), errors: [] };
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return { config: emptyConfig(), file, errors: [{ file, code: 'config-unreadable', message: `cannot read config: ${(error as Error).message}` }] };
  }
  // The same checks as for manifests: UTF-8 with a position for the first bad byte, no binary, no UTF-16.
  const decoder = new ManifestTextDecoder(file);
  const decoded = [...decoder.push(bytes), ...decoder.end()];
  const undecodable = decoded.find((part): part is InputError => typeof part !== 'string');
  if (undecodable) return { config: emptyConfig(), file, errors: [{ ...undecodable, code: 'config-invalid' }] };
  const parsed = parseManifests(decoded.join(''), file);
  if (parsed.errors.length) return { config: emptyConfig(), file, errors: parsed.errors.map((e) => ({ ...e, code: 'config-invalid' })) };
  if (parsed.documents.length > 1) return { config: emptyConfig(), file, errors: [{ file, line: 1, column: 1, code: 'config-invalid', message: 'config must be a single YAML document' }] };
  const document = parsed.documents[0];
  const { config, problems } = readConfig(document?.value, options.knownRules);
  const errors: InputError[] = problems.map((problem) => {
    const at = document?.locate(problem.path);
    return {
      file,
      ...(at ? { line: at.line, column: at.column } : {}),
      code: 'config-invalid',
      message: `${problem.path.length ? `${formatPath(problem.path)}: ` : ''}${problem.message}`,
    };
  });
  return { config, file, errors };
}
