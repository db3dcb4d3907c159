// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. Every rule in
// the run is described (not only those with findings) so a viewer can show
// the help of a rule that passes; input errors are tool notifications, not
// results, because they say nothing about the workload.
import { createHash } from 'node:crypto';
import type * as Sarif from 'sarif';
import type { RuleDefinition } from '../core/rule.js';
import type { Finding, InputError, Notice, Severity } from '../core/types.js';
import { streamContextOf, wholeRenderer } from './model.js';
import type { RenderContext, Renderer, StreamContext, StreamRenderer } from './model.js';
import { streamJsonDocument } from './json-stream.js';
import { objectId, PROJECT_URL, ruleDocUrl } from './labels.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Base the `uri` of every repository file is relative to; GitHub resolves it to the checkout. */
export const SOURCE_ROOT = '%SRCROOT%';
/** Name of the partial fingerprint; bump the suffix if the hashed fields ever change. */
export const FINGERPRINT_KEY = 'rootlockFinding/v1';

const LEVELS: Record<Severity, Sarif.ReportingConfiguration.level> = { error: 'error', warning: 'warning', info: 'note' };
/** GitHub maps these to critical/high (>= 7), medium (>= 4) and low (> 0) alerts. */
const SECURITY_SEVERITY: Record<Severity, string> = { error: '8.0', warning: '5.0', info: '2.0' };
const TAGS = ['security', 'immutability'];
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * A file name as a URI reference: `-` is stdin, absolute paths become file:
 * URIs, everything else is relative to the source root with forward slashes
 * and each segment percent-encoded (a space or a colon would otherwise make
 * an invalid or misread reference).
 */
export function artifactLocation(file: string): Sarif.ArtifactLocation {
  if (file === '-') return { uri: 'stdin' };
  const slashed = file.replace(/\\/g, '/');
  const encode = (path: string) => path.split('/').map(encodeURIComponent).join('/');
  const drive = /^([A-Za-z]):\//.exec(slashed);
  if (drive) return { uri: `file:///${drive[1]}:/${encode(slashed.slice(3))}` };
  if (slashed.startsWith('/')) return { uri: `file://${encode(slashed)}` };
  return { uri: encode(slashed.replace(/^(?:\.\/)+/, '')), uriBaseId: SOURCE_ROOT };
}

/** Base of the API references that name live objects (`apps/v1/namespaces/shop/deployments/web`) in a cluster audit. */
export const CLUSTER_ROOT = 'CLUSTER';

/** A live object's API reference relative to CLUSTER_ROOT; the API server's own URL stays absolute. */
export function clusterArtifactLocation(file: string): Sarif.ArtifactLocation {
  if (/^https?:\/\//.test(file)) return { uri: file };
  return { uri: file.split('/').map(encodeURIComponent).join('/'), uriBaseId: CLUSTER_ROOT };
}

/** A region needs startLine >= 1; without a line there is no region at all. */
function region(item: { line?: number; column?: number; endLine?: number; endColumn?: number }): Sarif.Region | undefined {
  if (item.line === undefined || item.line < 1) return undefined;
  const result: Sarif.Region = { startLine: item.line };
  if (item.column !== undefined && item.column >= 1) result.startColumn = item.column;
  if (item.endLine !== undefined && item.endLine >= item.line) {
    result.endLine = item.endLine;
    if (item.endColumn !== undefined && item.endColumn >= 1) result.endColumn = item.endColumn;
  }
  return result;
}

function physicalLocation(item: { file: string; line?: number; column?: number; endLine?: number; endColumn?: number }, live: boolean): Sarif.Location {
  const where = region(item);
  const artifact = live ? clusterArtifactLocation(item.file) : artifactLocation(item.file);
  return { physicalLocation: { artifactLocation: artifact, ...(where ? { region: where } : {}) } };
}

function ruleDescriptor(rule: RuleDefinition): Sarif.ReportingDescriptor {
  const helpUri = ruleDocUrl(rule.id);
  return {
    id: rule.id,
    name: rule.id,
    shortDescription: { text: rule.docs.summary },
    fullDescription: { text: rule.docs.rationale },
    help: {
      text: `${rule.docs.remediation}\n\nWhy it matters: ${rule.docs.rationale}`,
      markdown: `**How to fix**\n\n${rule.docs.remediation}\n\n**Why it matters**\n\n${rule.docs.rationale}\n\n[${rule.id}](${helpUri})`,
    },
    helpUri,
    defaultConfiguration: { level: LEVELS[rule.severity] },
    properties: { tags: TAGS, 'security-severity': SECURITY_SEVERITY[rule.severity] },
  };
}

/** A descriptor for a finding whose rule the context does not describe, so ruleIndex always points somewhere. */
function bareDescriptor(finding: Finding): Sarif.ReportingDescriptor {
  return {
    id: finding.rule,
    name: finding.rule,
    helpUri: ruleDocUrl(finding.rule),
    defaultConfiguration: { level: LEVELS[finding.severity] },
    properties: { tags: TAGS, 'security-severity': SECURITY_SEVERITY[finding.severity] },
  };
}

/**
 * Identity of a finding that survives edits elsewhere in the file: no line or
 * column, only what names the problem. GitHub uses it to track an alert
 * across commits.
 */
export function findingFingerprint(finding: Finding): string {
  const parts = [
    finding.rule,
    finding.file,
    finding.object.apiVersion,
    finding.object.kind,
    finding.object.namespace ?? '',
    finding.object.name,
    finding.container ?? '',
    finding.path,
  ];
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

function logicalLocations(finding: Finding): Sarif.LogicalLocation[] {
  const object = objectId(finding.object);
  const locations: Sarif.LogicalLocation[] = [
    {
      kind: 'resource',
      name: finding.object.name,
      fullyQualifiedName: object,
      properties: { apiVersion: finding.object.apiVersion, kind: finding.object.kind, ...(finding.object.namespace ? { namespace: finding.object.namespace } : {}) },
    },
  ];
  if (finding.container !== undefined) {
    const type = finding.containerType ?? 'container';
    locations.push({ kind: 'member', name: finding.container, fullyQualifiedName: `${object}/${type}/${finding.container}`, properties: { containerType: type } });
  }
  return locations;
}

/** Ends the message with a full stop so the appended fix hint reads as a second sentence. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function result(finding: Finding, ruleIndex: number, live: boolean): Sarif.Result {
  const properties: Sarif.PropertyBag = { path: finding.path, fixable: finding.fixable };
  if (finding.helmSource !== undefined) properties['helmSource'] = finding.helmSource;
  if (finding.documentIndex !== undefined) properties['documentIndex'] = finding.documentIndex;
  if (finding.pods !== undefined) properties['pods'] = finding.pods;
  if (finding.owner !== undefined) properties['owner'] = objectId(finding.owner);
  return {
    ruleId: finding.rule,
    ruleIndex,
    level: LEVELS[finding.severity],
    message: { text: `${sentence(finding.message)} Fix: ${finding.hint}` },
    locations: [{ ...physicalLocation(finding, live), logicalLocations: logicalLocations(finding) }],
    partialFingerprints: { [FINGERPRINT_KEY]: findingFingerprint(finding) },
    ...(finding.exempted
      ? {
          suppressions: [
            {
              kind: finding.exemption?.source === 'config' ? 'external' : 'inSource',
              status: 'accepted',
              ...(finding.exemption?.reason ? { justification: finding.exemption.reason } : {}),
            },
          ],
        }
      : {}),
    properties,
  };
}

function notification(item: InputError | Notice, level: Sarif.Notification.level, live: boolean): Sarif.Notification {
  return {
    level,
    message: { text: item.message },
    descriptor: { id: item.code },
    locations: [physicalLocation(item, live)],
  };
}

/** The log with `results` given; rules include a bare descriptor for any finding whose rule is not registered. */
function buildLog(context: StreamContext, results: Sarif.Result[], rules: Sarif.ReportingDescriptor[]): Sarif.Log {
  const { report } = context;
  const live = report.cluster !== undefined;
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            ...(SEMVER.test(report.tool.version) ? { semanticVersion: report.tool.version } : {}),
            informationUri: PROJECT_URL,
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: report.errors.length === 0,
            toolExecutionNotifications: [...report.errors.map((e) => notification(e, 'error', live)), ...report.notices.map((n) => notification(n, 'note', live))],
          },
        ],
        ...(report.cluster
          ? {
              originalUriBaseIds: {
                [CLUSTER_ROOT]: { description: { text: `Kubernetes API objects of context ${report.cluster.context} at ${report.cluster.server}, named as apiVersion/namespaces/<namespace>/<resource>/<name>` } },
              },
            }
          : {}),
        // Columns are offsets into JavaScript strings.
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

/** Rule descriptors and each rule id's index: the registered rules, then any other rule a finding names, in order of appearance. */
function ruleTable(context: StreamContext): { rules: Sarif.ReportingDescriptor[]; ruleIndex: Map<string, number> } {
  const rules = context.rules.map(ruleDescriptor);
  const ruleIndex = new Map(context.rules.map((rule, index) => [rule.id, index]));
  for (const finding of context.findings) {
    if (!ruleIndex.has(finding.rule)) {
      ruleIndex.set(finding.rule, rules.length);
      rules.push(bareDescriptor(finding));
    }
  }
  return { rules, ruleIndex };
}

export function sarifLog(context: RenderContext): Sarif.Log {
  const stream = streamContextOf(context);
  const { rules, ruleIndex } = ruleTable(stream);
  const live = context.report.cluster !== undefined;
  return buildLog(stream, [...stream.findings].map((finding) => result(finding, ruleIndex.get(finding.rule) as number, live)), rules);
}

export const streamSarif: StreamRenderer = (context) => {
  const { rules, ruleIndex } = ruleTable(context);
  const live = context.report.cluster !== undefined;
  return streamJsonDocument(
    (results) => buildLog(context, results as Sarif.Result[], rules),
    context.findings,
    context.findings.count,
    (finding) => result(finding, ruleIndex.get(finding.rule) as number, live),
  );
};

export const renderSarif: Renderer = wholeRenderer(streamSarif);
