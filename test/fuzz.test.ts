// Fuzz-style robustness test: thousands of generated and mutated manifests
// (from real ones in test/fixtures/fuzz-seeds) go through the real parser and
// the engine with every registered rule. Nothing may throw, no rule may crash,
// and every error, notice and finding must carry a file, a code and sane
// positions. Each case is a pure function of (seed, case number), so a failure
// names the seed and the case and reproduces with:
//   ROOTLOCK_FUZZ_SEED=<seed> ROOTLOCK_FUZZ_CASE=<n> node scripts/run-tests.js fuzz
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { Engine } from '../src/core/engine.js';
import { readConfig } from '../src/core/config.js';
import { SEVERITIES } from '../src/core/types.js';
import type { Finding, InputError, Notice } from '../src/core/types.js';
import { parseManifests } from '../src/input/kube-yaml.js';
import type { ParseResult } from '../src/input/kube-yaml.js';
import { RULES, RULE_IDS } from '../src/rules/index.js';
import { buildReport } from '../src/app/audit.js';
import { renderJson } from '../src/report/json.js';
import { renderText } from '../src/report/text.js';
import { parseInChunks } from './helpers/chunked-parse.js';
import { repoRoot } from './helpers/repo.js';
import { mulberry32 } from './helpers/seeded-random.js';

/** An integer setting from the environment; anything else stops the run, so no setting can make the test check nothing. */
function integerSetting(name: string, fallback: number, least: number): number {
  const text = process.env[name];
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isSafeInteger(value) || value < least) throw new Error(`${name}=${text ?? ''}: must be an integer of at least ${least}`);
  return value;
}

const SEED = integerSetting('ROOTLOCK_FUZZ_SEED', 20261127, 0);
// Fewer than 100 cases cannot meet the checks on the whole run (parse errors in a tenth to a half of the cases).
const CASES = integerSetting('ROOTLOCK_FUZZ_CASES', 10_000, 100);
const ONLY = process.env['ROOTLOCK_FUZZ_CASE'] === undefined ? undefined : integerSetting('ROOTLOCK_FUZZ_CASE', 0, 0);

/** mulberry32: small, fast, and good enough to spread mutations. */
class Random {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

function caseRandom(seed: number, n: number): Random {
  return new Random(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(n + 1, 0xc2b2ae35));
}

// ---------------------------------------------------------------------------
// Seeds

const seedDir = join(repoRoot(), 'test', 'fixtures', 'fuzz-seeds');
const SEEDS = readdirSync(seedDir)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => {
    const text = readFileSync(join(seedDir, name), 'utf8');
    return { name, text, values: parseManifests(text, name).documents.map((d) => d.value).filter((v) => v !== null) };
  });
const SEED_VALUES = SEEDS.flatMap((s) => s.values);

// ---------------------------------------------------------------------------
// Mutations

const ODD_CHARS = [':', '-', ' ', '\t', '\n', '\r', '[', ']', '{', '}', ',', '"', "'", '&', '*', '!', '%', '#', '|', '>', '?', '@', '`', '\\', '\0', '\u0085', '\ufeff', '\u2028', 'é', '🚀', '\ud800'];
const SCALAR_TEXTS = ['true', 'false', 'yes', 'no', 'on', 'off', 'y', 'n', '"true"', "'false'", '~', 'null', '', '0', '-1', '0755', '0x1F', '1e400', '.nan', '-.inf', '2147483648', '18446744073709551616', '[]', '{}', '[true]', '{a: 1}', '*undefined', '!!binary aGk=', '!foo bar', '"\\u0000"', 'Yes', 'NULL', '1_000', '+12', '.5'];
const SECURITY_FIELD = /\b(readOnlyRootFilesystem|runAsNonRoot|privileged|allowPrivilegeEscalation|runAsUser|runAsGroup|fsGroup|automountServiceAccountToken|medium|sizeLimit|memory|cpu|image|name|mountPath|readOnly|drop|add|type|restartPolicy|hostPath|emptyDir):[^\n]*/g;

function wrongValue(random: Random, depth = 0): unknown {
  const choices: Array<() => unknown> = [
    () => null,
    () => [],
    () => ({}),
    () => random.int(3) - 1,
    () => random.next() * 1e300,
    () => -0,
    () => Number.MAX_SAFE_INTEGER + 2,
    () => random.pick(['true', 'false', 'yes', '', ' ', 'ALL', 'Memory', '1Gi', '-1', '/', '/tmp', 'rootlock.dev/ignore', '*', 'x'.repeat(300)]),
    () => random.chance(0.5),
    () => [null],
    () => [1, 'two', [3]],
    () => [{}],
    () => ({ name: random.int(5), image: [] }),
    () => ({ readOnlyRootFilesystem: random.pick(['true', 1, null, [], {}]) }),
    () => (depth < 3 ? [wrongValue(random, depth + 1)] : 'deep'),
    () => (depth < 3 ? { [random.pick(['a', 'name', 'containers', 'securityContext', '<<', 'items', 'kind', '__proto__', 'constructor'])]: wrongValue(random, depth + 1) } : 0),
  ];
  return random.pick(choices)();
}

/** Every path in a value, for picking a node to replace. */
function paths(value: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(prefix);
  if (out.length > 2000) return out;
  if (Array.isArray(value)) value.forEach((item, i) => paths(item, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) paths(item, [...prefix, key], out);
  return out;
}

/** Sets `value` at `path`, creating maps where the path leads through something else. */
function setAt(root: unknown, path: ReadonlyArray<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...Array<string | number>];
  const container = (root !== null && typeof root === 'object' ? root : {}) as Record<string | number, unknown>;
  container[head] = setAt(container[head], rest, value);
  return container;
}

/** Structural mutations of a parsed manifest: wrong types where the model expects others. */
const VALUE_MUTATIONS: Array<[string, (random: Random, value: unknown) => unknown]> = [
  ['replace a random node with a wrong type', (random, value) => {
    const all = paths(value);
    return setAt(value, random.pick(all), wrongValue(random));
  }],
  ['replace several random nodes', (random, value) => {
    let out = value;
    for (let k = 0; k < 1 + random.int(5); k++) out = setAt(out, random.pick(paths(out)), wrongValue(random));
    return out;
  }],
  ['break the containers list', (random, value) => {
    const containerLists = paths(value).filter((p) => /^(containers|initContainers|ephemeralContainers)$/.test(String(p[p.length - 1])));
    if (containerLists.length === 0) return setAt(value, ['spec'], { containers: wrongValue(random) });
    return setAt(value, random.pick(containerLists), random.pick([null, {}, 'x', [null], [1], [[]], [{}], [{ name: null, securityContext: [] }], wrongValue(random)]));
  }],
  ['scramble security settings', (random, value) => {
    const contexts = paths(value).filter((p) => p[p.length - 1] === 'securityContext' || p[p.length - 1] === 'resources' || p[p.length - 1] === 'volumes' || p[p.length - 1] === 'volumeMounts');
    if (contexts.length === 0) return value;
    const fields = ['readOnlyRootFilesystem', 'runAsNonRoot', 'runAsUser', 'privileged', 'allowPrivilegeEscalation', 'capabilities', 'seccompProfile', 'limits', 'requests', 'emptyDir', 'sizeLimit'];
    const scrambled: Record<string, unknown> = {};
    for (const field of fields) if (random.chance(0.4)) scrambled[field] = random.chance(0.5) ? wrongValue(random) : random.pick([true, false, 0, 1000, 'true', 'RuntimeDefault', { drop: 'ALL' }, { add: [1] }, { memory: '1Gi', cpu: [] }, { medium: 'Memory' }]);
    return setAt(value, random.pick(contexts), random.chance(0.8) ? scrambled : wrongValue(random));
  }],
  ['annotate with exemptions of odd types', (random, value) => {
    const metadata = paths(value).filter((p) => p[p.length - 1] === 'metadata');
    if (metadata.length === 0) return value;
    const annotations: Record<string, unknown> = {
      'rootlock.dev/ignore': random.pick([RULES[0]?.id ?? 'x', '*', 5, [], null, 'a,b,,', ' ']),
      [`rootlock.dev/ignore.${random.pick(['app', 'x', '', '*'])}`]: random.pick(['*', RULES[RULES.length - 1]?.id ?? 'x', {}]),
      'rootlock.dev/ignore-reason': random.pick(['because', 7, null, ['a']]),
    };
    return setAt(value, [...random.pick(metadata), 'annotations'], random.chance(0.8) ? annotations : wrongValue(random));
  }],
  ['wrap in a List with junk items', (random, value) => ({
    apiVersion: 'v1',
    kind: random.pick(['List', 'PodList', 'DeploymentList']),
    items: [value, wrongValue(random), random.pick(SEED_VALUES), null, 'text', random.chance(0.5) ? { kind: 'List', apiVersion: 'v1', items: [random.pick(SEED_VALUES)] } : 3],
  })],
  ['change kind and apiVersion', (random, value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const kinds = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet', 'PodTemplate', 'Rollout', 'DeploymentConfig', 'Worker', 'ServiceAccount', 'List', 'ConfigMap', 5, null, ''];
    const versions = ['v1', 'apps/v1', 'batch/v1', 'argoproj.io/v1alpha1', 'apps.openshift.io/v1', 'example.com/v1', 'extensions/v1beta1', 7, [], ''];
    return { ...value, kind: random.pick(kinds), apiVersion: random.pick(versions) };
  }],
  ['move the pod spec somewhere else', (random, value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const spec = (value as Record<string, unknown>)['spec'];
    return { ...value, spec: random.pick([{ template: spec }, { template: { spec: null } }, { jobTemplate: { spec: { template: spec } } }, [spec], spec, { runner: { pod: spec } }]) };
  }],
];

function serialize(random: Random, value: unknown): string {
  if (random.chance(0.3)) return JSON.stringify(value, null, random.pick([0, 2]));
  try {
    return dump(value, { noRefs: random.chance(0.5), skipInvalid: true, lineWidth: random.pick([40, 80, -1]) });
  } catch {
    return JSON.stringify(value) ?? 'null';
  }
}

/** Textual mutations: what editors, merges, templating and copy-paste do to YAML. */
const TEXT_MUTATIONS: Array<[string, (random: Random, text: string) => string]> = [
  ['flip a character', (random, text) => {
    const at = random.int(text.length + 1);
    return text.slice(0, at) + random.pick(ODD_CHARS) + text.slice(at + 1);
  }],
  ['insert characters', (random, text) => {
    const at = random.int(text.length + 1);
    return text.slice(0, at) + Array.from({ length: 1 + random.int(4) }, () => random.pick(ODD_CHARS)).join('') + text.slice(at);
  }],
  ['truncate', (random, text) => text.slice(0, random.int(text.length + 1))],
  ['delete a span', (random, text) => {
    const at = random.int(text.length + 1);
    return text.slice(0, at) + text.slice(at + 1 + random.int(40));
  }],
  ['duplicate a line', (random, text) => {
    const lines = text.split('\n');
    const at = random.int(lines.length);
    lines.splice(at, 0, lines[at] ?? '');
    return lines.join('\n');
  }],
  ['delete a line', (random, text) => {
    const lines = text.split('\n');
    lines.splice(random.int(lines.length), 1);
    return lines.join('\n');
  }],
  ['swap two lines', (random, text) => {
    const lines = text.split('\n');
    const a = random.int(lines.length);
    const b = random.int(lines.length);
    [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
    return lines.join('\n');
  }],
  ['change indentation', (random, text) => {
    const lines = text.split('\n');
    const at = random.int(lines.length);
    const line = lines[at] ?? '';
    lines[at] = random.pick([`  ${line}`, line.replace(/^ {1,4}/, ''), line.replace(/^ +/, '\t'), ` ${line}`, line.trimStart()]);
    return lines.join('\n');
  }],
  ['random scalar in a security field', (random, text) => {
    const matches = [...text.matchAll(SECURITY_FIELD)];
    if (matches.length === 0) return text;
    const m = random.pick(matches);
    return text.slice(0, m.index) + `${m[1]}: ${random.pick(SCALAR_TEXTS)}` + text.slice((m.index ?? 0) + m[0].length);
  }],
  ['insert a document marker', (random, text) => {
    const lines = text.split('\n');
    lines.splice(random.int(lines.length + 1), 0, random.pick(['---', '--- ', '---\t# c', '...', '--- |', '---x', '%YAML 1.1']));
    return lines.join('\n');
  }],
  ['CRLF line endings', (_random, text) => text.replace(/\n/g, '\r\n')],
  ['byte order mark', (_random, text) => `\ufeff${text}`],
  ['anchors and aliases', (random, text) => {
    const lines = text.split('\n');
    const at = random.int(lines.length);
    lines[at] = (lines[at] ?? '').replace(/: (.+)$/, random.pick([': &a $1', ': *a', ': &a [*a]', ': <<: *a', ': !!merge $1']));
    return `${lines.join('\n')}\n---\nx: &x [1, 2]\ny: [*x, *x, *x]\nz: {<<: {k: 1}}\n`;
  }],
  ['Helm source comments', (random, text) => text.replace(/^---$/gm, () => `---\n# Source: chart/templates/${random.int(9)}.yaml`)],
];

interface FuzzCase {
  text: string;
  recipe: string[];
}

function generate(seed: number, n: number): FuzzCase {
  const random = caseRandom(seed, n);
  const recipe: string[] = [];
  let text: string;
  if (random.chance(0.35)) {
    const source = random.pick(SEEDS);
    recipe.push(`seed file ${source.name}`);
    text = source.text;
  } else {
    let value: unknown = structuredClone(random.pick(SEED_VALUES));
    for (let k = 0; k < 1 + random.int(3); k++) {
      const [name, mutate] = random.pick(VALUE_MUTATIONS);
      recipe.push(name);
      value = mutate(random, value);
    }
    text = serialize(random, value);
    if (random.chance(0.2)) text = `${text}\n---\n${random.pick(SEEDS).text}`;
  }
  const textMutations = random.chance(0.5) ? 0 : 1 + random.int(2);
  for (let k = 0; k < textMutations; k++) {
    const [name, mutate] = random.pick(TEXT_MUTATIONS);
    recipe.push(name);
    text = mutate(random, text);
  }
  return { text, recipe };
}

// ---------------------------------------------------------------------------
// Checks

const FUZZ_CONFIG = readConfig(
  {
    rules: { [RULES[0]?.id ?? 'read-only-root-filesystem']: 'warning' },
    exemptions: [
      { namespaces: ['kube-*'], reason: 'system' },
      { rules: [RULES[RULES.length - 1]?.id ?? 'read-only-root-filesystem'], images: ['*nginx*'], kinds: ['Pod', 'Deployment'], reason: 'web', expires: '2020-01-01' },
      { names: ['*-0', 'fuzz-*'], containers: ['app'], reason: 'names' },
    ],
    images: [{ match: ['ghcr.io/acme/*'], writablePaths: ['/tmp'], runAsUser: 1000 }],
    podSpecPaths: [{ apiVersion: 'example.com/v1', kind: 'Worker', path: 'spec.runner.pod' }],
  },
  RULE_IDS,
);

const isPosition = (n: unknown) => Number.isInteger(n) && (n as number) >= 1;

function checkRecords(file: string, run: { findings: Finding[]; errors: InputError[]; notices: Notice[] }): string[] {
  const problems: string[] = [];
  for (const error of run.errors) {
    if (error.file !== file || typeof error.code !== 'string' || error.code === '' || typeof error.message !== 'string' || error.message === '') {
      problems.push(`error without file, code or message: ${JSON.stringify(error)}`);
    }
    if (error.code === 'rule-crashed' || error.code === 'internal-error') problems.push(`a rule crashed: ${error.message}`);
    if (error.line !== undefined && !(isPosition(error.line) && isPosition(error.column))) problems.push(`error with a bad position: ${JSON.stringify(error)}`);
    if (error.code.startsWith('yaml-') && error.line === undefined) problems.push(`YAML error without a position: ${JSON.stringify(error)}`);
  }
  for (const notice of run.notices) {
    if (notice.file !== file || !notice.code || !notice.message) problems.push(`notice without file, code or message: ${JSON.stringify(notice)}`);
  }
  for (const finding of run.findings) {
    if (finding.file !== file || !RULE_IDS.has(finding.rule) || !finding.message || !SEVERITIES.includes(finding.severity) || typeof finding.path !== 'string') {
      problems.push(`malformed finding: ${JSON.stringify(finding)}`);
    }
    if (!(isPosition(finding.line) && isPosition(finding.column))) problems.push(`finding without a position: ${JSON.stringify(finding)}`);
  }
  return problems;
}

describe('fuzz: generated and mutated manifests through the parser and every rule', () => {
  it(`${ONLY === undefined ? CASES : 1} cases (seed ${SEED}) throw nothing and produce well-formed records`, (t) => {
    const engine = () => new Engine({ rules: RULES, config: FUZZ_CONFIG.config, today: '2026-06-01' });
    assert.deepEqual(FUZZ_CONFIG.problems, [], 'the fuzz config is valid');
    let current = engine();
    const failures: string[] = [];
    const all = { findings: [] as Finding[], errors: [] as InputError[], notices: [] as Notice[] };
    let documents = 0;
    let parsedWithErrors = 0;
    const first = ONLY ?? 0;
    const last = ONLY === undefined ? CASES : ONLY + 1;
    for (let n = first; n < last; n++) {
      const fuzz = generate(SEED, n);
      const file = `case-${n}.yaml`;
      const run = { findings: [] as Finding[], errors: [] as InputError[], notices: [] as Notice[] };
      try {
        const parsed = parseManifests(fuzz.text, file);
        run.errors.push(...parsed.errors);
        if (parsed.errors.length) parsedWithErrors++;
        documents += parsed.documents.length;
        for (const document of parsed.documents) {
          const result = current.audit({ file, value: document.value, documentIndex: document.index, locate: document.locate, ...(document.helmSource ? { helmSource: document.helmSource } : {}) });
          run.findings.push(...result.findings);
          run.errors.push(...result.errors);
          run.notices.push(...result.notices);
        }
        if (n % 50 === 49) {
          const finished = current.finish(file);
          run.findings.push(...finished.findings.map((f) => ({ ...f, file })));
          run.notices.push(...finished.notices.map((notice) => ({ ...notice, file })));
          current = engine();
        }
        if (n % 10 === 0) {
          const chunkRandom = caseRandom(SEED + 1, n);
          const chunked = parseInChunks(fuzz.text, file, () => 1 + chunkRandom.int(chunkRandom.chance(0.5) ? 8 : 400));
          const summary = (r: ParseResult) => ({ documents: r.documents.map((d) => [d.index, d.value, d.position, d.helmSource]), errors: r.errors });
          assert.deepStrictEqual(summary(chunked), summary(parsed), 'streamed in chunks, the same documents and errors');
        }
      } catch (error) {
        failures.push(`case ${n} threw ${error instanceof Error ? error.stack : String(error)}`);
      }
      for (const problem of checkRecords(file, run)) failures.push(`case ${n}: ${problem}`);
      if (failures.length && failures[failures.length - 1]?.startsWith(`case ${n}`)) {
        failures.push(`  recipe: ${fuzz.recipe.join(' > ')}\n  text: ${JSON.stringify(fuzz.text.slice(0, 600))}`);
      }
      if (failures.length > 40) break;
      all.findings.push(...run.findings);
      all.errors.push(...run.errors);
      all.notices.push(...run.notices);
    }
    const errorCodes: Record<string, number> = {};
    for (const error of all.errors) errorCodes[error.code] = (errorCodes[error.code] ?? 0) + 1;
    t.diagnostic(`${documents} documents, ${parsedWithErrors} cases with parse errors, ${all.findings.length} findings (${all.findings.filter((f) => f.exempted).length} exempted), ${all.notices.length} notices, errors ${JSON.stringify(errorCodes)}`);
    assert.deepEqual(failures, [], `seed ${SEED}: reproduce one case with ROOTLOCK_FUZZ_SEED=${SEED} ROOTLOCK_FUZZ_CASE=<n>`);

    // The reports render whatever came out.
    const report = buildReport({ ...all, files: last - first, documents, objects: 0, workloads: 0, failOn: 'error', version: 'fuzz' });
    assert.doesNotThrow(() => JSON.parse(renderJson({ report, rules: RULES, color: false })));
    assert.doesNotThrow(() => renderText({ report, rules: RULES, color: true }));

    if (ONLY === undefined) {
      // The mutations must reach both sides: documents that parse and reach the rules, and documents that do not.
      assert.ok(documents > CASES, `${documents} documents parsed`);
      assert.ok(parsedWithErrors > CASES / 10 && parsedWithErrors < CASES / 2, `${parsedWithErrors} cases with parse errors`);
      assert.ok(all.findings.length > CASES / 10, `${all.findings.length} findings`);
      assert.ok(all.errors.some((e) => e.code === 'invalid-field-type'), 'some wrong types reach the type check');
      assert.ok(all.findings.some((f) => f.exempted), 'some findings are exempted');
    }
  });
});
