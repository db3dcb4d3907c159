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
