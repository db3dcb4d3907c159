// The image knowledge base (src/knowledge/images.ts) as a table an admission
// engine can read: per entry, in order, one regular expression for all its
// image patterns and the canonical paths the image writes. An image resolves
// to the first entry with a pattern that matches one of the image's
// spellings (imageCandidates), as KnowledgeBase.lookup does; the spellings are
// computed in Rego and CEL the way parseImageReference computes them.
import { canonicalPath } from '../../core/volumes.js';
import { globToRegExp } from '../../knowledge/image-ref.js';
import { requiredPaths } from '../../knowledge/images.js';
import type { ImageKnowledge } from '../../knowledge/images.js';
import { celString, regoString } from './literals.js';
import { bind, bindValue, type Binder } from './paths.js';

export interface KnowledgeRow {
  id: string;
  /** The entry's image patterns (globs). */
  patterns: string[];
  /** RE2 and JavaScript alike: `^(?:glob1|glob2...)$`. */
  images: string;
  /** Canonical paths, in the entry's order; empty for images known to write nothing. */
  paths: string[];
  /** Capabilities the image needs added back after dropping ALL. */
  capabilities: string[];
}

/**
 * One row per entry. Entries that write nothing stay in the table: they
 * shadow later entries whose patterns also match the image.
 */
export function knowledgeTable(entries: readonly ImageKnowledge[]): KnowledgeRow[] {
  return entries.map((entry) => ({
    id: entry.id,
    patterns: [...entry.images],
    // RegExp.source spells / as \/, which RE2 need not accept.
    images: `^(?:${entry.images.map((pattern) => globToRegExp(pattern).source.slice(1, -1).replace(/\\\//g, '/')).join('|')})$`,
    // What the image writes only in some configurations is no reason to refuse a pod.
    paths: [...new Set(requiredPaths(entry).map((writable) => canonicalPath(writable.path)))],
    capabilities: [...(entry.capabilities ?? [])],
  }));
}

/** One regex that matches what any row's does. */
function anyPattern(rows: readonly KnowledgeRow[]): string {
  return `^(?:${rows.map((row) => row.images.slice(1, -1)).join('|')})$`;
}

/** Rego: the table, image_candidates(image) and known_paths(image) (undefined for images no entry knows). */
export function imageKnowledgeRego(rows: readonly KnowledgeRow[]): string {
  const table = rows.map((row) => `  {"id": ${regoString(row.id)}, "images": ${regoString(row.images)}, "paths": ${JSON.stringify(row.paths)}}`).join(',\n');
  return `# The image knowledge base, in lookup order: the first entry whose pattern matches a spelling of the image.
image_knowledge := [
${table},
]

# One regex of every pattern first: most images are not in the table.
image_knowledge_any := ${regoString(anyPattern(rows))}

known_paths(image) := image_knowledge[min(matches)].paths if {
  spellings := image_candidates(image)
  any_known(spellings)
  matches := {i | some i, row in image_knowledge; some spelling in spellings; regex.match(row.images, spelling)}
}

any_known(spellings) if {
  some spelling in spellings
  regex.match(image_knowledge_any, spelling)
}

# The spellings an image is matched by (rootlock's imageCandidates): as written, registry/repository,
# repository, the short docker.io/library name, and the first two with the tag.
image_candidates(image) := {image} if not image_ref(image)

image_candidates(image) := spellings if {
  ref := image_ref(image)
  spellings := ({image, ref.name, ref.repository} | library_short(ref)) | tagged(ref)
}

library_short(ref) := {substring(ref.repository, 8, -1)} if docker_library(ref)

library_short(ref) := set() if not docker_library(ref)

docker_library(ref) if {
  ref.registry == "docker.io"
  startswith(ref.repository, "library/")
}

tagged(ref) := {concat(":", [ref.name, ref.tag]), concat(":", [ref.repository, ref.tag])} if is_string(ref.tag)

tagged(ref) := set() if not is_string(ref.tag)

# parseImageReference: [registry/]repository[:tag][@digest]; undefined for text that names no repository.
image_ref(image) := ref if {
  text := trim_space(image)
  text != ""
  not regex.match("\\\\s", text)
  rest := name_and_tag(before_digest(text))
  rest.name != ""
  parts := split(rest.name, "/")
  registry := registry_of(parts)
  path := repository_path(rest.name, parts)
  repository := library_prefixed(registry, lower(path))
  repository != ""
  ref := {"registry": registry, "repository": repository, "name": concat("/", [registry, repository]), "tag": rest.tag}
}

before_digest(text) := substring(text, 0, indexof(text, "@")) if contains(text, "@")

before_digest(text) := text if not contains(text, "@")

last_index(text, char) := max(indexof_n(text, char)) if contains(text, char)

last_index(text, char) := -1 if not contains(text, char)

name_and_tag(text) := {"name": substring(text, 0, colon), "tag": substring(text, colon + 1, -1)} if {
  colon := last_index(text, ":")
  colon > last_index(text, "/")
}

name_and_tag(text) := {"name": text, "tag": null} if {
  last_index(text, ":") <= last_index(text, "/")
}

has_registry(parts) if {
  count(parts) > 1
  registry_like(parts[0])
}

registry_like(first) if contains(first, ".")

registry_like(first) if contains(first, ":")

registry_like(first) if first == "localhost"

registry_of(parts) := "docker.io" if not has_registry(parts)

registry_of(parts) := "docker.io" if {
  has_registry(parts)
  parts[0] in {"index.docker.io", "registry-1.docker.io"}
}

registry_of(parts) := parts[0] if {
  has_registry(parts)
  not parts[0] in {"index.docker.io", "registry-1.docker.io"}
}

repository_path(name, parts) := substring(name, count(parts[0]) + 1, -1) if has_registry(parts)

repository_path(name, parts) := name if not has_registry(parts)

library_prefixed(registry, path) := concat("/", ["library", path]) if {
  registry == "docker.io"
  not contains(path, "/")
}

library_prefixed(registry, path) := path if registry != "docker.io"

library_prefixed(registry, path) := path if contains(path, "/")`;
}

/**
 * CEL, a cheap test that lets most images no row knows through (false) before
 * any parsing: a spelling that matches a pattern contains the pattern's last
 * literal path segment (after its last / and before any wildcard), and so does
 * the lower-cased image, since spellings only lower-case the image's text or
 * add docker.io/ and library/ to it. True when c.image may be known.
 */
export function mayBeKnownCel(rows: readonly KnowledgeRow[]): string {
  const segments = rows.flatMap((row) => row.patterns).map((pattern) => (pattern.split(/[*?]/)[0]?.split('/').pop() ?? '').toLowerCase());
  // A segment that is empty or could come from the added prefixes says nothing.
  if (segments.some((segment) => segment === '' || 'docker.io/library/'.includes(segment))) return 'true';
  const unique = [...new Set(segments)].map((segment) => segment.replace(/[.+^${}()|[\]\\]/g, '\\$&'));
  return `string(c.image).lowerAscii().matches(${celString(unique.join('|'))})`;
}

/**
 * CEL: `body` with `name` bound to the canonical paths the image of container
 * `c` writes, per the table ([] when the table does not know the image).
 */
export function withKnownPathsCel(rows: readonly KnowledgeRow[], name: string, body: string): string {
  return withKnowledgeCel(rows, 'paths', name, body, bind);
}

/**
 * CEL: the value of `body` (any type) with `name` bound to the capabilities
 * the image of container `c` needs back ([] when the table does not know it).
 */
export function withKnownCapabilitiesCel(rows: readonly KnowledgeRow[], name: string, body: string): string {
  return withKnowledgeCel(rows, 'capabilities', name, body, bindValue);
}

function withKnowledgeCel(rows: readonly KnowledgeRow[], field: 'paths' | 'capabilities', name: string, body: string, binder: Binder): string {
  // A chain of conditionals, evaluated in order, takes the first row that matches. Every pattern is a literal so
  // that the API server compiles each regex once, not on every call; one regex of all patterns first lets the
  // images no row knows (most of them) through with one match per spelling.
  const any = anyPattern(rows);
  const chain = rows.reduceRight(
    (otherwise, row) => `cands.exists(x, x.matches(${celString(row.images)})) ? [${row[field].map(celString).join(', ')}] : ${otherwise}`,
    '[]');
  return withImageCandidatesCel('cands',
    binder(name, `!cands.exists(x, x.matches(${celString(any)})) ? [] : ${chain}`, body), binder);
}

/** CEL: `body` with `name` bound to the spellings of c.image (imageCandidates); the image is a string. */
function withImageCandidatesCel(name: string, body: string, binder: Binder): string {
  const bind = binder;
  return bind('img', 'string(c.image)',
    bind('t', 'img.trim()',
      bind('r0', "t.indexOf('@') >= 0 ? t.substring(0, t.indexOf('@')) : t",
        bind('tagged', "r0.lastIndexOf(':') > r0.lastIndexOf('/')",
          bind('rest', "tagged ? r0.substring(0, r0.lastIndexOf(':')) : r0",
            bind('first', "rest.split('/')[0]",
              bind('hasReg', "rest.contains('/') && (first.contains('.') || first.contains(':') || first == 'localhost')",
                bind('registry', "!hasReg || first in ['index.docker.io', 'registry-1.docker.io'] ? 'docker.io' : first",
                  bind('path', '(hasReg ? rest.substring(size(first) + 1) : rest).lowerAscii()',
                    bind('repo', "registry == 'docker.io' && !path.contains('/') ? 'library/' + path : path",
                      bind('valid', "t != '' && !t.matches('\\\\s') && rest != '' && repo != ''",
                        bind(name,
                          "!valid ? [img] : [img, registry + '/' + repo, repo] + " +
                          "(registry == 'docker.io' && repo.startsWith('library/') ? [repo.substring(8)] : []) + " +
                          "(tagged ? [registry + '/' + repo + ':' + r0.substring(r0.lastIndexOf(':') + 1), repo + ':' + r0.substring(r0.lastIndexOf(':') + 1)] : [])",
                          body))))))))))));
}
