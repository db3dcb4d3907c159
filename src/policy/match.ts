// Which objects the admission policies apply to: Pods (and the
// pods/ephemeralcontainers subresource, so a debug container added later is
// checked too) and every kind with a pod template.
export interface KindGroup {
  apiGroup: string;
  apiVersions: string[];
  kinds: string[];
  resources: string[];
}

export const POLICY_KINDS: readonly KindGroup[] = [
  { apiGroup: '', apiVersions: ['v1'], kinds: ['Pod', 'ReplicationController'], resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers'] },
  { apiGroup: 'apps', apiVersions: ['v1'], kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'] },
  { apiGroup: 'batch', apiVersions: ['v1'], kinds: ['Job', 'CronJob'], resources: ['jobs', 'cronjobs'] },
];

/**
 * A Pod's spec is immutable: an UPDATE of a Pod created before the policy (a
 * label change by a user or controller) must not be refused for what it always
 * had. So Pods are checked on CREATE, and on the UPDATE of the ephemeral
 * containers subresource, which adds containers; workloads on CREATE and UPDATE.
 */
export function resourceRules(): Array<Record<string, unknown>> {
  return [
    { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] },
    { apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['pods/ephemeralcontainers'] },
    { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['replicationcontrollers'] },
    ...POLICY_KINDS.filter((group) => group.apiGroup !== '').map((group) => ({
      apiGroups: [group.apiGroup],
      apiVersions: group.apiVersions,
      operations: ['CREATE', 'UPDATE'],
      resources: group.resources,
    })),
  ];
}

/** A namespaceSelector for --namespaces / --exclude-namespaces, or undefined for all namespaces. */
export function namespaceSelector(namespaces: readonly string[], exclude: readonly string[]): Record<string, unknown> | undefined {
  const expressions = [];
  if (namespaces.length) expressions.push({ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...namespaces] });
  if (exclude.length) expressions.push({ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [...exclude] });
  return expressions.length ? { matchExpressions: expressions } : undefined;
}
