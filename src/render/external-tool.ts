// The rendering tools rootlock calls as subprocesses (helm, kustomize): found
// on PATH or where a flag points, run with their output captured. rootlock
// never renders charts or overlays itself, so what it fixes is what the user's
// own tool produces.
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type RenderTool = 'helm' | 'kustomize';

/** The flag that names each tool's binary when it is not on PATH. */
export const TOOL_FLAGS: Record<RenderTool, string> = { helm: '--helm-bin', kustomize: '--kustomize-bin' };

/** A tool that could not be found or run, or that exited with an error; the message is for the user. */
export class ToolError extends Error {
  constructor(message: string, readonly tool: string, readonly exitCode?: number, readonly stderr?: string) {
    super(message);
  }
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The binary to run for `tool`: `explicit` when given (it must exist), else the first on PATH. */
export function resolveTool(tool: RenderTool, explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit !== undefined && explicit !== '') {
    if (isExecutableFile(explicit)) return explicit;
    throw new ToolError(`${TOOL_FLAGS[tool]} ${explicit}: not an executable file`, tool);
  }
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, tool);
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new ToolError(`${tool} was not found on PATH: install ${tool} or name its binary with ${TOOL_FLAGS[tool]} <path>`, tool);
}

export interface RunToolOptions {
  cwd?: string;
  /** Written to the tool's standard input, which is otherwise empty. */
  input?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Runs a tool to completion and returns its standard output; a non-zero exit is a ToolError carrying its stderr. */
export function runTool(binary: string, args: readonly string[], options: RunToolOptions = {}): Promise<string> {
  const name = binary.split('/').pop() ?? binary;
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(new ToolError(`${name}: ${error.message}`, name)));
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else {
        const how = code === null ? `was killed by ${signal}` : `exited with ${code}`;
        reject(new ToolError(`${name} ${args.join(' ')} ${how}${stderr ? `: ${stderr}` : ''}`, name, code ?? undefined, stderr));
      }
    });
    // A tool that exits before reading its input closes the pipe; that is its exit code's business, not an error here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
