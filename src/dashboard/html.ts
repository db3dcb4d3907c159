// `rootlock audit --format html`: one self-contained page, written piece by
// piece like the other formats. The summary (scores, namespaces) is HTML
// rendered here, every manifest string escaped; findings, workloads and fixes
// go into `<script type="application/json">` blocks (JSON with `<` escaped,
// so no text can close the block) that the page's own script turns into
// elements with textContent. At 20,000 workloads the page stays quick because
// it builds the elements of a group only when the group is opened.
import { createHash } from 'node:crypto';
import type { Finding } from '../core/types.js';
import type { StreamContext, StreamRenderer } from '../report/model.js';
import { fileLocation, ruleDocUrl } from '../report/labels.js';
import type { DriftView } from './drift.js';
import type { PathCoverage, ProfileView } from './profiles.js';
import { PAGE_SCRIPT, PAGE_STYLE } from './page-assets.js';
import { checklistItems, itemOfRule, ScoreMean, workloadScore } from './score.js';
import type { ChecklistItem } from './score.js';
import { entryKey } from './workloads.js';
import type { WorkloadEntry, WorkloadSource } from './workloads.js';

export interface HtmlExtras {
  /** Every workload of the input and its fix preview (manifest audits); without it, only objects with findings are listed. */
  workloads?: WorkloadSource;
  drift?: DriftView;
  /** `--profile FILE`: what each profiled image writes, and how the input's containers of that image mount it. */
  profiles?: readonly ProfileView[];
  /**
   * `rootlock dashboard`: when it took the data (ISO time: its own audit, or its read of the PolicyReports), why
   * the latest attempt failed if it did, and with `reports` (data from the continuous auditor's PolicyReports)
   * `changedAt`, the reports' newest write: the auditor writes only when findings change, so that is when they
   * last changed, not when the auditor last looked.
   */
  taken?: { at: string; lastError?: string; reports?: number; changedAt?: string };
}

/** Escapes text for HTML content and double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** JSON that cannot end its <script> block or open a comment in it: every `<` is written `\u003c`. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** No network, no plug-ins, no forms: only the page's own script and style, and images only as data: URLs. */
export const CONTENT_SECURITY_POLICY = `default-src 'none'; script-src ${sha256(PAGE_SCRIPT)}; style-src ${sha256(PAGE_STYLE)}; img-src data:; base-uri 'none'; form-action 'none'`;

const SEVERITIES = ['error', 'warning', 'info'] as const;

interface Entry {
  file: string;
  line: number;
  object: WorkloadEntry['object'];
  helmSource?: string;
  /** Scored: a workload (manifest audits: every workload; cluster audits: objects with checklist findings). */
  workload: boolean;
  missed: number;
  fix: number;
}

interface Tally {
  entries: Entry[];
  byKey: Map<string, number>;
  namespaces: Map<string, { score: ScoreMean; errors: number; warnings: number; info: number }>;
  overall: ScoreMean;
}

/** First pass over the findings: one entry per object, the checklist items each workload misses, and the scores. */
function tally(context: StreamContext, extras: HtmlExtras, items: readonly ChecklistItem[]): Tally {
  const itemByRule = itemOfRule(items);
  const entries: Entry[] = [];
  const byKey = new Map<string, number>();
  for (const workload of extras.workloads?.workloads ?? []) {
    byKey.set(entryKey(workload.file, workload.documentIndex, workload.object), entries.length);
    entries.push({ file: workload.file, line: workload.line ?? 0, object: workload.object, ...(workload.helmSource !== undefined ? { helmSource: workload.helmSource } : {}), workload: true, missed: 0, fix: workload.fix ?? -1 });
  }
  const severityCounts: Array<{ errors: number; warnings: number; info: number }> = [];
  for (const finding of context.findings) {
    const key = entryKey(finding.file, finding.documentIndex, finding.object);
    let index = byKey.get(key);
    if (index === undefined) {
      index = entries.length;
      byKey.set(key, index);
      entries.push({ file: finding.file, line: finding.line ?? 0, object: finding.object, ...(finding.helmSource !== undefined ? { helmSource: finding.helmSource } : {}), workload: false, missed: 0, fix: -1 });
    }
    const entry = entries[index] as Entry;
    const counts = (severityCounts[index] ??= { errors: 0, warnings: 0, info: 0 });
    if (finding.exempted) continue;
    if (finding.severity === 'error') counts.errors++;
    else if (finding.severity === 'warning') counts.warnings++;
    else counts.info++;
    const item = itemByRule.get(finding.rule);
    if (item !== undefined) {
      entry.missed |= 1 << item;
      // Without the workload list (live clusters), an object is scored when a checklist rule reports on it.
      if (extras.workloads === undefined) entry.workload = true;
    }
  }
  const namespaces: Tally['namespaces'] = new Map();
  const overall = new ScoreMean();
  entries.forEach((entry, index) => {
    const namespace = entry.object.namespace ?? '';
    const row = namespaces.get(namespace) ?? { score: new ScoreMean(), errors: 0, warnings: 0, info: 0 };
    namespaces.set(namespace, row);
    const counts = severityCounts[index];
    if (counts) {
      row.errors += counts.errors;
      row.warnings += counts.warnings;
      row.info += counts.info;
    }
    if (!entry.workload) return;
    const score = workloadScore(items, entry.missed);
    row.score.add(score);
    overall.add(score);
  });
  // A live cluster's workloads without findings are not listed, but they meet every item.
  if (extras.workloads === undefined) for (let clean = context.report.summary.workloads - overall.count; clean > 0; clean--) overall.add(100);
  return { entries, byKey, namespaces, overall };
}

function bar(score: number | undefined): string {
  const width = score ?? 0;
  return `<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect class="track" width="100" height="10"/><rect class="fill" width="${width}" height="10"/></svg>`;
}

function timeHtml(id: string, at: string): string {
  return `<time id="${id}" datetime="${escapeHtml(at)}">${escapeHtml(at)}</time>`;
}

function takenHtml(taken: HtmlExtras['taken']): string {
  if (taken === undefined) return '';
  const error = taken.lastError !== undefined ? ` The latest read of the cluster failed (${escapeHtml(taken.lastError)}); this is the data of the one before.` : '';
  if (taken.reports === undefined) {
    return `<p id="rl-taken">Data taken at ${timeHtml('rl-read', taken.at)}. <span id="rl-source" data-source="audit">From the dashboard's own audit of the cluster, made then.</span>${error}</p>`;
  }
  // Both times, when they differ: the auditor checks the cluster all the time but writes a report only when its findings change.
  const changed = taken.changedAt !== undefined && taken.changedAt !== taken.at
    ? ` <span id="rl-changed-note">Findings last changed at ${timeHtml('rl-changed', taken.changedAt)}: the newest write of the reports. The auditor watches the cluster and writes a report only when its findings change, so an older time does not mean it stopped looking.</span>`
    : '';
  return `<p id="rl-taken">Data taken at ${timeHtml('rl-read', taken.at)}. <span id="rl-source" data-source="policy-reports">From the continuous auditor: ${taken.reports} PolicyReport(s) written by <code>rootlock audit --cluster --watch --policy-reports</code>, read by the dashboard then.</span>${changed}${error}</p>`;
}

function summaryHtml(context: StreamContext, items: readonly ChecklistItem[], totals: Tally, taken?: HtmlExtras['taken']): string {
  const { report } = context;
  const s = report.summary;
  const cluster = report.cluster;
  const scope = cluster
    ? `Cluster ${escapeHtml(cluster.context)} (${escapeHtml(cluster.server)}), ${cluster.namespaces ? `namespace(s) ${cluster.namespaces.map(escapeHtml).join(', ')}` : 'all namespaces'}${cluster.selector !== undefined ? `, selector ${escapeHtml(cluster.selector)}` : ''}: ${s.objects} object(s), ${s.workloads} workload(s)${taken?.reports !== undefined ? '' : `, ${cluster.pods} pod(s)`}`
    : `${s.files} file(s), ${s.objects} object(s), ${s.workloads} workload(s)`;
  const score = totals.overall.value;
  const verdict = s.failed ? `failed: findings at or above ${escapeHtml(s.failOn)}` : 'passed';
  const card = (id: string, value: string, name: string) => `<div class="card" id="${id}"><strong>${value}</strong>${name}</div>`;
  const namespaceRows = [...totals.namespaces]
    .filter(([, row]) => row.score.count > 0 || row.errors + row.warnings + row.info > 0)
    .sort(([a, x], [b, y]) => (x.score.value ?? 101) - (y.score.value ?? 101) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, row]) => `<tr data-namespace="${escapeHtml(name)}"><td>${name === '' ? '<span class="muted">(no namespace)</span>' : escapeHtml(name)}</td><td>${row.score.count}</td><td class="ns-score">${row.score.value ?? '—'}</td><td>${bar(row.score.value)}</td><td>${row.errors}</td><td>${row.warnings}</td><td>${row.info}</td></tr>`)
    .join('');
  const itemRows = items.map((item) => `<tr><td>${escapeHtml(item.text)}</td><td>${item.rules.map((rule) => `<a href="${escapeHtml(ruleDocUrl(rule))}">${escapeHtml(rule)}</a>`).join(', ')}</td><td>${item.weight}</td></tr>`).join('');
  return [
    `<header><h1>rootlock audit report</h1><p class="muted">${scope}, audited with rootlock ${escapeHtml(report.tool.version)}: ${verdict}.</p>${takenHtml(taken)}</header>`,
    '<main>',
    '<section aria-labelledby="h-summary"><h2 id="h-summary">Summary</h2><div class="cards">',
    card('rl-score', score === undefined ? '—' : `${score}`, 'score (of 100)'),
    card('rl-errors', `${s.bySeverity.error}`, 'errors'),
    card('rl-warnings', `${s.bySeverity.warning}`, 'warnings'),
    card('rl-info', `${s.bySeverity.info}`, 'info'),
    card('rl-exempted', `${s.exempted}`, 'exempted'),
    card('rl-workloads', `${s.workloads}`, 'workloads'),
    card('rl-input-errors', `${s.errors}`, 'input errors'),
    '</div>',
    `<details id="rl-score-help"><summary>How the score is computed</summary><p>Each workload is scored against the immutability checklist of the CKS study guide: the ${items.length} items below that the audit's rules check. An item is met when the workload has no finding of the item's rules (exempted findings do not count against it). Items are weighted by severity: 3 when one of the item's rules is an error by default, 2 for a warning, 1 for info. A workload's score is the weight of the items it meets over the weight of all items, times 100. A namespace's score and the score of the whole input are the mean of their workloads' scores, so every workload counts the same. Findings of rules outside the checklist are listed but do not change the score.</p>`,
    `<div class="scroll"><table><thead><tr><th scope="col">checklist item</th><th scope="col">rules</th><th scope="col">weight</th></tr></thead><tbody>${itemRows}</tbody></table></div></details>`,
    '</section>',
    `<section aria-labelledby="h-namespaces"><h2 id="h-namespaces">Namespaces</h2><div class="scroll"><table id="rl-namespaces"><thead><tr><th scope="col">namespace</th><th scope="col">workloads</th><th scope="col">score</th><th scope="col">score bar</th><th scope="col">errors</th><th scope="col">warnings</th><th scope="col">info</th></tr></thead><tbody>${namespaceRows}</tbody></table></div></section>`,
  ].join('');
}

const CONTROLS = [
  '<section aria-labelledby="h-findings"><h2 id="h-findings">Findings</h2>',
  '<form id="rl-controls" class="controls" role="search" aria-label="filter findings">',
  '<fieldset><legend>severity</legend>',
  ...['error', 'warning', 'info', 'exempt'].map((name) => `<label><input type="checkbox" name="sev-${name}" checked> ${name === 'exempt' ? 'exempted' : name}</label>`),
  '</fieldset>',
  '<label>rule<select name="rule"><option value="">all rules</option></select></label>',
  '<label>namespace<select name="namespace"><option value="">all namespaces</option></select></label>',
  '<label>text<input type="search" name="text" placeholder="name, image, message…"></label>',
  '<label>group by<select name="group"><option value="workload">workload</option><option value="rule">rule</option></select></label>',
  '<label>sort<select name="sort"><option value="score">lowest score first</option><option value="findings">most findings first</option><option value="name">name</option></select></label>',
  '<fieldset><legend>also</legend><label><input type="checkbox" name="clean"> workloads without findings</label></fieldset>',
  '</form>',
  '<p id="rl-count" role="status" aria-live="polite"></p><div id="rl-results"></div><button type="button" id="rl-more" hidden>Show more</button></section>',
].join('');

function itemsHtml(title: string, items: readonly { file: string; line?: number; column?: number; message: string; code: string }[]): string {
  if (items.length === 0) return '';
  const shown = items.slice(0, 1000);
  const rows = shown.map((item) => `<li><span class="mono">${escapeHtml(fileLocation(item))}</span>: ${escapeHtml(item.message)} <span class="muted">(${escapeHtml(item.code)})</span></li>`).join('');
  const rest = items.length > shown.length ? `<p class="muted">and ${items.length - shown.length} more; the JSON report lists them all.</p>` : '';
  return `<section><h2>${title}</h2><ul class="plain">${rows}</ul>${rest}</section>`;
}

function driftHtml(drift: DriftView | undefined): string {
  if (drift === undefined) return '';
  const containers = drift.containers.map((container) => {
    const changes = container.changes.map((change) => `<tr><td class="mono">${escapeHtml(change.path)}</td><td>${escapeHtml(change.kind)}</td><td>${escapeHtml(change.class)}</td><td>${escapeHtml(change.priority)}${change.suppressed ? ' (accepted)' : ''}</td></tr>`);
    const processes = container.processes.map((process) => `<tr><td class="mono">${escapeHtml(process.exe)}</td><td>running (pid ${process.pid}, ${escapeHtml(process.reason)}): ${escapeHtml(process.command)}</td><td>running-executable</td><td>${escapeHtml(process.priority)}</td></tr>`);
    const rows = [...processes, ...changes].join('');
    const problems = container.problems.map((problem) => `<li>${escapeHtml(problem)}</li>`).join('');
    const name = `${container.namespace}/${container.pod} ${container.container}`;
    return `<h3>${escapeHtml(name)} <span class="muted">${escapeHtml(container.image)}</span></h3>` +
      (rows ? `<div class="scroll"><table><thead><tr><th scope="col">path</th><th scope="col">change</th><th scope="col">class</th><th scope="col">priority</th></tr></thead><tbody>${rows}</tbody></table></div>` : '<p>No drift: the writable layer holds no changes.</p>') +
      (problems ? `<ul class="plain">${problems}</ul>` : '');
  }).join('');
  const problems = drift.problems.map((problem) => `<li>${escapeHtml(problem)}</li>`).join('');
  return `<section id="rl-drift" aria-labelledby="h-drift"><h2 id="h-drift">Drift</h2><p class="muted">Scanned on ${escapeHtml(drift.hostname)} at ${escapeHtml(drift.time)}: ${drift.containers.length} container(s).</p>${containers}${problems ? `<ul class="plain">${problems}</ul>` : ''}</section>`;
}

const PATH_STATUS: Record<PathCoverage['status'], (coverage: PathCoverage) => string> = {
  covered: (c) => `covered: ${c.mount?.volumeType ?? ''} volume "${c.mount?.volume ?? ''}" at ${c.mount?.mountPath ?? ''}`,
  'read-only-mount': (c) => `fails: ${c.mount?.mountPath ?? ''} is mounted from ${c.mount?.volumeType === 'undeclared' ? `volume "${c.mount.volume}", which the pod does not declare` : `a ${c.mount?.volumeType ?? ''} volume that is not writable`}`,
  fails: () => 'fails: the root filesystem is read-only and no writable volume is mounted there',
  'would-fail': () => 'would fail with readOnlyRootFilesystem: true: no writable volume is mounted there',
};

function profilesHtml(views: readonly ProfileView[] | undefined): string {
  if (views === undefined || views.length === 0) return '';
  const sections = views.map(({ file, profile, uses, moreUses }) => {
    const name = profile.imageName ?? profile.image;
    const ran = `Profiled for ${profile.durationMs / 1000}s${profile.workload !== undefined ? ` as ${escapeHtml(profile.workload)}, container ${escapeHtml(profile.container ?? '')}` : ''}, from ${escapeHtml(file)} (image ${escapeHtml(profile.image)}).`;
    const written = profile.proposals.map((proposal) => `<tr><td class="mono">${escapeHtml(proposal.path)}</td><td>${proposal.bytes}</td><td>${proposal.paths.length}</td></tr>`).join('');
    const writtenTable = written
      ? `<div class="scroll"><table class="profile-written"><caption>Directories it was seen writing</caption><thead><tr><th scope="col">directory</th><th scope="col">bytes</th><th scope="col">paths written</th></tr></thead><tbody>${written}</tbody></table></div>`
      : '<p>It was seen writing no directory of its root filesystem.</p>';
    const notes = [
      profile.atRoot.length ? `Written directly under / (no directory to mount): <span class="mono">${profile.atRoot.map(escapeHtml).join(', ')}</span>.` : '',
      profile.coveredByVolumes.length ? `Written into the profiled pod's own volumes: <span class="mono">${profile.coveredByVolumes.map(escapeHtml).join(', ')}</span>.` : '',
    ].filter((note) => note !== '').map((note) => `<p>${note}</p>`).join('');
    let usesHtml: string;
    if (profile.imageName === undefined) usesHtml = '<p class="muted">The profile names no image (profile with --pod or --image-name), so no workload is matched to it.</p>';
    else if (uses.length === 0) usesHtml = `<p class="muted">No container of this input runs ${escapeHtml(profile.imageName)}.</p>`;
    else if (uses[0]?.paths.length === 0) usesHtml = `<p>${uses.length + moreUses} container(s) of this input run ${escapeHtml(profile.imageName)}; it was seen writing nothing, so none of them needs a writable volume for it.</p>`;
    else {
      const rows = uses.flatMap((use) => use.paths.map((coverage, index) => {
        const workload = index === 0
          ? `<td rowspan="${use.paths.length}">${escapeHtml(`${use.object.kind} ${use.object.namespace !== undefined ? `${use.object.namespace}/` : ''}${use.object.name}`)}<br><span class="mono muted">${escapeHtml(fileLocation(use))}</span></td><td rowspan="${use.paths.length}">${escapeHtml(use.container)}${use.readOnlyRoot ? '' : ' <span class="muted">(root filesystem writable)</span>'}</td>`
          : '';
        return `<tr class="profile-use" data-status="${coverage.status}">${workload}<td class="mono">${escapeHtml(coverage.path)}</td><td class="${coverage.status === 'covered' ? 'met' : 'missed'}">${escapeHtml(PATH_STATUS[coverage.status](coverage))}</td></tr>`;
      })).join('');
      const more = moreUses ? `<p class="muted">and ${moreUses} more container(s) that run it.</p>` : '';
      usesHtml = `<div class="scroll"><table class="profile-uses"><caption>Containers that run ${escapeHtml(profile.imageName)}</caption><thead><tr><th scope="col">workload</th><th scope="col">container</th><th scope="col">written path</th><th scope="col">under readOnlyRootFilesystem</th></tr></thead><tbody>${rows}</tbody></table></div>${more}`;
    }
    return `<div class="profile" data-image="${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3><p class="muted">${ran}</p>${writtenTable}${notes}${usesHtml}</div>`;
  }).join('');
  return `<section id="rl-profiles" aria-labelledby="h-profiles"><h2 id="h-profiles">Profiles</h2><p class="muted">What <code>rootlock profile</code> saw each image write, and whether the containers that run it have a writable volume (emptyDir, ephemeral, persistentVolumeClaim, hostPath) there. A path without one fails with "Read-only file system" once the root filesystem is read-only; <code>rootlock fix --profile</code> mounts an emptyDir at each directory the profile saw written.</p>${sections}</section>`;
}

/** Strings that repeat across workloads (fix hints, field paths, fix lines), written once and referred to by index. */
class StringTable {
  private readonly ids = new Map<string, number>();
  readonly list: string[] = [];
  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.list.length;
      this.ids.set(value, id);
      this.list.push(value);
    }
    return id;
  }
}

/** A finding as the page's script reads it: an array, so 160,000 of them stay a few tens of megabytes. */
function compactFinding(finding: Finding, entry: number, ruleIndex: ReadonlyMap<string, number>, strings: StringTable): unknown[] {
  return [
    entry,
    ruleIndex.get(finding.rule) ?? 0,
    SEVERITIES.indexOf(finding.severity),
    finding.line ?? 0,
    finding.column ?? 0,
    finding.container ?? null,
    finding.containerType ?? null,
    finding.message,
    strings.id(finding.hint),
    strings.id(finding.path),
    finding.exempted ? 1 : 0,
    finding.exemption?.reason ?? null,
  ];
}

/** The page: head, summary, controls, the data blocks one item at a time, then the script. */
export function* streamHtmlReport(context: StreamContext, extras: HtmlExtras = {}): Generator<string> {
  const items = checklistItems(context.rules);
  const totals = tally(context, extras, items);
  // Rules that reported something and every rule that runs, so a finding of a rule not in the list (a config's) still has a name.
  const ruleIds = new Map<string, number>();
  const rules: Array<{ id: string; summary: string; severity: string; url: string }> = [];
  const addRule = (id: string) => {
    if (ruleIds.has(id)) return;
    ruleIds.set(id, rules.length);
    const definition = context.rules.find((rule) => rule.id === id);
    rules.push({ id, summary: definition?.docs.summary ?? '', severity: definition?.severity ?? '', url: ruleDocUrl(id) });
  };
  for (const rule of context.rules) addRule(rule.id);
  for (const finding of context.findings) addRule(finding.rule);

  yield '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">';
  yield `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}">`;
  yield '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">';
  yield `<title>rootlock audit report</title><style>${PAGE_STYLE}</style></head><body>`;
  yield summaryHtml(context, items, totals, extras.taken);
  yield CONTROLS;
  yield driftHtml(extras.drift);
  yield profilesHtml(extras.profiles);
  yield itemsHtml('Input errors', context.report.errors);
  yield itemsHtml('Notices', context.report.notices);
  yield '</main><footer>Generated by rootlock. This page loads nothing from the network; it works opened from disk.</footer>';

  const meta = {
    tool: context.report.tool,
    cluster: context.report.cluster !== undefined,
    summary: context.report.summary,
    score: totals.overall.value ?? null,
    rules,
    items: items.map((item) => ({ text: item.text, weight: item.weight, rules: item.rules })),
    namespaces: [...totals.namespaces.keys()].sort(),
  };
  yield `<script type="application/json" id="rl-meta">${scriptJson(meta)}</script>`;
  const strings = new StringTable();
  yield '<script type="application/json" id="rl-entries">[';
  let first = true;
  for (const entry of totals.entries) {
    const score = entry.workload ? Math.round(workloadScore(items, entry.missed)) : -1;
    yield `${first ? '' : ','}${scriptJson([entry.file, entry.line, entry.object.kind, entry.object.namespace ?? '', entry.object.name, entry.helmSource ?? null, score, entry.missed, entry.fix])}`;
    first = false;
  }
  yield ']</script><script type="application/json" id="rl-findings">[';
  first = true;
  for (const finding of context.findings) {
    const entry = totals.byKey.get(entryKey(finding.file, finding.documentIndex, finding.object)) ?? 0;
    yield `${first ? '' : ','}${scriptJson(compactFinding(finding, entry, ruleIds, strings))}`;
    first = false;
  }
  yield ']</script><script type="application/json" id="rl-fixes">[';
  first = true;
  for (const fix of extras.workloads?.fixes() ?? []) {
    yield `${first ? '' : ','}${scriptJson({ diff: fix.diff, fixed: fix.fixed, changes: fix.changes.map((line) => strings.id(line)), needsHuman: fix.needsHuman.map((line) => strings.id(line)) })}`;
    first = false;
  }
  yield ']</script><script type="application/json" id="rl-strings">[';
  yield* strings.list.map((value, index) => `${index === 0 ? '' : ','}${scriptJson(value)}`);
  yield `]</script><script>${PAGE_SCRIPT}</script></body></html>\n`;
}

/** The HTML format without workload list or drift: objects with findings only (live clusters, tests). */
export const streamHtml: StreamRenderer = (context) => streamHtmlReport(context);
