// What `rootlock policy` was asked for, shared by every generator.
import type { AdmissionCheck } from './admission-checks.js';

export type PolicyAction = 'deny' | 'warn' | 'audit';

export interface PolicyOptions {
  checks: readonly AdmissionCheck[];
  /** Enforce only in these namespaces; empty for all. */
  namespaces: readonly string[];
  /** Never enforce in these namespaces. */
  excludeNamespaces: readonly string[];
  /** Images exempt from container checks: exact, or ending in * for a prefix (gatekeeper-library style). */
  exemptImages: readonly string[];
  action: PolicyAction;
}

/** A generated Kubernetes object with a comment that says what it enforces. */
export interface GeneratedDocument {
  comment: string;
  object: Record<string, unknown>;
}
