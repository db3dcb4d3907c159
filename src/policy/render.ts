// Renders generated documents as one multi-document YAML stream, each with
// its comment, ready for kubectl apply.
import { Document } from 'yaml';
import type { GeneratedDocument } from './options.js';

export function renderYaml(documents: readonly GeneratedDocument[], header: string): string {
  return documents
    .map((generated, index) => {
      const doc = new Document(generated.object);
      const lines = [...(index === 0 ? [header, ''] : []), ...generated.comment.split('\n')];
      doc.commentBefore = lines.map((line) => (line ? ` ${line}` : '')).join('\n');
      return doc.toString({ lineWidth: 0 });
    })
    .join('---\n');
}

/** A check's note as comment lines of at most `width` characters, after a newline; '' without a note. */
export function noteComment(note: string | undefined, width = 110): string {
  if (!note) return '';
  const lines: string[] = [];
  let line = '';
  for (const word of note.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return '\n' + lines.join('\n');
}
