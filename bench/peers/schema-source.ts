// The JSON schemas kubeconform validates against, generated from the OpenAPI
// v3 documents of a real kube-apiserver (the one the tests build and run,
// test/helpers/control-plane.ts), so they describe exactly the Kubernetes
// version the project tests against. Cached in the tools cache by Kubernetes
// version and by the converter's source; the first run starts a control plane
// for a few seconds (and builds it if no earlier run did).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { controlPlaneBinaries, startControlPlane } from '../../test/helpers/control-plane.js';
import type { ApiResponse } from '../../test/helpers/control-plane.js';
import { repoRoot } from '../../test/helpers/repo.js';
import { toolsCacheDir } from './measure.js';
import { kubeconformSchemas, mergeDefinitions } from './schemas.js';
import type { OpenApiV3Document } from './schemas.js';

const COMPLETE_MARKER = '.complete';

/** The API server labels its OpenAPI documents with their own content types, which the request helper does not parse. */
function jsonBody(response: ApiResponse, what: string): unknown {
  if (response.status !== 200) throw new Error(`GET ${what}: HTTP ${response.status}`);
  return typeof response.body === 'string' ? JSON.parse(response.body) : response.body;
}

/** The folder of strict standalone schemas, one `{kind}-{group}-{version}.json` per kind. */
export async function kubeconformSchemaDir(log: (line: string) => void): Promise<string> {
  const { k8sVersion } = controlPlaneBinaries();
  const converter = readFileSync(join(repoRoot(), 'bench', 'peers', 'schemas.ts'));
  const key = createHash('sha256').update(converter).digest('hex').slice(0, 12);
  const dir = join(toolsCacheDir(), `kubeconform-schemas-${k8sVersion}-${key}`);
  if (existsSync(join(dir, COMPLETE_MARKER))) return dir;

  log(`generating kubeconform schemas from kube-apiserver ${k8sVersion}'s /openapi/v3 into ${dir}`);
  const cp = await startControlPlane();
  const documents: OpenApiV3Document[] = [];
  try {
    const index = jsonBody(await cp.request('GET', '/openapi/v3'), '/openapi/v3') as { paths: Record<string, { serverRelativeURL: string }> };
    for (const { serverRelativeURL } of Object.values(index.paths)) {
      documents.push(jsonBody(await cp.request('GET', serverRelativeURL), serverRelativeURL) as OpenApiV3Document);
    }
  } finally {
    await cp.stop();
  }
  const files = kubeconformSchemas(mergeDefinitions(documents), { strict: true });
  const partial = `${dir}.${process.pid}.tmp`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  for (const [name, schema] of files) writeFileSync(join(partial, name), JSON.stringify(schema));
  writeFileSync(join(partial, COMPLETE_MARKER), `${files.size} schemas from ${documents.length} group versions\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  log(`${files.size} schemas from ${documents.length} group versions`);
  return dir;
}
