// Applies edits to the text of one YAML (or JSON) document so that every
// line the edits do not concern stays byte-identical.
//
// Why not Document.toString: the `yaml` library re-renders the whole
// document from its model. Even with lineWidth: 0, indentSeq matched to the
// file and flowCollectionPadding: false, re-rendering the real-world corpus
// without any edit changes 57 of its 185 files (659 lines): `[""]` becomes
// `[ "" ]`, multi-line double-quoted scalars are re-folded, the spaces before
// `# comment` collapse, indentation of sequences is unified. A fix tool that
// rewrites lines nobody asked it to touch makes reviews noisy and breaks
// trust, so the rendering here is local instead:
//
// - The text is parsed with the `yaml` library (YAML 1.1, as Kubernetes reads
//   it) and each edit is located through the Document's node ranges.
// - Each edit becomes one text change: new `key: value` lines inserted after
//   the last line of the mapping they join, at its indentation; a new item
//   after the last item of a sequence; a value replaced in place (`false` ->
//   `true`), keeping its quote style; the lines of a deleted pair removed. In
//   flow collections (`{a: 1}`, JSON) new members are inserted before the
//   closing bracket with a comma, one per line when the collection is.
// - New values are rendered by yaml-render.ts with the indentation measured by
//   yaml-style.ts, so they match their surroundings.
// - Changes whose regions do not overlap are applied together, from the end
//   of the text backwards; overlapping ones wait for the next round, which
//   re-parses the changed text. Edits therefore behave exactly as if applied
//   one after another. One kind of overlap shares a round: lines added after
//   the last line of the same or nested block collections (the new keys and
//   items of one container or pod spec), in the order the rounds would give
//   them, while nothing changes the measured style (tailsCommute); a random
//   test holds this to the one-round-per-overlap result.
// Lines outside the changes cannot differ: they are copied, never rendered.
// apply-file.ts then proves the result parses to the value edit-semantics.ts
// defines, so a construct this code handles wrongly is refused, never written.
import { isAlias, isCollection, isMap, isScalar, isSeq, parseAllDocuments, Scalar } from 'yaml';
import type { Document, DocumentOptions, Node, Pair, ParseOptions, SchemaOptions, Tags, YAMLMap, YAMLSeq } from 'yaml';
import { isObject } from '../core/path.js';
import type { Edit, Path } from '../core/types.js';
import { deepEqual } from './edit-semantics.js';
import { SourceText } from './source-text.js';
import { detectStyle } from './yaml-style.js';
import {
  renderBlockLines, renderFlow, renderInline, renderItemLines, renderJsonPretty, renderMappingLines, renderPairLines, renderScalar,
  renderSequenceLines,
} from './yaml-render.js';
import type { BlockStyle, ScalarStyle } from './yaml-render.js';

/** Parser options shared with apply-file.ts: YAML 1.1 as Kubernetes reads it, without timestamps (Kubernetes sees strings). */
export const YAML_PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  customTags: (tags: Tags) => tags.filter((tag) => tag !== 'timestamp' && (typeof tag === 'string' || tag.tag !== 'tag:yaml.org,2002:timestamp')),
};

/** An edit this code cannot render faithfully (an alias on the path, a merge key, a tagged node). */
export class YamlEditError extends Error {
  constructor(message: string, readonly offset?: number) {
    super(message);
    this.name = 'YamlEditError';
  }
}

export interface TextChange {
  start: number;
  end: number;
  text: string;
}

/** Closed interval of offsets an edit reads or writes; edits whose intervals meet are never applied in the same round. */
type Anchor = readonly [number, number];

/**
 * A block mapping or sequence gaining lines after its last line (a new key,
 * a new item): the one kind of change several edits of the same collection
 * (or of nested collections ending on the same line) can make in one round.
 */
interface TailInsert {
  /** Path of the collection that grows. */
  collection: Path;
  /** Path of what the edit creates: the new key, or the sequence for an appended item. */
  created: Path;
  /** The appended item, for appends to an existing sequence. */
  appended?: { value: unknown };
}

interface Plan {
  anchor: Anchor;
  change?: TextChange;
  tail?: TailInsert;
  /**
   * The change cannot alter what detectStyle measures: it removes no line
   * that casts a vote and adds only lines written in the document's style.
   * Only then may edits share a round that would otherwise wait for a re-parse.
   */
  neutral?: boolean;
  /** A value on its key line replaced by one that stays on that line (`true` -> `false`). */
  inline?: boolean;
}

type Location =
  | { kind: 'root' }
  | { kind: 'pair'; map: YAMLMap; pair: Pair }
  | { kind: 'item'; seq: YAMLSeq; index: number };

interface Step {
  node: Node | null;
  location: Location;
}

interface Resolution {
  /** Steps from the root to the deepest node that exists along the path. */
  chain: Step[];
  found: boolean;
  /** Number of path segments the chain covers. */
  consumed: number;
}

type AnyNode = Node & { range?: [number, number, number] | null };

function rangeOf(node: Node | null | undefined): [number, number, number] | undefined {
  const range = (node as AnyNode | null | undefined)?.range;
  return range ?? undefined;
}

function keyString(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  if (typeof key.value === 'symbol') return '<<';
  return String(key.value);
}

function isMergePair(pair: Pair): boolean {
  return isScalar(pair.key) && typeof pair.key.value === 'symbol';
}

function isEmptyScalar(node: Node | null): boolean {
  if (node === null) return true;
  const range = rangeOf(node);
  return isScalar(node) && node.value === null && range !== undefined && range[0] === range[1];
}

function isBlockCollectionValue(value: unknown): boolean {
  return (Array.isArray(value) && value.length > 0) || (isObject(value) && Object.keys(value).length > 0);
}

function quoteStyle(node: Node | null): ScalarStyle | undefined {
  if (!isScalar(node)) return undefined;
  if (node.type === Scalar.QUOTE_SINGLE) return 'single';
  if (node.type === Scalar.QUOTE_DOUBLE) return 'double';
  return undefined;
}

/** Wraps `value` in mappings for the path segments that do not exist yet. */
function nest(path: Path, value: unknown): unknown {
  let out = value;
  for (let i = path.length - 1; i >= 0; i--) {
    const segment = path[i];
    if (typeof segment !== 'string') throw new YamlEditError(`cannot create list index [${String(segment)}]; append to the list instead`);
    out = { [segment]: out };
  }
  return out;
}

class DocumentEditor {
  readonly source: SourceText;
  readonly style: BlockStyle;
  /** The document is JSON (or flow YAML): new members are written as JSON. */
  readonly json: boolean;

  constructor(readonly document: Document.Parsed, text: string) {
    this.source = new SourceText(text);
    this.style = detectStyle(document, this.source);
    const root = document.contents;
    this.json = isCollection(root) && Boolean(root.flow);
  }

  private get text(): string {
    return this.source.text;
  }

  plan(edit: Edit): Plan {
    const resolution = this.resolve(edit.path);
    const target = resolution.chain[resolution.chain.length - 1] as Step;
    const created = (plan: Plan): Plan => {
      if (plan.tail) plan.tail = { collection: edit.path.slice(0, resolution.consumed), created: edit.path.slice(0, resolution.consumed + 1) };
      return plan;
    };
    switch (edit.op) {
      case 'set': {
        if (resolution.found) {
          if (deepEqual(this.valueOf(target.node), edit.value)) return { anchor: this.nodeAnchor(target), neutral: true };
          return this.replace(target, edit.value);
        }
        return created(this.create(resolution, edit.path, edit.value));
      }
      case 'append': {
        if (!resolution.found) return created(this.create(resolution, edit.path, [edit.value]));
        const node = target.node;
        if (isSeq(node)) {
          if (node.items.some((item) => deepEqual(this.valueOf(item as Node), edit.value))) return { anchor: this.nodeAnchor(target), neutral: true };
          const plan = this.appendItem(target, node, edit.value);
          if (plan.tail) plan.tail = { collection: edit.path, created: edit.path, appended: { value: edit.value } };
          return plan;
        }
        if (node === null || (isScalar(node) && node.value === null)) return this.replace(target, [edit.value]);
        throw new YamlEditError('append needs a list here', rangeOf(node)?.[0]);
      }
      case 'delete':
        if (!resolution.found) return { anchor: this.nodeAnchor(target), neutral: true };
        return this.remove(resolution);
    }
  }

  // ---- locating -------------------------------------------------------------

  private resolve(path: Path): Resolution {
    const chain: Step[] = [{ node: this.document.contents as Node | null, location: { kind: 'root' } }];
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      const node = (chain[chain.length - 1] as Step).node;
      if (isAlias(node)) throw new YamlEditError(`the path goes through the alias *${node.source}; edit the anchored node instead`, rangeOf(node)?.[0]);
      if (typeof segment === 'string') {
        if (!isMap(node)) return { chain, found: false, consumed: i };
        const pair = node.items.find((p) => keyString(p.key) === segment);
        if (!pair) {
          if (node.items.some(isMergePair)) throw new YamlEditError(`"${segment}" may come from a merge key (<<); edit it where it is defined`, rangeOf(node)?.[0]);
          return { chain, found: false, consumed: i };
        }
        chain.push({ node: (pair.value as Node | null) ?? null, location: { kind: 'pair', map: node, pair } });
      } else {
        if (!isSeq(node) || segment === undefined || segment < 0 || segment >= node.items.length) return { chain, found: false, consumed: i };
        chain.push({ node: (node.items[segment] as Node | null) ?? null, location: { kind: 'item', seq: node, index: segment } });
      }
    }
    return { chain, found: true, consumed: path.length };
  }

  private valueOf(node: Node | null): unknown {
    if (node === null) return null;
    return node.toJS(this.document, { maxAliasCount: 10_000 });
  }

  /** The container holding a step's node (the map of its pair, the sequence of its item). */
  private containerOf(location: Location): YAMLMap | YAMLSeq | undefined {
    if (location.kind === 'pair') return location.map;
    if (location.kind === 'item') return location.seq;
    return undefined;
  }

  private nodeAnchor(step: Step): Anchor {
    const own = rangeOf(step.node);
    const container = rangeOf(this.containerOf(step.location) ?? null);
    const range = own && own[2] > own[0] ? own : container ?? own;
    return range ? [range[0], range[2]] : [0, this.text.length];
  }

  private planFor(change: TextChange, ...nodes: Array<Node | null | undefined>): Plan {
    let low = change.start;
    let high = change.end;
    for (const node of nodes) {
      const range = rangeOf(node);
      if (!range) continue;
      low = Math.min(low, range[0]);
      high = Math.max(high, range[2]);
    }
    return { anchor: [low, high], change };
  }

  // ---- positions --------------------------------------------------------------

  /** End of the meaningful text of a node: no trailing comments or blank lines (kept with keep-chomping block scalars, which own them). */
  private contentEnd(node: Node): number {
    const range = rangeOf(node);
    if (!range) throw new YamlEditError('a node without a source position');
    if (isScalar(node)) {
      if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
        const header = /^[|>][0-9+-]*/.exec(this.text.slice(range[0], range[0] + 4))?.[0] ?? '';
        if (header.includes('+')) return range[1];
        let end = range[1];
        while (end > range[0] && (this.text[end - 1] === '\n' || this.text[end - 1] === '\r')) end--;
        return end;
      }
      return range[1];
    }
    if (isCollection(node) && !node.flow) {
      const last = node.items[node.items.length - 1];
      if (last === undefined) return range[1];
      if (isMap(node)) return this.pairEnd(last as Pair);
      return last === null ? range[1] : this.contentEnd(last as Node);
    }
    return range[1];
  }

  private pairEnd(pair: Pair): number {
    const value = pair.value as Node | null;
    if (value !== null && !isEmptyScalar(value)) return this.contentEnd(value);
    const keyRange = rangeOf(pair.key as Node);
    if (!keyRange) throw new YamlEditError('a key without a source position');
    return keyRange[1];
  }

  private colonAfter(pair: Pair): number {
    const keyRange = rangeOf(pair.key as Node);
    if (!isScalar(pair.key) || !keyRange) throw new YamlEditError('only plain, quoted or JSON keys can be edited');
    const token = (pair as Pair & { srcToken?: { sep?: Array<{ type: string; offset: number }> } }).srcToken;
    const indicator = token?.sep?.find((t) => t.type === 'map-value-ind');
    if (indicator && this.text[indicator.offset] === ':') return indicator.offset;
    const at = this.source.skipBlanks(keyRange[1]);
    if (this.text[at] !== ':') throw new YamlEditError('explicit keys (`? key`) and keys without values cannot be edited', keyRange[0]);
    return at;
  }

  /** The `-` that introduces a block sequence item. */
  private dashOf(seq: YAMLSeq, index: number): number {
    // The concrete syntax tree knows where each `-` is, whatever comments or properties follow it.
    const token = (seq as YAMLSeq & { srcToken?: { type: string; items?: Array<{ start: Array<{ type: string; offset: number }> }> } }).srcToken;
    const indicator = token?.type === 'block-seq' ? token.items?.[index]?.start.find((t) => t.type === 'seq-item-ind') : undefined;
    if (indicator && this.text[indicator.offset] === '-') return indicator.offset;
    if (index === 0) {
      const range = rangeOf(seq);
      if (range && this.text[range[0]] === '-') return range[0];
    }
    const item = seq.items[index] as Node | null;
    const range = rangeOf(item);
    if (!range) throw new YamlEditError('a sequence item without a source position');
    if ((item as Node & { anchor?: string }).anchor || (item as Node & { tag?: string }).tag) {
      throw new YamlEditError('sequence items with an anchor or tag cannot be edited', range[0]);
    }
    let at = range[0] - 1;
    while (at >= 0 && /\s/.test(this.text[at] as string)) at--;
    if (this.text[at] !== '-') throw new YamlEditError('cannot find the "-" of this sequence item', range[0]);
    return at;
  }

  /**
   * Where lines added at the end of a block collection go: after its last
   * content line and after comment lines indented deeper than its own
   * entries (they read as part of the last entry).
   */
  private afterLastLine(node: Node, column: number): number {
    let at = this.source.nextLineStart(this.contentEnd(node));
    while (at < this.text.length) {
      const line = this.source.lineAt(at);
      const trimmed = line.trimStart();
      if (!trimmed.startsWith('#') || line.length - trimmed.length <= column) break;
      at = this.source.nextLineStart(at + line.length);
    }
    return at;
  }

  /** Text that puts `lines` at `at`, a line start (or the end of a text without a final line break). */
  private linesAt(at: number, lines: string[]): TextChange {
    const eol = this.style.eol;
    if (at >= this.text.length && this.text.length > 0 && !this.text.endsWith('\n')) {
      return { start: at, end: at, text: eol + lines.join(eol) };
    }
    return { start: at, end: at, text: lines.map((line) => line + eol).join('') };
  }

  private isMultiline(node: Node): boolean {
    const range = rangeOf(node);
    return range !== undefined && this.source.line(range[0]) !== this.source.line(Math.max(range[0], range[1] - 1));
  }

  // ---- set where the path exists: replace a value ---------------------------

  private replace(step: Step, value: unknown): Plan {
    const location = step.location;
    const node = step.node;
    if (node && ((node as Node & { anchor?: string }).anchor)) {
      throw new YamlEditError('the value has an anchor (&name) that aliases may share; edit it by hand', rangeOf(node)?.[0]);
    }
    if (location.kind === 'root') return this.replaceRoot(node, value);
    const container = this.containerOf(location) as YAMLMap | YAMLSeq;
    if (container.flow) return this.replaceInFlow(node, value, container);
    if (location.kind === 'pair') return this.replacePairValue(location.pair, node, value, location.map);
    return this.replaceItem(location.seq, location.index, node, value);
  }

  /** A whole new document body: only `set` at the empty path does this. */
  private replaceRoot(node: Node | null, value: unknown): Plan {
    const range = rangeOf(node);
    if (!node || !range || isEmptyScalar(node)) throw new YamlEditError('cannot fill an empty document');
    let text: string;
    if (this.json) text = renderJsonPretty(value, 0, this.style);
    else if (Array.isArray(value) && value.length > 0) text = renderSequenceLines(value, 0, this.style).join(this.style.eol);
    else if (isObject(value) && Object.keys(value).length > 0) text = renderMappingLines(value, 0, this.style).join(this.style.eol);
    else text = renderInline(value) as string;
    return this.planFor({ start: range[0], end: this.contentEnd(node), text }, node);
  }

  private flowText(value: unknown, column: number, multiline: boolean, prefer?: ScalarStyle): string {
    if (this.json && multiline && isBlockCollectionValue(value)) return renderJsonPretty(value, column, this.style);
    if (!isBlockCollectionValue(value) && !Array.isArray(value) && !isObject(value)) {
      return renderScalar(value, { flow: true, json: this.json, ...(prefer ? { prefer } : {}) });
    }
    return renderFlow(value, this.json);
  }

  private replaceInFlow(node: Node | null, value: unknown, container: YAMLMap | YAMLSeq): Plan {
    const range = rangeOf(node);
    if (!node || !range || range[0] === range[1]) throw new YamlEditError('empty values in flow collections cannot be edited', rangeOf(container)?.[0]);
    if ((node as Node & { tag?: string }).tag) throw new YamlEditError('tagged values in flow collections cannot be edited', range[0]);
    const text = this.flowText(value, this.source.indentOf(range[0]), this.isMultiline(container), quoteStyle(node));
    return this.planFor({ start: range[0], end: range[1], text }, container);
  }

  private replacePairValue(pair: Pair, node: Node | null, value: unknown, map: YAMLMap): Plan {
    const source = this.source;
    const colon = this.colonAfter(pair);
    const keyColumn = source.column((rangeOf(pair.key as Node) as [number, number, number])[0]);
    const keyLineBreak = source.lineBreakAfter(colon + 1);
    const range = rangeOf(node);
    const inline = renderInline(value, quoteStyle(node));
    const eol = this.style.eol;
    const afterColon = this.text.slice(colon + 1, keyLineBreak);
    const empty = node === null || isEmptyScalar(node);
    const startsBelow = !empty && range !== undefined && source.line(range[0]) > source.line(colon);

    // A non-empty flow collection keeps its style when replaced by a collection.
    if (!empty && !startsBelow && isCollection(node) && node.flow && node.items.length > 0 && (Array.isArray(value) || isObject(value)) && range) {
      return this.planFor({ start: range[0], end: range[1], text: renderFlow(value, false) }, map);
    }
    if (empty || startsBelow) {
      // Whatever follows the colon on the key line can only be blanks, a comment, or properties of a value below.
      const comment = afterColon.trim();
      if (comment !== '' && !comment.startsWith('#')) throw new YamlEditError('values with an anchor or tag cannot be replaced', colon);
      if (startsBelow) {
        const end = source.lineBreakAfter(this.contentEnd(node as Node));
        const valueLine = source.lineStart((range as [number, number, number])[0]);
        // Comment lines between the key and its value stay; the new value then starts below them too.
        const commentsBetween = this.text.slice(keyLineBreak, valueLine).includes('#');
        if (inline !== undefined) {
          if (commentsBetween) {
            // Only a block sequence may sit at its key's column; anything else must be indented under the key.
            const column = Math.max(source.column((range as [number, number, number])[0]), keyColumn + this.style.mapIndent);
            return this.planFor({ start: valueLine, end, text: ' '.repeat(column) + inline }, map);
          }
          return this.planFor({ start: colon + 1, end, text: ` ${inline}${comment ? ` ${comment}` : ''}` }, map);
        }
        const lines = renderBlockLines(value, keyColumn, this.style).join(eol);
        if (commentsBetween) return this.planFor({ start: valueLine, end, text: lines }, map);
        return this.planFor({ start: keyLineBreak, end, text: eol + lines }, map);
      }
      if (inline !== undefined) return { ...this.planFor({ start: colon + 1, end: colon + 1, text: ` ${inline}` }, map), neutral: true, inline: true };
      return this.planFor({ start: keyLineBreak, end: keyLineBreak, text: eol + renderBlockLines(value, keyColumn, this.style).join(eol) }, map);
    }
    // The value starts on the key line: a scalar, a flow collection, a block scalar header, maybe with properties.
    const valueStart = source.skipBlanks(colon + 1);
    const end = this.contentEnd(node as Node);
    // A value on its key line casts no vote in detectStyle unless it spans lines.
    if (inline !== undefined) {
      const oneLine = !this.text.slice(valueStart, end).includes('\n');
      return { ...this.planFor({ start: valueStart, end, text: inline }, map), neutral: oneLine, inline: oneLine };
    }
    const lineBreak = source.lineBreakAfter(end);
    const comment = this.text.slice(end, lineBreak).trim();
    const text = (comment ? ` ${comment}` : '') + eol + renderBlockLines(value, keyColumn, this.style).join(eol);
    return this.planFor({ start: colon + 1, end: lineBreak, text }, map);
  }

  private replaceItem(seq: YAMLSeq, index: number, node: Node | null, value: unknown): Plan {
    const dash = this.dashOf(seq, index);
    const dashColumn = this.source.column(dash);
    const inline = renderInline(value, quoteStyle(node));
    let text: string;
    if (inline !== undefined) {
      text = ` ${inline}`;
    } else {
      const lines = renderItemLines(value, dashColumn, this.style);
      lines[0] = (lines[0] as string).slice(dashColumn + 1);
      text = lines.join(this.style.eol);
    }
    const end = node === null || isEmptyScalar(node) ? dash + 1 : this.contentEnd(node);
    return this.planFor({ start: dash + 1, end, text }, seq);
  }

  // ---- set or append where the path is missing: insert ----------------------

  private create(resolution: Resolution, path: Path, value: unknown): Plan {
    const deepest = resolution.chain[resolution.chain.length - 1] as Step;
    const rest = path.slice(resolution.consumed);
    const first = rest[0];
    if (typeof first !== 'string') throw new YamlEditError(`list index [${String(first)}] does not exist`, rangeOf(deepest.node)?.[0]);
    const nested = nest(rest.slice(1), value);
    const node = deepest.node;
    if (isMap(node)) return this.insertPair(deepest, node, first, nested);
    if (node === null || (isScalar(node) && node.value === null)) return this.replace(deepest, { [first]: nested });
    throw new YamlEditError(`expected a mapping at "${first}"`, rangeOf(node)?.[0]);
  }

  private insertPair(step: Step, map: YAMLMap, key: string, value: unknown): Plan {
    const range = rangeOf(map) as [number, number, number];
    if (map.flow) {
      const container = this.containerOf(step.location);
      if (map.items.length === 0) {
        // `securityContext: {}` in a block document is a placeholder: fill it in block style.
        if (!this.json && container && !container.flow) return this.replace(step, { [key]: value });
        const multiline = container ? this.isMultiline(container) : false;
        const text = this.flowText({ [key]: value }, this.source.indentOf(range[0]), multiline);
        return this.planFor({ start: range[0], end: range[1], text }, map);
      }
      const last = map.items[map.items.length - 1] as Pair;
      const lastEnd = this.pairEnd(last);
      const keyText = renderScalar(key, { flow: true, json: this.json });
      if (this.isMultiline(map)) {
        const column = this.source.column((rangeOf(last.key as Node) as [number, number, number])[0]);
        const text = `,${this.style.eol}${' '.repeat(column)}${keyText}: ${this.flowText(value, column, true)}`;
        return this.planFor({ start: lastEnd, end: lastEnd, text }, map);
      }
      return this.planFor({ start: lastEnd, end: lastEnd, text: `, ${keyText}: ${this.flowText(value, 0, false)}` }, map);
    }
    const firstKey = rangeOf((map.items[0] as Pair).key as Node);
    if (!firstKey) throw new YamlEditError('a mapping whose first key has no source position', range[0]);
    const column = this.source.column(firstKey[0]);
    const at = this.afterLastLine(map, column);
    const style = this.siblingStyle(map, column);
    return this.tailPlan(this.planFor(this.linesAt(at, renderPairLines(key, value, column, style)), map), style);
  }

  /**
   * The document's style, overridden by what the other values of `map` do:
   * a file can indent sequences under some keys and not under others, and a
   * new key should look like its siblings.
   */
  private siblingStyle(map: YAMLMap, column: number): BlockStyle {
    let seqIndent: number | undefined;
    let mapIndent: number | undefined;
    for (const pair of map.items) {
      const value = pair.value as Node | null;
      const range = rangeOf(value);
      if (!range || !isCollection(value) || value.flow || this.source.line(range[0]) === this.source.line((rangeOf(pair.key as Node) ?? range)[0])) continue;
      if (isSeq(value) && this.text[range[0]] === '-') seqIndent ??= this.source.column(range[0]) - column;
      if (isMap(value)) {
        const width = this.source.column(range[0]) - column;
        if (width > 0) mapIndent ??= width;
      }
    }
    return { ...this.style, ...(seqIndent !== undefined && seqIndent >= 0 ? { seqIndent } : {}), ...(mapIndent !== undefined ? { mapIndent } : {}) };
  }

  private appendItem(step: Step, seq: YAMLSeq, value: unknown): Plan {
    const range = rangeOf(seq) as [number, number, number];
    if (seq.flow) {
      const container = this.containerOf(step.location);
      if (seq.items.length === 0) {
        if (!this.json && container && !container.flow) return this.replace(step, [value]);
        const multiline = container ? this.isMultiline(container) : false;
        return this.planFor({ start: range[0], end: range[1], text: this.flowText([value], this.source.indentOf(range[0]), multiline) }, seq);
      }
      const last = seq.items[seq.items.length - 1] as Node;
      const lastEnd = this.contentEnd(last);
      if (this.isMultiline(seq)) {
        const column = this.source.column((rangeOf(last) as [number, number, number])[0]);
        return this.planFor({ start: lastEnd, end: lastEnd, text: `,${this.style.eol}${' '.repeat(column)}${this.flowText(value, column, true)}` }, seq);
      }
      return this.planFor({ start: lastEnd, end: lastEnd, text: `, ${this.flowText(value, 0, false)}` }, seq);
    }
    const dash = this.dashOf(seq, 0);
    const dashColumn = this.source.column(dash);
    const firstRange = rangeOf(seq.items[0] as Node | null);
    const measured = firstRange && firstRange[1] > firstRange[0] && this.source.line(firstRange[0]) === this.source.line(dash) ? firstRange[0] - dash : undefined;
    const style = measured !== undefined && measured >= 2 ? { ...this.style, itemIndent: measured } : this.style;
    const at = this.afterLastLine(seq, dashColumn);
    return this.tailPlan(this.planFor(this.linesAt(at, renderItemLines(value, dashColumn, style)), seq), style);
  }

  /** Marks lines added after a block collection's last line; the paths are filled in by plan(). */
  private tailPlan(plan: Plan, style: BlockStyle): Plan {
    const sameStyle = style.mapIndent === this.style.mapIndent && style.seqIndent === this.style.seqIndent && style.itemIndent === this.style.itemIndent;
    return { ...plan, tail: { collection: [], created: [] }, neutral: sameStyle };
  }

  // ---- delete -------------------------------------------------------------------

  private remove(resolution: Resolution): Plan {
    const target = resolution.chain[resolution.chain.length - 1] as Step;
    const parent = resolution.chain[resolution.chain.length - 2] as Step | undefined;
    const location = target.location;
    if (location.kind === 'root' || !parent) throw new YamlEditError('cannot delete a whole document');
    const container = this.containerOf(location) as YAMLMap | YAMLSeq;
    const containerRange = rangeOf(container) as [number, number, number];
    const spans = this.memberSpans(container);
    const index = location.kind === 'pair' ? container.items.indexOf(location.pair as never) : location.index;
    const emptied = Array.isArray(container.items) && container.items.length === 1;

    if (container.flow) {
      if (emptied) return this.planFor({ start: containerRange[0], end: containerRange[1], text: isMap(container) ? '{}' : '[]' }, container);
      const span = spans[index] as [number, number];
      const text = '';
      if (index < spans.length - 1) return this.planFor({ start: span[0], end: (spans[index + 1] as [number, number])[0], text }, container);
      return this.planFor({ start: (spans[index - 1] as [number, number])[1], end: span[1], text }, container);
    }

    if (emptied) {
      if (parent.location.kind === 'root') {
        return this.planFor({ start: containerRange[0], end: this.contentEnd(container), text: isMap(container) ? '{}' : '[]' }, container);
      }
      return this.replace(parent, isMap(container) ? {} : []);
    }
    const span = spans[index] as [number, number];
    const lineStart = this.source.lineStart(span[0]);
    if (this.text.slice(lineStart, span[0]).trim() === '') {
      return this.planFor({ start: lineStart, end: this.source.nextLineStart(span[1]), text: '' }, container);
    }
    // The first entry of a compact item (`- key: value`, `- - x`) shares its line with the outer dash: join that dash to the next entry.
    if (index < spans.length - 1) {
      return this.planFor({ start: span[0], end: (spans[index + 1] as [number, number])[0], text: '' }, container);
    }
    throw new YamlEditError('cannot delete an entry that shares its line with another', span[0]);
  }

  /** [start, contentEnd] of each member of a collection: a pair from its key, a block item from its dash. */
  private memberSpans(container: YAMLMap | YAMLSeq): Array<[number, number]> {
    if (isMap(container)) {
      return container.items.map((pair) => {
        const keyRange = rangeOf(pair.key as Node);
        if (!keyRange) throw new YamlEditError('a key without a source position');
        return [keyRange[0], this.pairEnd(pair)];
      });
    }
    const seq = container as YAMLSeq;
    return seq.items.map((item, i) => {
      const node = item as Node | null;
      if (seq.flow) {
        const range = rangeOf(node);
        if (!range) throw new YamlEditError('a sequence item without a source position');
        if ((node as Node & { tag?: string; anchor?: string }).tag || (node as Node & { anchor?: string }).anchor) throw new YamlEditError('tagged or anchored items cannot be deleted', range[0]);
        return [range[0], this.contentEnd(node as Node)];
      }
      const dash = this.dashOf(seq, i);
      return [dash, node === null || isEmptyScalar(node) ? dash + 1 : this.contentEnd(node)];
    });
  }
}

function overlaps(a: Anchor, b: Anchor): boolean {
  return a[0] <= b[1] && b[0] <= a[1];
}

function applyChanges(text: string, changes: TextChange[]): string {
  const ordered = [...changes].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const change of ordered) out = out.slice(0, change.start) + change.text + out.slice(change.end);
  return out;
}

/** Parses the text of exactly one document; anything else is refused. */
export function parseSingleDocument(text: string): Document.Parsed {
  const documents = parseAllDocuments(text, { ...YAML_PARSE_OPTIONS, keepSourceTokens: true });
  if (!Array.isArray(documents) || documents.length !== 1) {
    throw new YamlEditError(`expected one YAML document, found ${Array.isArray(documents) ? documents.length : 0}`);
  }
  const document = documents[0] as Document.Parsed;
  const error = document.errors[0];
  if (error) throw new YamlEditError(error.message.split('\n')[0] as string, error.pos[0]);
  return document;
}

export interface DocumentEditResult {
  text: string;
  /** Parse-and-apply passes it took; overlapping edits need one each. */
  rounds: number;
}

export interface DocumentEditOptions {
  /**
   * Let lines added after the last line of the same block collection (or of
   * nested ones ending on the same line) share a round instead of waiting
   * for a re-parse each; see tailsCommute. On by default: the result is the
   * same, and the `yaml` parse is most of the writer's time.
   */
  batchTails?: boolean;
  /** `text` as parseSingleDocument returns it, when the caller has parsed it already. */
  parsed?: Document.Parsed;
}

interface Claim {
  anchor: Anchor;
  edit: Edit;
  plan: Plan;
  applied: boolean;
}

function isPrefix(prefix: Path, path: Path): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => segment === path[i]);
}

/**
 * True when applying `later` in the same round as `earlier` (both planned on
 * the same text) gives exactly the text that applying it after `earlier`
 * would. Both add lines after the last line of a block collection, in the
 * document's style (so neither changes what detectStyle measures). Their
 * collections are the same, nested, or apart: when lines land at the same
 * offset they are ordered as the second round would place them (see
 * orderTails). Neither may create or go through what the other creates, and
 * two appends to one list must differ (the second would otherwise see the
 * first and add nothing).
 */
function tailsCommute(earlier: Claim, later: Edit, plan: Plan): boolean {
  const a = earlier.plan.tail;
  const b = plan.tail;
  if (!earlier.applied || !earlier.plan.neutral || !plan.neutral) return false;
  if (a && b) {
    if (a.appended && b.appended && isPrefix(a.collection, b.collection) && a.collection.length === b.collection.length) {
      return !deepEqual(a.appended.value, b.appended.value);
    }
    return !isPrefix(a.created, later.path) && !isPrefix(b.created, earlier.edit.path);
  }
  // A value replaced on its key line moves no line: lines added elsewhere land where they would after it,
  // and it is written the same after them. Only the paths must be apart.
  if ((a && plan.inline) || (earlier.plan.inline && b) || (earlier.plan.inline && plan.inline)) {
    return !isPrefix(a?.created ?? earlier.edit.path, later.path) && !isPrefix(b?.created ?? later.path, earlier.edit.path);
  }
  return false;
}

/**
 * Changes of one round, ready for applyChanges. Lines added at the same
 * offset are joined into one change in the order rounds would give them:
 * the deeper collection's lines first (the outer one's last line is then
 * the inner one's new last line), and within one collection, edit order.
 */
function orderTails(accepted: Array<{ plan: Plan; order: number }>): TextChange[] {
  const changes: TextChange[] = [];
  const inserts = new Map<number, Array<{ plan: Plan; order: number }>>();
  for (const entry of accepted) {
    const change = entry.plan.change as TextChange;
    if (entry.plan.tail && change.start === change.end) {
      const list = inserts.get(change.start) ?? [];
      list.push(entry);
      inserts.set(change.start, list);
    } else {
      changes.push(change);
    }
  }
  for (const [at, list] of inserts) {
    if (list.length === 1) {
      changes.push((list[0] as { plan: Plan }).plan.change as TextChange);
      continue;
    }
    list.sort((x, y) => (y.plan.tail as TailInsert).collection.length - (x.plan.tail as TailInsert).collection.length || x.order - y.order);
    changes.push({ start: at, end: at, text: list.map((entry) => (entry.plan.change as TextChange).text).join('') });
  }
  return changes;
}

/**
 * Applies edits, in order, to the text of one document (which may begin
 * with its `---` line and end with trailing comments). Throws YamlEditError
 * for constructs it will not edit; the offset is inside `text`.
 */
export function applyEditsToDocumentText(text: string, edits: readonly Edit[], options: DocumentEditOptions = {}): DocumentEditResult {
  const batchTails = options.batchTails ?? true;
  let parsed = options.parsed;
  let current = text;
  let pending = [...edits];
  let rounds = 0;
  // Once edits have shared a round that rounds alone would have split, every later change must keep
  // the style detectStyle measures, or the split rounds could have rendered differently: then start over.
  let batched = false;
  while (pending.length > 0) {
    rounds++;
    const editor = new DocumentEditor(parsed ?? parseSingleDocument(current), current);
    parsed = undefined;
    const canBatch = batchTails && !editor.json && current.endsWith('\n');
    const claimed: Claim[] = [];
    const accepted: Array<{ plan: Plan; order: number }> = [];
    const waiting: Edit[] = [];
    let neutral = true;
    let batchedNow = false;
    pending.forEach((edit, order) => {
      let plan: Plan;
      try {
        plan = editor.plan(edit);
      } catch (error) {
        // Only the first pending edit sees everything before it applied; a later one may fail
        // here only because an earlier edit of this round has not been applied yet. It waits,
        // and so does everything after it.
        if (claimed.length === 0 || !(error instanceof YamlEditError)) throw error;
        plan = { anchor: [0, Number.POSITIVE_INFINITY] };
      }
      const meets = claimed.filter((claim) => overlaps(claim.anchor, plan.anchor));
      let busy = meets.length > 0;
      if (busy && canBatch && meets.every((claim) => tailsCommute(claim, edit, plan))) {
        busy = false;
        batchedNow = true;
      }
      claimed.push({ anchor: plan.anchor, edit, plan, applied: !busy });
      if (busy) {
        waiting.push(edit);
      } else {
        if (!plan.neutral) neutral = false;
        if (plan.change) accepted.push({ plan, order });
      }
    });
    batched ||= batchedNow;
    if (batched && !neutral) return applyEditsToDocumentText(text, edits, { batchTails: false, ...(options.parsed ? { parsed: options.parsed } : {}) });
    current = applyChanges(current, orderTails(accepted));
    pending = waiting;
  }
  return { text: current, rounds };
}
