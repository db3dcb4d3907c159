// The chart in deploy/chart rendered by the real helm v4 (test/render/build-helm.sh
// builds it when missing), and the switch combinations the chart tests cover.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../helpers/repo.js';
import { renderTool } from '../render/tools.js';

const exec = promisify(execFile);

export const CHART_DIR = (): string => join(repoRoot(), 'deploy', 'chart');
export const PINNED_DIGEST = `sha256:${'a'.repeat(64)}`;

export type Values = Record<string, unknown>;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** One helm invocation, with the values (when given) in a file as users pass them; returns stdout, throws with stderr on failure. */
export async function helm(args: string[], values?: Values, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rootlock-chart-'));
  try {
    const valuesFile = join(dir, 'values.json');
    if (values) writeFileSync(valuesFile, JSON.stringify(values));
    const { stdout } = await exec(renderTool('helm'), values ? [...args, '--values', valuesFile] : args, {
      maxBuffer: 64 * 1024 * 1024,
      // helm keeps its caches and config under HOME; a fresh one per run keeps runs independent.
      env: { PATH: process.env['PATH'] ?? '', HOME: dir, ...env },
    });
    return stdout;
  } catch (error) {
    const failed = error as { stderr?: string; message: string };
    throw new Error(`helm ${args.join(' ')} with ${JSON.stringify(values)}: ${failed.stderr ?? failed.message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The APIs of the tools the chart can work with, as a cluster that has them all serves them (helm template --api-versions). */
export const OPTIONAL_APIS = ['wgpolicyk8s.io/v1alpha2', 'cert-manager.io/v1', 'templates.gatekeeper.sh/v1', 'constraints.gatekeeper.sh/v1beta1', 'policies.kyverno.io/v1'];

/** helm template, as for a cluster that serves `apiVersions` (default: every optional API, so no part is refused). */
export function renderChart(values: Values = {}, releaseName = 'rootlock', apiVersions: string[] = OPTIONAL_APIS): Promise<string> {
  return helm(['template', releaseName, CHART_DIR(), ...apiVersions.flatMap((v) => ['--api-versions', v])], values);
}

export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
    return doc.toJS() as K8sObject | null;
  }).filter((o): o is K8sObject => o !== null);
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

/** A value path (webhook.mutate) set in a nested values object. */
export function withValue(values: Values, path: string, value: unknown): Values {
  const out = structuredClone(values);
  const keys = path.split('.');
  let node = out;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Values;
  node[keys[keys.length - 1]!] = value;
  return out;
}

export interface Combination {
  name: string;
  values: Values;
}

/**
 * Every combination of the main switches: the webhook (off, validating, validating and mutating) with its
 * certificate source, the auditor (off, metrics only, PolicyReports), the CRDs, the drift DaemonSet with the
 * dashboard (on and off together, which keeps the count), and the policy engine. Policy actions and other values are covered one at a time by the tests.
 */
export function switchCombinations(): Combination[] {
  const webhooks: Combination[] = [{ name: 'webhook off', values: { webhook: { enabled: false } } }];
  for (const source of ['helm', 'cert-manager']) {
    for (const mutate of [false, true]) {
      webhooks.push({ name: `webhook ${mutate ? 'validate+mutate' : 'validate'} (${source} certificates)`, values: { webhook: { enabled: true, mutate, certificates: { source } } } });
    }
  }
  const audits: Combination[] = [
    { name: 'audit off', values: { audit: { enabled: false } } },
    { name: 'audit metrics only', values: { audit: { enabled: true, policyReports: false } } },
    { name: 'audit with PolicyReports', values: { audit: { enabled: true, policyReports: true } } },
  ];
  const out: Combination[] = [];
  for (const webhook of webhooks) {
    for (const audit of audits) {
      for (const crds of [false, true]) {
        for (const drift of [false, true]) {
          for (const engine of ['none', 'gatekeeper', 'kyverno', 'vap']) {
            out.push({
              name: `${webhook.name}, ${audit.name}, CRDs ${crds ? 'on' : 'off'}, drift and dashboard ${drift ? 'on' : 'off'}, policies ${engine}`,
              values: { ...webhook.values, ...audit.values, policyReportCRDs: { install: crds }, drift: { enabled: drift }, dashboard: { enabled: drift }, policies: { engine } },
            });
          }
        }
      }
    }
  }
  return out;
}

/** Runs `work` over items with at most `limit` at a time (helm is a process each; the machine has two cores). */
export async function inBatches<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
