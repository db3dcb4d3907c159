// The webhook's .rootlock.yaml, typically a mounted ConfigMap: loaded at
// start (an invalid config stops the start), then polled; a changed file that
// is valid replaces the settings, an invalid one is logged and ignored so a
// typo in a ConfigMap never turns into denials or a crash loop.
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../app/config-file.js';
import type { RootlockConfig } from '../core/config.js';
import type { InputError } from '../core/types.js';
import { watchFiles } from './file-watch.js';
import type { FileWatch } from './file-watch.js';

export type ConfigLoad = { ok: true; config: RootlockConfig } | { ok: false; errors: InputError[] };

export async function loadWebhookConfig(file: string, knownRules: ReadonlySet<string>): Promise<ConfigLoad> {
  const loaded = await loadConfig({ cwd: process.cwd(), explicit: file, knownRules });
  return loaded.errors.length ? { ok: false, errors: loaded.errors } : { ok: true, config: loaded.config };
}

export function formatInputError(error: InputError): string {
  return `${error.file}${error.line !== undefined ? `:${error.line}:${error.column ?? 1}` : ''}: ${error.message}`;
}

export async function watchConfig(file: string, knownRules: ReadonlySet<string>, intervalMs: number, onLoad: (result: ConfigLoad) => void): Promise<FileWatch> {
  const initial = await readFile(file).catch(() => Buffer.alloc(0));
  return watchFiles([file], intervalMs, async () => onLoad(await loadWebhookConfig(file, knownRules)), [initial]);
}
