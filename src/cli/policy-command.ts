// `rootlock policy <engine>`: writes the generated policies as YAML.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CliIO } from './io.js';
import { EXIT_OK, EXIT_USAGE } from './io.js';
import type { PolicyAction } from '../policy/options.js';

export interface PolicyFlags {
  rules?: string[];
  namespaces?: string[];
  excludeNamespaces?: string[];
  exemptImages?: string[];
  action: PolicyAction;
  output?: string;
  psaLevel?: 'restricted' | 'baseline';
  psaVersion?: string;
  kubectl?: boolean;
  check?: string[];
  legacy?: boolean;
}

export async function runPolicy(engine: string, flags: PolicyFlags, io: CliIO): Promise<number> {
  if (engine === 'psa' && flags.check) {
    // The namespace-pod-security rule is the audit of PSA labels: --check is that audit.
    const { runAudit } = await import('./audit-command.js');
    const { default: namespacePodSecurity } = await import('../rules/namespace-pod-security/rule.js');
    return runAudit(flags.check, { format: 'text', rules: [namespacePodSecurity.id], config: false, failOn: 'warning' }, io);
  }
  const { POLICY_ENGINES, policyEngine } = await import('../policy/engines.js');
  const { packageVersion } = await import('./version.js');
  const known = policyEngine(engine);
  if (!known) {
    io.stderr(`rootlock policy: unknown engine "${engine}"; expected one of ${POLICY_ENGINES.map((e) => e.name).join(', ')}\n`);
    return EXIT_USAGE;
  }
  const result = await known.generate({
    ...(flags.rules ? { rules: flags.rules } : {}),
    namespaces: flags.namespaces ?? [],
    excludeNamespaces: flags.excludeNamespaces ?? [],
    exemptImages: flags.exemptImages ?? [],
    action: flags.action,
    legacy: flags.legacy === true,
    psaLevel: flags.psaLevel ?? 'restricted',
    psaVersion: flags.psaVersion ?? 'latest',
    kubectl: flags.kubectl === true,
    version: packageVersion(),
  });
  for (const notice of result.notices) io.stderr(`rootlock policy ${engine}: ${notice}\n`);
  if (!result.ok) {
    io.stderr(`rootlock policy ${engine}: ${result.error}\n`);
    return EXIT_USAGE;
  }
  if (flags.output) {
    const dir = resolve(io.cwd ?? process.cwd(), flags.output);
    await mkdir(dir, { recursive: true });
    const { writeFileAtomic } = await import('../io/atomic-write.js');
    await writeFileAtomic(join(dir, result.fileName), result.text, { create: true });
    io.stdout(`${result.wrote(join(flags.output, result.fileName))}\n`);
  } else {
    io.stdout(result.text);
  }
  return EXIT_OK;
}
