// The real helm and kustomize the render tests run, each built from the Go
// module proxy by test/render/build-<tool>.sh and cached outside the
// repository (the same way test/policy/tools.ts finds opa).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/repo.js';

/** The binary `build-<tool>.sh --print-path` names, built (minutes, once) when missing; the script waits on a build in progress. */
export function renderTool(tool: 'helm' | 'kustomize'): string {
  const script = join(repoRoot(), 'test', 'render', `build-${tool}.sh`);
  const variable = tool.toUpperCase();
  const path = new RegExp(`^${variable}=(.*)$`, 'm').exec(execFileSync('bash', [script, '--print-path'], { encoding: 'utf8' }))?.[1];
  if (!path) throw new Error(`build-${tool}.sh --print-path printed no ${variable}=`);
  if (!existsSync(path)) execFileSync('bash', [script], { stdio: ['ignore', process.stderr, process.stderr] });
  return path;
}
