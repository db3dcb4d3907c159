// `rootlock profile <image>`: see docs/profile.md.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openImageSpec } from '../image/open.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { findPodContainer } from '../profile/pod.js';
import { renderProfileText, runProfile } from '../profile/profile.js';
import { parseProbeOption } from '../sandbox/probe.js';
import type { ProbeSpec } from '../sandbox/probe.js';
import type { CliIO } from './io.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './io.js';

export interface ProfileCommandOptions {
  pod?: string;
  container?: string;
  duration: string;
  format: 'text' | 'json';
  output?: string;
  imageName?: string;
  probe?: string;
}

/** --probe's value as a ProbeSpec, or an error message for the user. */
function probeOption(text: string | undefined): { probe?: ProbeSpec; error?: string } {
  if (text === undefined) return {};
  try {
    return { probe: parseProbeOption(text) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** 20s, 1500ms, 2m, or plain seconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(unit === 'ms' ? value : unit === 'm' ? value * 60_000 : value * 1000);
}

export async function runProfileCommand(imageSpec: string, options: ProfileCommandOptions, io: CliIO): Promise<number> {
  const durationMs = parseDuration(options.duration);
  if (durationMs === undefined || durationMs <= 0) {
    io.stderr(`error: --duration ${options.duration}: expected a duration such as 20s, 1500ms or 2m\n`);
    return EXIT_USAGE;
  }
  if (options.container !== undefined && options.pod === undefined) {
    io.stderr('error: --container needs --pod\n');
    return EXIT_USAGE;
  }
  const { probe, error: probeError } = probeOption(options.probe);
  if (probeError) {
    io.stderr(`error: ${probeError}\n`);
    return EXIT_USAGE;
  }
  const cwd = io.cwd ?? process.cwd();
  try {
    const pod = options.pod === undefined ? undefined : findPodContainer(readFileSync(resolve(cwd, options.pod), 'utf8'), options.pod, options.container);
    const image = await openImageSpec(imageSpec, cwd);
    // A pulled image is named by its reference, so `fix --profile` finds the manifests that use it.
    const imageName = options.imageName ?? (image.kind === 'registry' && !pod ? imageSpec : undefined);
    const result = await runProfile({ image, durationMs, ...(pod ? { pod } : {}), ...(imageName ? { imageName } : {}), ...(probe ? { probe } : {}) });
    const text = options.format === 'json' ? `${JSON.stringify({ ...result, image: imageSpec }, null, 2)}\n` : renderProfileText({ ...result, image: imageSpec });
    // Written as every rootlock report is: to a temporary file renamed into place, so a failed run leaves the old one.
    if (options.output) await writeFileAtomic(resolve(cwd, options.output), text, { create: true });
    else io.stdout(text);
    return EXIT_OK;
  } catch (error) {
    io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_USAGE;
  }
}

export interface VerifyCommandOptions {
  container?: string;
  imageSource: string;
  settle: string;
  format: 'text' | 'json';
  probe?: string;
  probeWait: string;
}

/** `rootlock verify <manifest> --image-source <image>`: exit 0 passed, 1 failed, 2 usage. */
export async function runVerifyCommand(manifest: string, options: VerifyCommandOptions, io: CliIO): Promise<number> {
  const settleMs = parseDuration(options.settle);
  if (settleMs === undefined || settleMs <= 0) {
    io.stderr(`error: --settle ${options.settle}: expected a duration such as 5s\n`);
    return EXIT_USAGE;
  }
  const probeWaitMs = parseDuration(options.probeWait);
  if (probeWaitMs === undefined) {
    io.stderr(`error: --probe-wait ${options.probeWait}: expected a duration such as 10s\n`);
    return EXIT_USAGE;
  }
  const { probe, error: probeError } = probeOption(options.probe);
  if (probeError) {
    io.stderr(`error: ${probeError}\n`);
    return EXIT_USAGE;
  }
  const cwd = io.cwd ?? process.cwd();
  try {
    const { runVerify } = await import('../profile/verify.js');
    const pod = findPodContainer(readFileSync(resolve(cwd, manifest), 'utf8'), manifest, options.container);
    const image = await openImageSpec(options.imageSource, cwd);
    const result = await runVerify(image, pod, { settleMs, probeWaitMs, ...(probe ? { probe } : {}) });
    if (options.format === 'json') io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    else {
      const lines = [`${result.passed ? 'PASS' : 'FAIL'} ${result.workload} container ${result.container} (read-only root, ${settleMs / 1000}s)`];
      if (result.exited) lines.push(`  exited with ${result.exited.code ?? 'a signal'}`);
      if (result.probe) {
        lines.push(`  ${result.probe.from} ${result.probe.target}: ${result.probe.ok ? `ok${result.probe.status ? ` (${result.probe.status})` : ''}` : `failed after ${result.probe.attempts} attempt${result.probe.attempts === 1 ? '' : 's'} (${result.probe.error ?? 'no answer'})`}`);
      }
      if (result.readOnlyPaths.length) lines.push(`  not writable: ${result.readOnlyPaths.join(', ')}`);
      if (!result.passed && result.output) lines.push('  output:', ...result.output.trimEnd().split('\n').map((l) => `    ${l}`));
      io.stdout(`${lines.join('\n')}\n`);
    }
    return result.passed ? EXIT_OK : EXIT_FINDINGS;
  } catch (error) {
    io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_USAGE;
  }
}
