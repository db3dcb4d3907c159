// The names `rootlock policy` takes, apart from the engines themselves so the
// CLI can offer them as choices without loading any generator.
export const POLICY_ENGINE_NAMES = ['gatekeeper', 'kyverno', 'vap', 'mutating-policy', 'psa', 'falco'] as const;

export type PolicyEngineName = (typeof POLICY_ENGINE_NAMES)[number];
