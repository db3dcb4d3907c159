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

/** `"a"`, `"a" and "b"`, `"a", "b" and "c"`. */
export function quotedList(names: readonly string[]): string {
  const quoted = names.map((name) => `"${name}"`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}
