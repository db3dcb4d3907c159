// Measures how a document is indented, so that inserted lines look like
// their neighbours: the width of nested mappings, whether a sequence's `-`
// sits under its key or is indented, the gap after `-`, and the width of
// pretty-printed JSON. Each habit is the most common one in the document;
// a document with no example of a habit gets the fallback.
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import type { BlockStyle } from './yaml-render.js';
import type { SourceText } from './source-text.js';

export const DEFAULT_STYLE: Omit<BlockStyle, 'eol'> = { mapIndent: 2, seqIndent: 2, itemIndent: 2, jsonIndent: 2 };

class Votes {
  private readonly counts = new Map<number, number>();
  add(value: number): void {
    this.counts.set(value, (this.counts.get(value) ?? 0) + 1);
  }
  /** The most common value; ties go to the one seen first. */
  winner(): number | undefined {
    let best: number | undefined;
    let bestCount = 0;
    for (const [value, count] of this.counts) {
      if (count > bestCount) {
        best = value;
        bestCount = count;
      }
    }
    return best;
  }
}

interface StyleVisitor {
  Pair(pair: Pair, parent: unknown): void;
  Seq(seq: YAMLSeq): void;
  Map(map: YAMLMap): void;
}

/**
 * Calls the visitor on every collection and pair below `node`, parents
 * first, in document order: the order of the `yaml` library's visit(), which
 * decides ties between habits. A plain recursion, because visit() copies and
 * freezes the path for every node, and was most of this module's time.
 */
function walk(node: unknown, parent: unknown, visitor: StyleVisitor): void {
  if (isMap(node)) {
    visitor.Map(node);
    for (const item of node.items) walk(item, node, visitor);
  } else if (isSeq(node)) {
    visitor.Seq(node);
    for (const item of node.items) walk(item, node, visitor);
  } else if (isPair(node)) {
    visitor.Pair(node, parent);
    walk(node.key, node, visitor);
    walk(node.value, node, visitor);
  }
}

function start(node: Node): number | undefined {
  return node.range?.[0];
}

export function detectStyle(document: Document, source: SourceText, fallback: Omit<BlockStyle, 'eol'> = DEFAULT_STYLE): BlockStyle {
  const mapIndent = new Votes();
  const seqIndent = new Votes();
  const itemIndent = new Votes();
  const jsonIndent = new Votes();
  const text = source.text;

  walk(document.contents, document, {
    Pair(pair, parent) {
      if (!isMap(parent) || parent.flow || !isScalar(pair.key) || !pair.key.range) return;
      const keyColumn = source.column(pair.key.range[0]);
      const value = pair.value;
      if (isMap(value) && !value.flow) {
        const first = value.items[0];
        const at = first && isScalar(first.key) ? start(first.key) : undefined;
        if (at !== undefined && source.line(at) > source.line(pair.key.range[0])) {
          const width = source.column(at) - keyColumn;
          if (width > 0) mapIndent.add(width);
        }
      } else if (isSeq(value) && !value.flow) {
        const at = start(value);
        if (at !== undefined && text[at] === '-' && source.line(at) > source.line(pair.key.range[0])) {
          const width = source.column(at) - keyColumn;
          if (width >= 0) seqIndent.add(width);
        }
      }
    },
    Seq(seq) {
      if (seq.flow) return;
      for (const item of seq.items) {
        if (isPair(item) || !item) continue;
        const at = start(item as Node);
        if (at === undefined || at >= text.length) continue;
        let dash = at - 1;
        while (dash >= 0 && (text[dash] === ' ' || text[dash] === '\t')) dash--;
        if (text[dash] !== '-' || source.line(dash) !== source.line(at)) continue;
        itemIndent.add(at - dash);
      }
    },
    Map(map: YAMLMap) {
      if (!map.flow || !map.range) return;
      const first = map.items[0];
      const at = first && isScalar(first.key) ? start(first.key) : undefined;
      if (at === undefined || source.line(at) === source.line(map.range[0])) return;
      const width = source.column(at) - source.indentOf(map.range[0]);
      if (width > 0) jsonIndent.add(width);
    },
  });

  return {
    mapIndent: mapIndent.winner() ?? fallback.mapIndent,
    seqIndent: seqIndent.winner() ?? fallback.seqIndent,
    itemIndent: itemIndent.winner() ?? fallback.itemIndent,
    jsonIndent: jsonIndent.winner() ?? fallback.jsonIndent,
    eol: source.eol,
  };
}
