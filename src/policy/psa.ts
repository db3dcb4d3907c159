// Pod Security Admission: the namespace labels that make the API server itself
// enforce the Restricted Pod Security Standard, as Namespace manifests or as
// `kubectl label` commands. --check audits existing Namespace manifests with
// the namespace-pod-security rule (see src/cli/policy-command.ts).
import type { GeneratedDocument, PolicyAction } from './options.js';

export const PSA_PREFIX = 'pod-security.kubernetes.io/';

/** Which PSA modes each --action turns on: deny enforces, and warns and audits too so users see why. */
const MODES: Record<PolicyAction, readonly string[]> = {
  deny: ['enforce', 'warn', 'audit'],
  warn: ['warn', 'audit'],
  audit: ['audit'],
};

export interface PsaOptions {
  namespaces: readonly string[];
  action: PolicyAction;
  level: 'restricted' | 'baseline';
  /** `latest` or a minor version such as v1.37. */
  version: string;
}

export function psaLabels(options: PsaOptions): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const mode of MODES[options.action]) {
    labels[`${PSA_PREFIX}${mode}`] = options.level;
    labels[`${PSA_PREFIX}${mode}-version`] = options.version;
  }
  return labels;
}

export function psaNamespaces(options: PsaOptions): GeneratedDocument[] {
  return options.namespaces.map((name) => ({
    comment: `Namespace ${name}: Pod Security Admission ${MODES[options.action].join(', ')} at the ${options.level} level (${options.version}).\n` +
      'The API server then refuses (enforce), warns about (warn) or records (audit) pods that run as root, keep\n' +
      'capabilities, allow privilege escalation or have no seccomp profile. It does not require a read-only root\n' +
      'filesystem: pair it with `rootlock policy vap` for that.',
    object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: psaLabels(options) } },
  }));
}

/** `kubectl label namespace NAME k=v ... --overwrite`, one line per namespace. */
export function psaKubectlCommands(options: PsaOptions): string {
  const labels = Object.entries(psaLabels(options)).map(([key, value]) => `${key}=${value}`).join(' ');
  return options.namespaces.map((name) => `kubectl label namespace ${name} ${labels} --overwrite\n`).join('');
}
