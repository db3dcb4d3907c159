// Measures how a document is indented, so that inserted lines look like
// their neighbours: the width of nested mappings, whether a sequence's `-`
// sits under its key or is indented, the gap after `-`, and the width of
// pretty-printed JSON. Each habit is the most common one in the document;
// a document with no example of a habit gets the fallback.
import { isMap, isPair, isScalar, isSeq, visit } from 'yaml';
import type { Document, Node, YAMLMap } from 'yaml';
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

function start(node: Node): number | undefined {
  return node.range?.[0];
}

export function detectStyle(document: Document, source: SourceText, fallback: Omit<BlockStyle, 'eol'> = DEFAULT_STYLE): BlockStyle {
  const mapIndent = new Votes();
  const seqIndent = new Votes();
  const itemIndent = new Votes();
  const jsonIndent = new Votes();
  const text = source.text;

  visit(document, {
    Pair(_, pair, path) {
      const parent = path[path.length - 1];
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
    Seq(_, seq) {
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
    Map(_, map: YAMLMap) {
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
