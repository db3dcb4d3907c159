// The summary of `rootlock fix`: every change per object, and every finding
// that needs a human decision with the reason, as text or JSON.
import { formatPath } from '../core/path.js';
import type { Edit, InputError, ObjectReference } from '../core/types.js';
import type { ObjectPlan } from '../fix/plan.js';

export interface FixSummaryFile {
  file: string;
  changed: boolean;
  objects: ObjectPlan[];
  /** Unified diff, in JSON output only. */
  diff?: string;
}

export interface FixSummary {
  version: 1;
  mode: 'preview' | 'write' | 'check' | 'stdout';
  summary: { files: number; changedFiles: number; changes: number; needsHuman: number; errors: number };
  files: FixSummaryFile[];
  errors: InputError[];
}

export function buildFixSummary(mode: FixSummary['mode'], files: FixSummaryFile[], errors: InputError[]): FixSummary {
  let changes = 0;
  let needsHuman = 0;
  for (const file of files) for (const object of file.objects) {
    changes += object.changes.length;
    needsHuman += object.needsHuman.length;
  }
  return {
    version: 1,
    mode,
    summary: { files: files.length, changedFiles: files.filter((f) => f.changed).length, changes, needsHuman, errors: errors.length },
    files,
    errors,
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function label(ref: ObjectReference): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

function shortValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `set spec.containers[0].securityContext.readOnlyRootFilesystem = true` */
export function describeEdit(edit: Edit): string {
  const path = formatPath(edit.path);
  if (edit.op === 'delete') return `delete ${path}`;
  return `${edit.op === 'set' ? 'set' : 'add to'} ${path}${edit.op === 'set' ? ' =' : ':'} ${shortValue(edit.value)}`;
}

export function renderFixSummaryText(summary: FixSummary): string {
  const lines: string[] = [];
  for (const file of summary.files) {
    const objects = file.objects.filter((o) => o.changes.length || o.needsHuman.length);
    if (!objects.length) continue;
    lines.push(file.file);
    for (const object of objects) {
      lines.push(`  ${label(object.object)}${object.helmSource ? ` (rendered from ${object.helmSource}: make these changes in that chart template)` : ''}`);
      for (const change of object.changes) {
        lines.push(`    fixed  ${change.rule}${change.container ? ` [${change.container}]` : ''}: ${change.message}`);
        for (const edit of change.edits) lines.push(`           ${describeEdit(edit)}`);
      }
      for (const human of object.needsHuman) {
        lines.push(`    human  ${human.rule}${human.container ? ` [${human.container}]` : ''}: ${human.message}`);
        lines.push(`           why: ${human.why}`);
      }
    }
    lines.push('');
  }
  const s = summary.summary;
  // Standard output already carries the fixed manifests, so those fixes are made, not proposed.
  const fixed = summary.mode === 'stdout'
    ? `fixed ${plural(s.changes, 'finding')} in the manifests written to standard output`
    : `${summary.mode === 'write' ? 'fixed' : 'would fix'} ${plural(s.changes, 'finding')} in ${plural(s.changedFiles, 'file')}`;
  const parts = [s.changes === 0 ? 'nothing to fix' : fixed];
  if (s.needsHuman) parts.push(`${plural(s.needsHuman, 'finding')} need${s.needsHuman === 1 ? 's' : ''} a human decision`);
  if (s.errors) parts.push(plural(s.errors, 'error'));
  lines.push(parts.join('; '));
  return lines.join('\n') + '\n';
}
