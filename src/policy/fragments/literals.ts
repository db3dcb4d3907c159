// String literals for the generated policies.

/** A CEL single-quoted string literal. */
export function celString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A Rego string literal (JSON's escapes are Rego's). */
export function regoString(text: string): string {
  return JSON.stringify(text);
}
