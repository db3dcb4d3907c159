import type { AdmissionForm } from '../../core/admission.js';
import { BUILTIN_IMAGE_KNOWLEDGE } from '../../knowledge/images.js';
import { NORMALIZED_CAPABILITY_CEL as NORMALIZED } from '../../policy/fragments/capabilities.js';
import { knowledgeTable, mayBeKnownCel, withKnownCapabilitiesCel } from '../../policy/fragments/image-knowledge.js';

// The image knowledge base, for the capabilities an image needs back after dropping ALL.
const KNOWLEDGE = knowledgeTable(BUILTIN_IMAGE_KNOWLEDGE);

/**
 * capabilities.drop is an atomic list, which an apply configuration may not
 * change: a JSON patch per container that needs ALL, built from the original
 * object (so it runs before the apply configuration). Like rootlock fix, it
 * adds back to capabilities.add what the knowledge base says the image needs
 * (and add lacks), except where it only rewrites a misspelled "all".
 */
function dropAllPatch(typePath: readonly string[], applies: string): string {
  const drop = 'c.?securityContext.?capabilities.?drop.orValue([])';
  const add = 'c.?securityContext.?capabilities.?add.orValue([])';
  const misspelled = `${drop}.exists(d, ${NORMALIZED} == 'ALL')`;
  const newDrop = `${misspelled} ? ${drop}.map(d, ${NORMALIZED} == 'ALL' ? 'ALL' : d) : ${drop} + ['ALL']`;
  const needs = `${applies} && !('ALL' in ${drop})`;
  // What the image needs back and add lacks; nothing when the patch only rewrites a misspelled "all".
  const needed = `(!has(c.image) || ${misspelled} || !${mayBeKnownCel(KNOWLEDGE)} ? [] : ${withKnownCapabilitiesCel(KNOWLEDGE, 'caps', `caps.filter(n, !(n in ${add}.map(d, ${NORMALIZED})))`)})`;
  // capabilities has only drop and add: the patch writes the whole object, add (when there is one) kept in front.
  // dyn(): the drop list's elements are dyn, the knowledge base's strings; a map literal wants one value type.
  const capabilities = `[${add} + ${needed}].map(a, size(a) > 0 ? {'drop': dyn(${newDrop}), 'add': dyn(a)} : {'drop': dyn(${newDrop})})[0]`;
  const lists = ['initContainers', 'containers', 'ephemeralContainers'].map((list) => {
    const items = `variables.podSpec.${list}`;
    const base = `'/${[...typePath, list].join('/')}/' + string(i)`;
    const patch = `[${capabilities}].map(caps, !has(c.securityContext) ? ` +
      `JSONPatch{op: 'add', path: ${base} + '/securityContext', value: {'capabilities': caps}} : ` +
      `JSONPatch{op: 'add', path: ${base} + '/securityContext/capabilities', value: caps})[0]`;
    // [items[i]].all(c, ...) binds c to the container at index i.
    return `(has(${items}) ? lists.range(size(${items})).filter(i, [${items}[i]].all(c, ${needs})).map(i, [${items}[i]].map(c, ${patch})[0]) : [])`;
  });
  return lists.join(' + ');
}

// The literal "ALL", as the Restricted Pod Security Standard compares it.
const admission: AdmissionForm = {
  scope: 'container',
  lists: 'all',
  skipWindows: true,
  message: 'must drop ALL capabilities (securityContext.capabilities.drop: [ALL])',
  regoFails: ['not "ALL" in object.get(c, ["securityContext", "capabilities", "drop"], [])'],
  celOk: "'ALL' in c.?securityContext.?capabilities.?drop.orValue([])",
  mutation: { jsonPatch: dropAllPatch },
};

export default admission;
