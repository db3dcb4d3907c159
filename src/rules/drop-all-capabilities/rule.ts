import { capabilityEntries, normalizeCapability, RUNTIME_DEFAULT_CAPABILITIES } from '../../core/capabilities.js';
import type { CapabilityEntry } from '../../core/capabilities.js';
import { isObject } from '../../core/path.js';
import { containerSecurityContextPath, effectiveSecurityContext } from '../../core/security-context.js';
import { defineRule } from '../../core/rule.js';
import type { FixBuilder, FixSafetyContext, FixTarget } from '../../core/rule.js';
import type { ContainerView } from '../../core/workloads.js';
import { describeContainer, isWindowsPod, joinList } from '../describe.js';

/** Default capabilities worth naming first, the ones that matter most to a compromised process. */
const NOTABLE_DEFAULTS = ['CHOWN', 'DAC_OVERRIDE', 'SETUID', 'NET_RAW', 'FOWNER', 'SETGID', 'KILL'];

function addBackHint(needed: readonly string[]): string {
  return needed.length
    ? `add ALL to securityContext.capabilities.drop and add back ${joinList(needed)}`
    : 'add ALL to securityContext.capabilities.drop and add back only what the image needs';
}

/** What an image the knowledge base does not know needs added back, as far as rootlock can tell. */
const NOTHING: readonly string[] = [];

/** Hints by knowledge entry capability list: the same few images come back with every admission. */
const hintsByImageNeeds = new WeakMap<readonly string[], string>();

function rememberedHint(imageNeeds: readonly string[]): string {
  let hint = hintsByImageNeeds.get(imageNeeds);
  if (hint === undefined) hintsByImageNeeds.set(imageNeeds, (hint = addBackHint(imageNeeds)));
  return hint;
}

/** What the container drops, what it therefore keeps, and what its image needs added back. */
function dropMessage(container: ContainerView, drop: unknown, droppedEntries: readonly CapabilityEntry[], imageNeeds: readonly string[] | undefined): string {
  const dropped = droppedEntries.map((entry) => entry.name);
  const droppedSet = new Set(droppedEntries.map((entry) => entry.capability));
  const kept = NOTABLE_DEFAULTS.filter((name) => !droppedSet.has(name)).slice(0, 4);
  const keepsDefaults = [...RUNTIME_DEFAULT_CAPABILITIES].some((name) => !droppedSet.has(name));
  const consequence = !keepsDefaults
    ? 'but not ALL, which the Restricted Pod Security Standard requires'
    : kept.length
      ? `so it keeps the runtime's default capabilities such as ${joinList(kept)}`
      : "so it keeps the rest of the runtime's default capabilities";
  const state = drop !== undefined && drop !== null && !Array.isArray(drop)
    ? `sets capabilities.drop to ${JSON.stringify(drop)}, which is not a list`
    : dropped.length
      ? `drops only ${joinList(dropped)}`
      : 'does not drop ALL capabilities';
  const needs = imageNeeds?.length ? `; image ${container.image ?? ''} needs ${joinList(imageNeeds)} added back after dropping ALL` : '';
  return `${describeContainer(container)} ${state}, ${consequence}${needs}`;
}

// Whether dropping ALL could stop the container: an image that may run as root often needs some capabilities
// back at start (chown, setuid), and only the knowledge base says which.
function runsAsNonRoot(target: FixTarget): boolean {
  if (!target.container) return false;
  const effective = effectiveSecurityContext(target.workload, target.container);
  return effective.runAsNonRoot.value === true || (typeof effective.runAsUser.value === 'number' && effective.runAsUser.value > 0);
}

function dropAllRisk(target: FixTarget, context: FixSafetyContext): string | undefined {
  const image = target.container?.image;
  if (runsAsNonRoot(target)) return undefined;
  const entry = image !== undefined ? context.knowledge.lookup(image) : undefined;
  if (entry === undefined) {
    return `image ${image ?? '(none)'} is not in the knowledge base and may run as root; dropping ALL capabilities can stop it from starting (chown or setuid at start): confirm what it needs, add that back, then drop ALL`;
  }
  // A root image whose entry lists no capabilities (a profile sees writes, not capabilities) may chown or setuid at start.
  if (entry.capabilities === undefined && entry.runsAsUser === 0) {
    return `image ${image ?? '(none)'} runs as root and its knowledge entry (${entry.id}) does not say which capabilities it needs; dropping ALL capabilities can stop it from starting (chown or setuid at start): confirm what it needs, add that back, then drop ALL`;
  }
  return undefined;
}

export default defineRule({
  id: 'drop-all-capabilities',
  severity: 'error',
  enforcement: 'warn',
  admission: () => import('./admission.js'),
  fixable: true,
  fixSafety: { risk: dropAllRisk },
  checklist: 'All capabilities dropped (drop: [ALL])',
  docs: {
    summary: 'Container that does not drop ALL capabilities',
    rationale:
      'Without capabilities.drop: [ALL] a container keeps the runtime\'s default capability set: CHOWN, ' +
      'DAC_OVERRIDE, FOWNER, FSETID, KILL, SETUID, SETGID, SETPCAP, SETFCAP, NET_RAW, NET_BIND_SERVICE, ' +
      'SYS_CHROOT, MKNOD and AUDIT_WRITE. A process running as root in the container can then ignore file ' +
      'permissions on every writable volume, change ownership, forge packets with NET_RAW and switch to any user. ' +
      'Dropping ALL and adding back only what the image needs is the Restricted Pod Security Standard; it compares ' +
      'the literal "ALL", so a lowercase "all", which container runtimes accept, still fails admission there.',
    remediation:
      'Set securityContext.capabilities.drop: [ALL] on every container and list in capabilities.add only what the ' +
      'image needs (most need nothing; NET_BIND_SERVICE to bind ports below 1024). rootlock fix appends ALL to ' +
      'drop (or replaces a lowercase "all"), keeps the existing add entries, and adds back the capabilities the ' +
      'image knowledge base says the image needs, such as CHOWN, SETUID, SETGID and NET_BIND_SERVICE for the ' +
      'official nginx image.',
    references: [
      'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container',
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
    ],
  },
  check(context) {
    // Windows pods may not set capabilities at all.
    if (isWindowsPod(context.workload)) return;
    for (const container of context.containers()) {
      const capabilities = context.effective(container).capabilities.value;
      const drop = isObject(capabilities) ? capabilities['drop'] : undefined;
      if (Array.isArray(drop) && drop.includes('ALL')) continue;
      const capabilitiesPath = [...containerSecurityContextPath(container), 'capabilities'];
      const dropPath = [...capabilitiesPath, 'drop'];
      const droppedEntries = capabilityEntries(capabilities, 'drop');

      const misspelled = droppedEntries.find((entry) => entry.capability === 'ALL');
      if (misspelled) {
        const itemPath = [...dropPath, misspelled.index];
        context.report({
          container,
          path: itemPath,
          message: () => `${describeContainer(container)} drops "${misspelled.name}", which container runtimes accept but the Restricted Pod Security Standard and most policy engines only recognise spelled "ALL"`,
          hint: `write ALL in capitals in securityContext.capabilities.drop`,
          fix: (fix) => fix.set(itemPath, 'ALL'),
        });
        continue;
      }

      const added = capabilityEntries(capabilities, 'add');
      const knowledge = context.knowledge.lookup(container.image);
      const imageNeeds = knowledge?.capabilities ?? NOTHING;
      // Mostly nothing is added yet, and what the image needs is its knowledge entry's list as it stands.
      const needed = added.length === 0 ? imageNeeds : imageNeeds.filter((name) => !added.some((entry) => entry.capability === normalizeCapability(name)));
      context.report({
        container,
        path: dropPath,
        message: () => dropMessage(container, drop, droppedEntries, knowledge?.capabilities),
        hint: needed === imageNeeds ? rememberedHint(needed) : addBackHint(needed),
        fix: (fix: FixBuilder) => {
          if (!isObject(capabilities)) {
            fix.set(capabilitiesPath, needed.length ? { drop: ['ALL'], add: [...needed] } : { drop: ['ALL'] });
            return;
          }
          if (Array.isArray(drop)) fix.append(dropPath, 'ALL');
          else fix.set(dropPath, ['ALL']);
          if (!needed.length) return;
          const addPath = [...capabilitiesPath, 'add'];
          if (Array.isArray(capabilities['add'])) for (const name of needed) fix.append(addPath, name);
          else fix.set(addPath, [...needed]);
        },
      });
    }
  },
});
