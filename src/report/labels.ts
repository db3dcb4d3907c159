// Names the report formats share, so an object, a rule link or a location
// reads the same in SARIF, JUnit and Markdown.
import type { Finding, ObjectReference } from '../core/types.js';

export const PROJECT_URL = 'https://github.com/rootlock/rootlock';

/** The generated rule page (docs/rules/<id>.md); absolute so it works from a PR comment or a code scanning alert. */
export function ruleDocUrl(ruleId: string): string {
  return `${PROJECT_URL}/blob/main/docs/rules/${encodeURIComponent(ruleId)}.md`;
}

/**
 * `kind/namespace/name`, or `kind/name` for objects without a namespace.
 * Unambiguous: none of the three may contain a slash in Kubernetes.
 */
export function objectId(ref: ObjectReference): string {
  return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

/** How a file is named in a report: standard input (`-` on the command line) is `stdin`. */
export function fileLabel(file: string): string {
  return file === '-' ? 'stdin' : file;
}

/** `file:line:column`, `file:line` or `file`, depending on what is known. */
export function fileLocation(item: { file: string; line?: number; column?: number }): string {
  const file = fileLabel(item.file);
  if (item.line === undefined) return file;
  return item.column === undefined ? `${file}:${item.line}` : `${file}:${item.line}:${item.column}`;
}

/** How a container is named in one line: `container app`, `initContainer setup`. */
export function containerLabel(finding: Pick<Finding, 'container' | 'containerType'>): string | undefined {
  if (finding.container === undefined) return undefined;
  return `${finding.containerType ?? 'container'} ${finding.container}`;
}
