// The rule engine: runs every enabled rule over one object at a time, maps
// finding paths to positions, applies exemptions and severity overrides, and
// turns anything it cannot understand into an error record, never an exception.
import { KnowledgeBase, unknownImageKnowledge } from '../knowledge/images.js';
import { checkFieldTypes } from './field-types.js';
import { annotationExemption, configExemption, ignoreAnnotated, isExpired, objectReference } from './exemptions.js';
import { formatPath, isObject } from './path.js';
import { effectiveSecurityContext } from './security-context.js';
import type { EffectiveSecurityContext } from './security-context.js';
import { apiVersionProblem, BUILTIN_POD_SPEC_LOCATIONS, workloadOf } from './workloads.js';
import { detached } from './strings.js';
import { FixBuilder } from './rule.js';
import type { FixOptions, InputIndex, Report, RuleContext, RuleDefinition } from './rule.js';
import type { RootlockConfig } from './config.js';
import type { ContainerView, PodSpecLocation } from './workloads.js';
import type { Edit, Finding, InputError, JsonObject, Notice, ObjectReference, Path, Position, Severity } from './types.js';

/** One object to audit, as a front end hands it over. */
export interface AuditSubject {
  /** File name, `-` for stdin, or an API reference for live objects. */
  file: string;
  value: unknown;
  documentIndex?: number;
  helmSource?: string;
  /** Index of the object in the `items` of the List document it came from. */
  listItem?: number;
  /** Maps a path inside `value` to a source position; absent for objects without a source text. */
  locate?: (path: Path) => Position;
  /** Where `value` sits inside its document (`items[i]` of a List); fix edits are made relative to the document. */
  pathInDocument?: Path;
}

export interface AuditResult {
  findings: Finding[];
  errors: InputError[];
  notices: Notice[];
}

export interface EngineOptions {
  rules: readonly RuleDefinition[];
  config: RootlockConfig;
  /** Today as YYYY-MM-DD, for exemption expiry; the core never reads the clock itself. */
  today: string;
  /** Facts about the rest of the input gathered beforehand (fix plans one document at a time); a copy is extended. */
  inputIndex?: InputIndex;
  /** What `rootlock fix` was asked to do beyond the rules' own fixes (fix mode); audit leaves it unset. */
  fixOptions?: FixOptions;
  /** Writable paths to assume for images the knowledge base does not know (fix mode); audit leaves it unset. */
  unknownImageWritablePaths?: readonly string[];
  /**
   * Attach each finding's fix edits to it (the default; `fix` needs them). No
   * audit report shows edits, so the audit turns this off: findings still say
   * whether they are fixable, and the edits are not copied and kept until the end.
   */
  keepEdits?: boolean;
  /**
   * Copy the strings that findings keep out of the input (the default), so
   * findings kept until the end of a run do not hold a parsed file's text in
   * memory (see strings.ts). The webhook's input and findings both die with
   * the request, so it skips the copies.
   */
  detachStrings?: boolean;
  /**
   * Findings for an admission answer rather than a report (the webhook), which
   * shows rule, container and hint for every finding and the message only for
   * those that deny. Findings then carry an empty `path`, `fixable: false`
   * (fixes are not run: the validating answer shows none) and an empty
   * `message` unless `needsMessage` asks for it. Formatting paths, running fix
   * closures and building messages are most of a rule's work per finding.
   */
  admission?: AdmissionNeeds;
}

export interface AdmissionNeeds {
  /** Whether the answer shows the message of a finding of this rule at this (final) severity. */
  needsMessage(rule: string, severity: Severity): boolean;
}

interface Deferred {
  finding: Finding;
  /**
   * The rule's own predicate, stored as is: a closure made in auditObject would
   * share its scope with `subject`, and so keep the whole parsed file (text and
   * parser events) alive until the end of the run.
   */
  unlessInInput: (index: InputIndex) => boolean;
}

const LIST_KIND = /List$/;

const NO_FIX_OPTIONS: FixOptions = Object.freeze({});

/** Enough for the paths, hints, kinds and names that repeat across findings; cleared when full so memory stays flat. */
const MAX_SHARED_STRINGS = 10_000;

/** How findings take strings from the input: detached copies, or the strings themselves. */
interface FindingStrings {
  /** A string for one finding only (a message). */
  own(text: string): string;
  /** A string that repeats across findings (paths, hints, kinds, namespaces, Helm templates). */
  get(text: string): string;
  value<T>(value: T): T;
  reference(ref: ObjectReference): ObjectReference;
}

/** For input that lives no longer than its findings: nothing to copy. */
const SAME_STRINGS: FindingStrings = {
  own: (text) => text,
  get: (text) => text,
  value: (value) => value,
  reference: (ref) => ref,
};

/**
 * Detached copies of the strings that repeat across findings (paths, hints,
 * kinds, namespaces, Helm templates), shared rather than copied for each one.
 */
class DetachedStrings implements FindingStrings {
  private readonly copies = new Map<string, string>();

  own(text: string): string {
    return detached(text);
  }

  get(text: string): string {
    let copy = this.copies.get(text);
    if (copy === undefined) {
      copy = detached(text);
      if (this.copies.size >= MAX_SHARED_STRINGS) this.copies.clear();
      this.copies.set(copy, copy);
    }
    return copy;
  }

  /** `value` with every string in it detached (edit values and paths are small JSON values). */
  value<T>(value: T): T {
    if (typeof value === 'string') return this.get(value) as T;
    if (Array.isArray(value)) return value.map((item: unknown) => this.value(item)) as T;
    // fromEntries defines own properties, so a `__proto__` key stays a key.
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [this.get(key), this.value(item)])) as T;
    return value;
  }

  reference(ref: ObjectReference): ObjectReference {
    const copy: ObjectReference = { apiVersion: this.get(ref.apiVersion), kind: this.get(ref.kind), name: this.get(ref.name) };
    if (ref.namespace !== undefined) copy.namespace = this.get(ref.namespace);
    return copy;
  }
}

/** What an engine derives from its rules and config alone. */
interface EngineSetup {
  /** The enabled rules, in their order. */
  rules: readonly RuleDefinition[];
  locations: readonly PodSpecLocation[];
}

/**
 * Setups by config and rule list: the webhook makes an engine per admission
 * request, always from the same two objects (until the config reloads, when
 * the old entries go with the old config).
 */
const setups = new WeakMap<RootlockConfig, WeakMap<readonly RuleDefinition[], EngineSetup>>();

function setupFor(rules: readonly RuleDefinition[], config: RootlockConfig): EngineSetup {
  let byRules = setups.get(config);
  if (byRules === undefined) setups.set(config, (byRules = new WeakMap()));
  let setup = byRules.get(rules);
  if (setup === undefined) {
    setup = { rules: rules.filter((rule) => !config.disabledRules.has(rule.id)), locations: [...config.podSpecPaths, ...BUILTIN_POD_SPEC_LOCATIONS] };
    byRules.set(rules, setup);
  }
  return setup;
}

export class Engine {
  private readonly rules: readonly RuleDefinition[];
  private readonly knowledge: KnowledgeBase;
  private readonly locations: readonly PodSpecLocation[];
  private readonly index: InputIndex;
  private readonly deferred: Deferred[] = [];
  private readonly usedExpired = new Set<number>();
  private readonly strings: FindingStrings;
  /** Objects and workloads seen so far, for report summaries. */
  readonly stats = { objects: 0, workloads: 0 };

  constructor(private readonly options: EngineOptions) {
    this.index = { serviceAccounts: options.inputIndex ? new Map(options.inputIndex.serviceAccounts) : new Map() };
    const setup = setupFor(options.rules, options.config);
    this.rules = setup.rules;
    this.locations = setup.locations;
    const fallback = options.unknownImageWritablePaths ? unknownImageKnowledge(options.unknownImageWritablePaths) : undefined;
    this.knowledge = KnowledgeBase.withExtra(options.config.images, fallback);
    this.strings = options.detachStrings === false ? SAME_STRINGS : new DetachedStrings();
  }

  /** Audits one parsed document (which may be a List of objects). */
  audit(subject: AuditSubject): AuditResult {
    const result: AuditResult = { findings: [], errors: [], notices: [] };
    const value = subject.value;
    if (value === null || value === undefined) return result;
    if (!isObject(value) || typeof value['kind'] !== 'string' || typeof value['apiVersion'] !== 'string') {
      const position = subject.locate?.([]);
      const what = subject.listItem === undefined ? '' : `item ${subject.listItem + 1} of `;
      result.notices.push({
        file: subject.file,
        ...(position ? { line: position.line, column: position.column } : {}),
        code: 'not-kubernetes',
        message: `${what}document ${(subject.documentIndex ?? 0) + 1} is not a Kubernetes object (no apiVersion and kind); skipped`,
      });
      return result;
    }
    if (LIST_KIND.test(value['kind']) && Array.isArray(value['items'])) {
      value['items'].forEach((item: unknown, i: number) => {
        const locate = subject.locate;
        const inner = this.audit({
          ...subject,
          value: item,
          pathInDocument: [...(subject.pathInDocument ?? []), 'items', i],
          listItem: i,
          ...(locate ? { locate: (path: Path) => locate(['items', i, ...path]) } : {}),
        });
        result.findings.push(...inner.findings);
        result.errors.push(...inner.errors);
        result.notices.push(...inner.notices);
      });
      return result;
    }
    this.auditObject(value, subject, result);
    return result;
  }

  private auditObject(object: JsonObject, subject: AuditSubject, result: AuditResult): void {
    // An object the API server would reject is an input error, not a clean object with nothing to report.
    const wrongVersion = apiVersionProblem(object, this.locations);
    if (wrongVersion) {
      const at = subject.locate?.(['apiVersion']);
      result.errors.push({
        file: subject.file,
        ...(at ? { line: at.line, column: at.column } : {}),
        code: 'unknown-api-version',
        message: this.strings.own(wrongVersion.message),
        ...(subject.helmSource !== undefined ? { helmSource: this.strings.get(subject.helmSource) } : {}),
      });
      return;
    }
    const ref = this.strings.reference(objectReference(object));
    this.stats.objects++;
    if (ref.kind === 'ServiceAccount') {
      this.index.serviceAccounts.set(`${ref.namespace ?? ''}/${ref.name}`, this.strings.value(object['automountServiceAccountToken']));
    }
    const workload = workloadOf(object, this.locations);
    const locate = (path: Path): Position | undefined => subject.locate?.(path);

    if (workload) {
      this.stats.workloads++;
      for (const problem of checkFieldTypes(workload)) {
        const at = locate(problem.path);
        result.errors.push({
          file: subject.file,
          ...(at ? { line: at.line, column: at.column } : {}),
          code: 'invalid-field-type',
          message: this.strings.own(`${ref.kind} ${ref.name}: ${formatPath(problem.path)}: ${problem.message}`),
          ...(subject.helmSource !== undefined ? { helmSource: this.strings.get(subject.helmSource) } : {}),
        });
      }
    }

    // Only metadata with a rootlock.dev/ignore annotation can exempt a finding: most objects have none to search.
    const metadatas = ignoreAnnotated([object['metadata'], workload?.podMetadata]);
    // One context for all rules: effective security contexts are computed once per container, not once per rule.
    const reports: Report[] = [];
    const effective = new Map<ContainerView, EffectiveSecurityContext>();
    const context: RuleContext = {
      object,
      ref,
      workload,
      knowledge: this.knowledge,
      fixOptions: this.options.fixOptions ?? NO_FIX_OPTIONS,
      containers: () => workload?.containers ?? [],
      effective: (container) => {
        let settings = effective.get(container);
        if (settings === undefined) {
          settings = effectiveSecurityContext(workload as NonNullable<typeof workload>, container);
          effective.set(container, settings);
        }
        return settings;
      },
      report: (report) => reports.push(report),
    };
    for (const rule of this.rules) {
      // Each rule's reports are appended after the previous rules' (cheaper than emptying the list for every rule).
      const first = reports.length;
      try {
        rule.check(context);
      } catch (error) {
        result.errors.push({
          file: subject.file,
          code: 'rule-crashed',
          message: this.strings.own(`rule ${rule.id} failed on ${ref.kind} ${ref.name}: ${error instanceof Error ? error.message : String(error)}`),
        });
        continue;
      }
      for (let i = first; i < reports.length; i++) {
        const report = reports[i] as Report;
        const finding = this.toFinding(rule, report, subject, ref, metadatas, locate);
        if (report.unlessInInput) this.deferred.push({ finding, unlessInInput: report.unlessInInput });
        else result.findings.push(finding);
      }
    }
  }

  private toFinding(
    rule: RuleDefinition,
    report: Report,
    subject: AuditSubject,
    ref: ReturnType<typeof objectReference>,
    metadatas: readonly unknown[],
    locate: (path: Path) => Position | undefined,
  ): Finding {
    const admission = this.options.admission;
    let fixable = false;
    let edits: Edit[] | undefined;
    let fixFromOption: string | undefined;
    if (report.fix && admission === undefined) {
      if (!rule.fixable && !this.fixOptionSet(rule)) throw new Error(`rule ${rule.id} offers a fix but is not declared fixable`);
      const builder = new FixBuilder();
      report.fix(builder);
      fixable = builder.edits.length > 0;
      if (fixable && this.options.keepEdits !== false) {
        const prefix = subject.pathInDocument ?? [];
        edits = this.strings.value(prefix.length === 0 ? builder.edits : builder.edits.map((edit) => ({ ...edit, path: [...prefix, ...edit.path] })));
        fixFromOption = builder.option;
      }
    }
    const severity: Severity = this.options.config.severities.get(rule.id) ?? report.severity ?? rule.severity;
    const at = locate(report.path);
    const container = report.container;
    // Built field by field, without spreading small objects (this runs for every finding of every admission);
    // the fields keep the order reports show them in.
    const message = admission !== undefined && !admission.needsMessage(rule.id, severity) ? '' : typeof report.message === 'string' ? report.message : report.message();
    const finding = { rule: rule.id, severity, message: this.strings.own(message), hint: this.strings.get(report.hint), file: subject.file } as Finding;
    if (at) {
      finding.line = at.line;
      finding.column = at.column;
      if (at.endLine !== undefined) {
        finding.endLine = at.endLine;
        finding.endColumn = at.endColumn;
      }
    }
    finding.object = ref;
    if (container) {
      finding.container = this.strings.get(container.name);
      finding.containerType = container.type;
    }
    finding.path = admission !== undefined ? '' : this.strings.get(formatPath(report.path));
    finding.fixable = fixable;
    finding.exempted = false;
    if (subject.helmSource !== undefined) finding.helmSource = this.strings.get(subject.helmSource);
    if (subject.documentIndex !== undefined) finding.documentIndex = subject.documentIndex;
    if (edits) finding.edits = edits;
    if (fixFromOption !== undefined) finding.fixFromOption = fixFromOption;
    const byAnnotation = metadatas.length === 0 ? undefined : annotationExemption(metadatas, rule.id, container?.name);
    if (byAnnotation) {
      finding.exempted = true;
      finding.exemption = { source: 'annotation', ...this.strings.value(byAnnotation) };
      return finding;
    }
    const exemptions = this.options.config.exemptions;
    if (exemptions.length === 0) return finding;
    const subjectForConfig = { rule: rule.id, ref, ...(container ? { container: container.name } : {}), ...(container?.image ? { image: container.image } : {}) };
    const byConfig = configExemption(exemptions, subjectForConfig, this.options.today);
    if (byConfig) {
      finding.exempted = true;
      finding.exemption = { source: 'config', reason: byConfig.reason };
    } else {
      for (const expired of exemptions) {
        if (isExpired(expired, this.options.today) && configExemption([{ ...expired, expires: undefined }], subjectForConfig, this.options.today)) {
          this.usedExpired.add(expired.index);
        }
      }
    }
    return finding;
  }

  /** Whether a fix option the rule declares it fixes with was given. */
  private fixOptionSet(rule: RuleDefinition): boolean {
    const given = this.options.fixOptions;
    return given !== undefined && (rule.fixSafety?.options ?? []).some((option) => given[option] !== undefined);
  }

  /**
   * The findings held back until the whole input is read, with the rule's
   * predicate, and forgets them. A continuous audit has no "whole input": it
   * keeps them and judges them again whenever the objects they depend on change.
   */
  takeDeferred(): Array<{ finding: Finding; unlessInInput: (index: InputIndex) => boolean }> {
    return this.deferred.splice(0);
  }

  /** Findings that needed the whole input, and notices about the run itself. Call once, after the last document. */
  finish(configFile = '.rootlock.yaml'): AuditResult {
    const findings = this.deferred.filter((d) => !d.unlessInInput(this.index)).map((d) => d.finding);
    const notices: Notice[] = [];
    for (const exemption of this.options.config.exemptions) {
      if (isExpired(exemption, this.options.today)) {
        const used = this.usedExpired.has(exemption.index);
        notices.push({
          file: configFile,
          code: 'exemption-expired',
          message: `exemption ${exemption.index + 1} ("${exemption.reason}") expired on ${exemption.expires} and no longer applies${used ? '; findings it used to waive are reported again' : ''}`,
        });
      }
    }
    return { findings, errors: [], notices };
  }
}
