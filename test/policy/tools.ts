// The real policy engines the tests run, each built from the Go module proxy
// by its test/policy/build-<tool>.sh and cached outside the repository.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/repo.js';

/** The binary `build-<tool>.sh --print-path` names as <VARIABLE>=path, built (minutes, once) when missing. */
export function builtTool(tool: 'opa' | 'kyverno' | 'gator'): string {
  return builtGoTool('test/policy', tool);
}

/** The same for any <folder>/build-<tool>.sh (folder from the repository root) that sources test/policy/go-tool.sh. */
export function builtGoTool(folder: string, tool: string): string {
  const script = join(repoRoot(), folder, `build-${tool}.sh`);
  const variable = tool.toUpperCase();
  const path = new RegExp(`^${variable}=(.*)$`, 'm').exec(execFileSync('bash', [script, '--print-path'], { encoding: 'utf8' }))?.[1];
  if (!path) throw new Error(`build-${tool}.sh --print-path printed no ${variable}=`);
  if (!existsSync(path)) execFileSync('bash', [script], { stdio: ['ignore', process.stderr, process.stderr] });
  return path;
}
