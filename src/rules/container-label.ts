// How findings name a container: its type in words, then its name, so a
// message reads `init container "setup" ...` whatever list it came from.
import type { ContainerView } from '../core/workloads.js';
import type { ContainerType } from '../core/types.js';

const TYPE_WORDS: Record<ContainerType, string> = {
  container: 'container',
  initContainer: 'init container',
  ephemeralContainer: 'ephemeral container',
};

/** `container "app"`, `init container "setup"`, `ephemeral container "debugger"`. */
export function describeContainer(container: Pick<ContainerView, 'type' | 'name'>): string {
  return `${TYPE_WORDS[container.type]} "${container.name}"`;
}

/** `a`, `a and b`, `a, b and c`. */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `"a"`, `"a" and "b"`, `"a", "b" and "c"`. */
export function quotedList(names: readonly string[]): string {
  return listInWords(names.map((name) => `"${name}"`));
}
