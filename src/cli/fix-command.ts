// `rootlock fix`: prints a unified diff of what the fixes would change and
// changes nothing; --write rewrites the files in place, atomically; --check
// exits 1 when anything would change; `-` reads standard input and writes the
// fixed manifests to standard output. A summary of every change and of what
// needs a person goes to standard error (or to standard output as JSON).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIO } from './io.js';
import type { HelmChartOptions } from './helm-fix-command.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './io.js';
import { todayString } from './audit-command.js';

export interface FixFlags extends HelmChartOptions {
  write?: boolean;
  check?: boolean;
  format: 'text' | 'json';
  config?: string | false;
  rules?: string[];
  disableRules?: string[];
  maxFileSize: number;
  memoryTmp?: string | boolean;
  raiseMemoryLimit?: boolean;
  defaultLimits?: string;
  pinDigests?: boolean;
  lockFile?: string;
  offline?: boolean;
  refreshDigests?: boolean;
  insecureRegistry?: string[];
  profile?: string[];
  /** --helm CHART: fix the chart through a values override file (helm-fix-command.ts). */
  helm?: string;
  /** --kustomize DIR: fix the overlay through patch files (kustomize-fix-command.ts). */
  kustomize?: string;
  kustomizeBin?: string;
  /** --post-renderer: standard input to standard output for Helm, exit 0 unless the input cannot be read. */
  postRenderer?: boolean;
}

/** Errors of fixing, not of reading: the post-renderer passes such documents on unchanged and lets Helm go on. */
const POST_RENDER_TOLERATED = new Set(['unknown-api-version', 'fix-failed', 'fix-invalid-edit', 'write-failed']);

/** `cpu=500m,memory=256Mi` -> { cpu, memory }; undefined when malformed. */
export function parseDefaultLimits(text: string): { cpu?: string; memory?: string } | undefined {
  const out: { cpu?: string; memory?: string } = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const match = /^(cpu|memory)=(\S+)$/.exec(part);
    if (!match) return undefined;
    out[match[1] as 'cpu' | 'memory'] = match[2] as string;
  }
  return out.cpu === undefined && out.memory === undefined ? undefined : out;
}

export const DEFAULT_MEMORY_TMP_SIZE = '64Mi';

export async function runFix(paths: string[], flags: FixFlags, io: CliIO): Promise<number> {
  const { setupRules } = await import('./rule-setup.js');
  const { parseQuantity } = await import('../core/quantity.js');
  const { fixManifests } = await import('../app/fix.js');
  const { unifiedDiff } = await import('../fix/diff.js');
  const { writeFileAtomic } = await import('../io/atomic-write.js');
  const { buildFixSummary, renderFixSummaryText } = await import('../report/fix-summary.js');
  const cwd = io.cwd ?? process.cwd();
  const usage = (message: string): number => {
    io.stderr(`rootlock: ${message}\n`);
    return EXIT_USAGE;
  };

  if (flags.postRenderer) {
    if (paths.length !== 1 || paths[0] !== '.') return usage('--post-renderer reads the rendered manifests on standard input: give no paths with it');
    if (flags.write || flags.check || flags.helm !== undefined || flags.kustomize !== undefined) return usage('--post-renderer excludes --write, --check, --helm and --kustomize');
    paths = ['-'];
  }
  const fromStdin = paths.includes('-');
  if (fromStdin && paths.length > 1) return usage('"-" (standard input) cannot be combined with other paths in fix');
  if (fromStdin && flags.write) return usage('--write rewrites files; with "-" the fixed manifests go to standard output');
  if (flags.write && flags.check) return usage('--write and --check exclude each other');
  if (!Number.isFinite(flags.maxFileSize) || flags.maxFileSize <= 0) return usage('--max-file-size must be a positive number of MiB');
  let defaultLimits;
  if (flags.defaultLimits !== undefined) {
    defaultLimits = parseDefaultLimits(flags.defaultLimits);
    if (!defaultLimits || [defaultLimits.cpu, defaultLimits.memory].some((q) => q !== undefined && parseQuantity(q) === undefined)) {
      return usage(`--default-limits takes cpu=<quantity>,memory=<quantity>, e.g. cpu=500m,memory=256Mi (got "${flags.defaultLimits}")`);
    }
  }
  let memoryTmp;
  if (flags.memoryTmp !== undefined && flags.memoryTmp !== false) {
    const sizeLimit = flags.memoryTmp === true ? DEFAULT_MEMORY_TMP_SIZE : flags.memoryTmp;
    if (parseQuantity(sizeLimit) === undefined) return usage(`--memory-tmp takes a size such as 64Mi (got "${sizeLimit}")`);
    memoryTmp = { sizeLimit, raiseLimits: flags.raiseMemoryLimit === true };
  } else if (flags.raiseMemoryLimit) {
    return usage('--raise-memory-limit only applies with --memory-tmp');
  }

  const setup = await setupRules(flags, io);
  if (!setup) return EXIT_USAGE;
  const { rules } = setup;
  let config = setup.config;
  if (flags.profile?.length) {
    const { profileKnowledge } = await import('../profile/knowledge.js');
    const { readProfileFile } = await import('../profile/profile-file.js');
    try {
      const profiled = await Promise.all(flags.profile.map(async (file) => profileKnowledge(await readProfileFile(resolve(cwd, file), file), file)));
      config = { ...config, images: [...profiled, ...config.images] };
    } catch (error) {
      return usage(`--profile: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  if (flags.helm !== undefined) {
    if (fromStdin || paths.length !== 1 || paths[0] !== '.') return usage('--helm renders the chart it names: give no manifest paths with it');
    if (flags.pinDigests) return usage('--pin-digests does not apply with --helm');
    const { runHelmFix } = await import('./helm-fix-command.js');
    const fixOptions = { ...(memoryTmp ? { memoryTmp } : {}), ...(defaultLimits ? { defaultLimits } : {}) };
    return runHelmFix({ ...flags, helm: flags.helm }, { rules, config, today: todayString(io), explicitRules: new Set(flags.rules ?? []), fixOptions }, io);
  }
  if (flags.kustomize !== undefined) {
    if (fromStdin || paths.length !== 1 || paths[0] !== '.') return usage('--kustomize renders the overlay it names: give no manifest paths with it');
    if (flags.pinDigests) return usage('--pin-digests does not apply with --kustomize');
    const { runKustomizeFix } = await import('./kustomize-fix-command.js');
    const fixOptions = { ...(memoryTmp ? { memoryTmp } : {}), ...(defaultLimits ? { defaultLimits } : {}) };
    const options = { dir: flags.kustomize, cwd, rules, config, today: todayString(io), explicitRules: new Set(flags.rules ?? []), fixOptions, maxFileBytes: Math.floor(flags.maxFileSize * 1024 * 1024), ...(flags.kustomizeBin ? { kustomizeBin: flags.kustomizeBin } : {}) };
    return runKustomizeFix(options, flags, io);
  }
  if (flags.kustomizeBin) return usage('--kustomize-bin only applies with --kustomize DIR');
  if (flags.values || flags.set || flags.valuesOut || flags.postRenderPatch !== undefined || flags.releaseName || flags.namespace) {
    return usage('--values, --set, --values-out, --post-render-patch, --release-name and --namespace only apply with --helm CHART');
  }

  const pinImages = flags.pinDigests ? await digestPinner(paths, flags, cwd) : undefined;
  if (!flags.pinDigests && (flags.offline || flags.lockFile || flags.refreshDigests || flags.insecureRegistry)) {
    return usage('--lock-file, --offline, --refresh-digests and --insecure-registry only apply with --pin-digests');
  }

  const run = await fixManifests({
    ...(pinImages ? { pinImages } : {}),
    paths,
    cwd,
    rules,
    config,
    today: todayString(io),
    explicitRules: new Set(flags.rules ?? []),
    fixOptions: { ...(memoryTmp ? { memoryTmp } : {}), ...(defaultLimits ? { defaultLimits } : {}) },
    maxFileBytes: Math.floor(flags.maxFileSize * 1024 * 1024),
    ...(io.stdin ? { stdin: io.stdin } : {}),
  });

  const changed = run.files.filter((f) => f.after !== f.before);
  if (flags.write) {
    for (const file of changed) {
      try {
        await writeFileAtomic(resolve(cwd, file.file), file.after);
      } catch (error) {
        run.errors.push({ file: file.file, code: 'write-failed', message: `cannot write the fixed file: ${(error as Error).message}` });
      }
    }
  }
  const mode = fromStdin ? 'stdout' : flags.write ? 'write' : flags.check ? 'check' : 'preview';
  const summary = buildFixSummary(
    mode,
    run.files.map((f) => ({
      file: f.file,
      changed: f.after !== f.before,
      objects: f.objects,
      ...(flags.format === 'json' && mode !== 'stdout' && f.after !== f.before ? { diff: unifiedDiff(f.file, f.before, f.after) } : {}),
    })),
    run.errors,
  );

  if (fromStdin) {
    for (const file of run.files) io.stdout(file.after);
    io.stderr(flags.format === 'json' ? JSON.stringify(summary, null, 2) + '\n' : renderFixSummaryText(summary));
  } else if (flags.format === 'json') {
    io.stdout(JSON.stringify(summary, null, 2) + '\n');
  } else {
    if (mode === 'preview') for (const file of changed) io.stdout(unifiedDiff(file.file, file.before, file.after));
    io.stderr(renderFixSummaryText(summary));
  }
  for (const e of run.errors) io.stderr(`rootlock: ${e.file}${e.line ? `:${e.line}:${e.column}` : ''}: ${e.message} [${e.code}]\n`);

  if (flags.postRenderer) return run.errors.some((e) => !POST_RENDER_TOLERATED.has(e.code)) ? EXIT_USAGE : EXIT_OK;
  if (run.errors.length) return EXIT_USAGE;
  if (flags.check && changed.length > 0) return EXIT_FINDINGS;
  return EXIT_OK;
}

/**
 * --pin-digests: resolves tags through the OCI distribution API, lock file
 * first, and writes the lock so later runs work offline.
 */
async function digestPinner(paths: readonly string[], flags: FixFlags, cwd: string) {
  const registry = await import('../registry/index.js');
  const lockPath = flags.lockFile ? resolve(cwd, flags.lockFile) : await registry.defaultLockFilePath(paths, cwd);
  return async (images: readonly string[]) => {
    const errors: Array<{ file: string; code: string; message: string }> = [];
    const pinned = new Map<string, string>();
    if (images.length === 0) return { pinned, errors };
    try {
      const lock = await registry.readLockFile(lockPath);
      const result = await registry.resolveAll(images, {
        lock,
        lockPath,
        ...(flags.offline ? { offline: true } : {}),
        ...(flags.refreshDigests ? { refresh: true } : {}),
        client: { ...(flags.insecureRegistry ? { insecureRegistries: flags.insecureRegistry } : {}) },
      });
      for (const [image, pin] of result.pins) pinned.set(image, registry.pinImage(image, pin.digest));
      for (const failure of result.failures) errors.push({ file: failure.image, code: 'digest-unresolved', message: failure.error.message });
      if (!flags.offline) await registry.writeLockFile(lockPath, result.lock);
    } catch (error) {
      errors.push({ file: lockPath, code: 'digest-unresolved', message: (error as Error).message });
    }
    return { pinned, errors };
  };
}
