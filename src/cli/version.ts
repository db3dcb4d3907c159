import { readFileSync } from 'node:fs';

/** Read from package.json at run time so there is one place to bump it. */
export function packageVersion(): string {
  const url = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}
