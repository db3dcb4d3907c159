// The pod's view of one container, as the sandbox needs it: command, args,
// env (literal values; ConfigMap, Secret and field references become
// placeholders, listed), working directory, user and group, and where its
// volumes are mounted (memory-backed emptyDirs keep their size limit).
import { isObject } from '../core/path.js';
import type { JsonObject } from '../core/types.js';
import { BUILTIN_POD_SPEC_LOCATIONS, workloadOf } from '../core/workloads.js';
import { parseManifests } from '../input/kube-yaml.js';
import { probeFromManifest } from '../sandbox/probe.js';
import type { ProbeSpec } from '../sandbox/probe.js';

export interface PodContainerView {
  workload: string;
  container: string;
  image: string | undefined;
  command?: string[];
  args?: string[];
  /** KEY=value strings. */
  env: string[];
  /** Env vars whose value comes from elsewhere: set to a placeholder. */
  placeholders: string[];
  workingDir?: string;
  runAsUser?: number;
  runAsGroup?: number;
  volumeMounts: { path: string; volume: string; size?: string }[];
  /** The probe `verify` makes: the readinessProbe, else the livenessProbe (httpGet, tcpSocket or exec). */
  probe?: { from: 'readinessProbe' | 'livenessProbe'; spec: ProbeSpec };
  /** Why the probe could not be read (a named port the container does not declare): `verify` refuses to run without it. */
  probeError?: string;
}

/** containerPort by name, for probes that name their port. */
function namedPorts(spec: JsonObject): Map<string, number> {
  const ports = new Map<string, number>();
  for (const port of Array.isArray(spec['ports']) ? spec['ports'] : []) {
    if (isObject(port) && typeof port['name'] === 'string' && typeof port['containerPort'] === 'number') ports.set(port['name'], port['containerPort']);
  }
  return ports;
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map(String) : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** Kubernetes quantity (64Mi) to a tmpfs size option (67108864). */
export function tmpfsSize(quantity: unknown): string | undefined {
  if (typeof quantity !== 'string' && typeof quantity !== 'number') return undefined;
  const match = /^(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(quantity));
  if (!match) return undefined;
  const factor: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return String(Number(match[1]) * factor[match[2] ?? '']!);
}

function podContainer(object: JsonObject, containerName: string | undefined): PodContainerView | undefined {
  const workload = workloadOf(object, BUILTIN_POD_SPEC_LOCATIONS);
  if (!workload) return undefined;
  const candidates = workload.containers.filter((c) => c.type === 'container');
  const view = containerName === undefined ? candidates[0] : workload.containers.find((c) => c.name === containerName);
  if (!view) return undefined;
  const spec = view.spec;
  const podSecurity = isObject(workload.podSpec['securityContext']) ? workload.podSpec['securityContext'] : {};
  const security = isObject(spec['securityContext']) ? spec['securityContext'] : {};
  const volumes = new Map<string, JsonObject>();
  for (const volume of Array.isArray(workload.podSpec['volumes']) ? workload.podSpec['volumes'] : []) {
    if (isObject(volume) && typeof volume['name'] === 'string') volumes.set(volume['name'], volume);
  }
  const env: string[] = [];
  const placeholders: string[] = [];
  for (const entry of Array.isArray(spec['env']) ? spec['env'] : []) {
    if (!isObject(entry) || typeof entry['name'] !== 'string') continue;
    if (entry['valueFrom'] !== undefined) {
      placeholders.push(entry['name']);
      env.push(`${entry['name']}=rootlock-placeholder`);
    } else env.push(`${entry['name']}=${entry['value'] === undefined ? '' : String(entry['value'])}`);
  }
  const volumeMounts: PodContainerView['volumeMounts'] = [];
  for (const mount of Array.isArray(spec['volumeMounts']) ? spec['volumeMounts'] : []) {
    if (!isObject(mount) || typeof mount['mountPath'] !== 'string' || typeof mount['name'] !== 'string') continue;
    const emptyDir = volumes.get(mount['name'])?.['emptyDir'];
    const size = isObject(emptyDir) && emptyDir['medium'] === 'Memory' ? tmpfsSize(emptyDir['sizeLimit']) : undefined;
    volumeMounts.push({ path: mount['mountPath'], volume: mount['name'], ...(size ? { size } : {}) });
  }
  const metadata = isObject(object['metadata']) ? object['metadata'] : {};
  const result: PodContainerView = {
    workload: `${String(object['kind'])}/${typeof metadata['name'] === 'string' ? metadata['name'] : '?'}`,
    container: view.name, image: view.image, env, placeholders, volumeMounts,
  };
  const command = strings(spec['command']);
  const args = strings(spec['args']);
  if (command) result.command = command;
  if (args) result.args = args;
  if (typeof spec['workingDir'] === 'string') result.workingDir = spec['workingDir'];
  const runAsUser = num(security['runAsUser']) ?? num(podSecurity['runAsUser']);
  const runAsGroup = num(security['runAsGroup']) ?? num(podSecurity['runAsGroup']);
  if (runAsUser !== undefined) result.runAsUser = runAsUser;
  if (runAsGroup !== undefined) result.runAsGroup = runAsGroup;
  try {
    for (const from of ['readinessProbe', 'livenessProbe'] as const) {
      const probe = probeFromManifest(spec[from], namedPorts(spec), `${result.workload} container ${view.name} ${from}`);
      if (probe) {
        result.probe = { from, spec: probe };
        break;
      }
    }
  } catch (error) {
    result.probeError = error instanceof Error ? error.message : String(error);
  }
  return result;
}

/** The named container (or the first app container) of the first workload in the manifest text that has it. */
export function findPodContainer(text: string, file: string, containerName?: string): PodContainerView {
  const parsed = parseManifests(text, file);
  if (parsed.errors.length) throw new Error(parsed.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`).join('\n'));
  for (const document of parsed.documents) {
    if (!isObject(document.value)) continue;
    const view = podContainer(document.value, containerName);
    if (view) return view;
  }
  throw new Error(`${file}: no workload with ${containerName === undefined ? 'a container' : `a container named ${containerName}`}`);
}
