// The ServiceAccount a pod runs as, read by the check and by its fix's safety.

/** The ServiceAccount a pod runs as: serviceAccountName, its deprecated alias serviceAccount, or "default". */
export function serviceAccountOf(podSpec: Record<string, unknown>): string {
  for (const field of ['serviceAccountName', 'serviceAccount']) {
    const value = podSpec[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return 'default';
}
