// Turns an API server's OpenAPI v3 documents into the local JSON schemas
// kubeconform reads: one self-contained ("standalone") file per kind and API
// version, named as kubeconform's -schema-location template
// {{.ResourceKind}}{{.KindSuffix}}.json expects, optionally strict (objects
// that list their properties reject any other). Each file keeps the
// definitions it reaches under `definitions` instead of inlining them, so the
// recursive ones (JSONSchemaProps) need no special case.

/** A JSON Schema object as the OpenAPI documents hold it; values are JSON. */
export type Schema = { [key: string]: unknown };

/** The part of one /openapi/v3/<group-version> document this reads. */
export interface OpenApiV3Document {
  components?: { schemas?: Record<string, Schema> };
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** kubeconform's file name for a kind: `deployment-apps-v1.json`, `service-v1.json`, `ingress-networking-v1.json`. */
export function schemaFileName({ group, version, kind }: GroupVersionKind): string {
  // kubeconform keeps only the group's first DNS label (networking.k8s.io -> networking).
  const suffix = group === '' ? `-${version}` : `-${group.split('.')[0]}-${version}`;
  return `${kind}${suffix}.json`.toLowerCase();
}

const REF_PREFIX = '#/components/schemas/';

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The definition names a schema refers to directly. */
function refsOf(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) refsOf(item, out);
  else if (isSchema(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string' && item.startsWith(REF_PREFIX)) out.add(item.slice(REF_PREFIX.length));
      else refsOf(item, out);
    }
  }
  return out;
}

/**
 * One schema rewritten for kubeconform: refs point into the file's own
 * `definitions`; int-or-string values (written as a format in older
 * documents) accept both; optional properties accept null; with `strict`,
 * objects that list properties forbid others.
 */
function rewrite(value: unknown, strict: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => rewrite(item, strict));
  if (!isSchema(value)) return value;
  const out: Schema = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '$ref' && typeof item === 'string' && item.startsWith(REF_PREFIX)) out[key] = `#/definitions/${item.slice(REF_PREFIX.length)}`;
    else if (key === 'properties' && isSchema(item)) {
      // Property names are not schemas: rewrite each value, keep every name.
      const required = new Set(Array.isArray(value['required']) ? value['required'] : []);
      out[key] = Object.fromEntries(Object.entries(item).map(([name, schema]) => {
        const rewritten = rewrite(schema, strict);
        return [name, required.has(name) ? rewritten : nullable(rewritten)];
      }));
    } else out[key] = rewrite(item, strict);
  }
  if (out['format'] === 'int-or-string' || out['x-kubernetes-int-or-string'] === true) {
    delete out['type'];
    delete out['format'];
    if (!('oneOf' in out) && !('anyOf' in out)) out['oneOf'] = [{ type: 'string' }, { type: 'integer' }];
  }
  if (strict && isSchema(out['properties']) && !('additionalProperties' in out)) out['additionalProperties'] = false;
  return out;
}

/**
 * An optional field may also be null: the API server reads null as unset, and
 * `kubectl create --dry-run=client -o yaml` writes `creationTimestamp: null`.
 * kubeconform's published schemas allow it the same way.
 */
function nullable(schema: unknown): unknown {
  if (!isSchema(schema)) return schema;
  if (typeof schema['type'] === 'string') return { ...schema, type: [schema['type'], 'null'] };
  if (Array.isArray(schema['type'])) return schema['type'].includes('null') ? schema : { ...schema, type: [...schema['type'], 'null'] };
  return { anyOf: [{ type: 'null' }, schema] };
}

/** Every definition of the documents by name; the same name in two documents is the same type, the first is kept. */
export function mergeDefinitions(documents: readonly OpenApiV3Document[]): Map<string, Schema> {
  const definitions = new Map<string, Schema>();
  for (const document of documents) {
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) if (!definitions.has(name)) definitions.set(name, schema);
  }
  return definitions;
}

function groupVersionKinds(schema: Schema): GroupVersionKind[] {
  const list = schema['x-kubernetes-group-version-kind'];
  if (!Array.isArray(list)) return [];
  return list.filter(isSchema).flatMap((gvk) =>
    typeof gvk['group'] === 'string' && typeof gvk['version'] === 'string' && typeof gvk['kind'] === 'string'
      ? [{ group: gvk['group'], version: gvk['version'], kind: gvk['kind'] }]
      : []);
}

/**
 * The kubeconform schema files for every kind the definitions declare (by
 * x-kubernetes-group-version-kind), as file name -> schema. A definition
 * shared by several group versions (DeleteOptions) gets a file for each; list
 * kinds (DeploymentList) are kinds too and get theirs.
 */
export function kubeconformSchemas(definitions: ReadonlyMap<string, Schema>, options: { strict: boolean }): Map<string, Schema> {
  const files = new Map<string, Schema>();
  for (const [name, schema] of definitions) {
    const kinds = groupVersionKinds(schema);
    if (kinds.length === 0) continue;
    const reached = new Set<string>();
    const pending = [...refsOf(schema, new Set())];
    while (pending.length > 0) {
      const next = pending.pop() as string;
      if (reached.has(next)) continue;
      const target = definitions.get(next);
      if (!target) throw new Error(`${name} refers to ${next}, which no document defines`);
      reached.add(next);
      pending.push(...refsOf(target, new Set()));
    }
    // No $schema: kubeconform's validator then reads the file as its newest draft, where a $ref's sibling keywords count too.
    const file = rewrite(schema, options.strict) as Schema;
    if (reached.size > 0) {
      file['definitions'] = Object.fromEntries([...reached].sort().map((ref) => [ref, rewrite(definitions.get(ref), options.strict)]));
    }
    for (const gvk of kinds) files.set(schemaFileName(gvk), file);
  }
  return files;
}
