// Whether dropping ALL capabilities could stop the container: an image that
// may run as root often needs some back at start (chown, setuid), and only the
// knowledge base says which.
import { effectiveSecurityContext } from '../../core/security-context.js';
import type { FixSafetyContext, FixTarget } from '../../core/rule.js';

function runsAsNonRoot(target: FixTarget): boolean {
  if (!target.container) return false;
  const effective = effectiveSecurityContext(target.workload, target.container);
  return effective.runAsNonRoot.value === true || (typeof effective.runAsUser.value === 'number' && effective.runAsUser.value > 0);
}

export function dropAllRisk(target: FixTarget, context: FixSafetyContext): string | undefined {
  const image = target.container?.image;
  const known = image !== undefined && context.knowledge.lookup(image) !== undefined;
  if (known || runsAsNonRoot(target)) return undefined;
  return `image ${image ?? '(none)'} is not in the knowledge base and may run as root; dropping ALL capabilities can stop it from starting (chown or setuid at start): confirm what it needs, add that back, then drop ALL`;
}
