import { DESCRIPTIVE_LAST_WORDS, REFERENCES, SECRET_WORDS } from './secret-names.js';
import { celString, regoString } from '../../policy/fragments/literals.js';
import { bind } from '../../policy/fragments/paths.js';
import type { AdmissionForm } from '../../core/admission.js';

// An env entry whose name looks like a secret (looksLikeSecretName) must not
// hold a literal value: empty values and references (isReference) pass.
// The rule's words() splits a name at _ . - and at camelCase humps (a lower
// case letter or digit followed by an upper case letter); neither Rego nor
// the API server's CEL can replace with a regex, so the words are the matches
// of one regex instead: runs of non-separators in which no [a-z0-9] is
// followed by [A-Z]. Same words for every ASCII name (the API server accepts
// no other env names).
const OTHER = '[^_.\\-a-zA-Z0-9]';
export const NAME_WORD = `(?:[A-Z]|${OTHER})*(?:[a-z0-9]+${OTHER}(?:[A-Z]|${OTHER})*)*[a-z0-9]*`;

// The rule's JavaScript patterns are RE2 as written (\/ and \$ are escaped punctuation in both).
const REFERENCE_SOURCES = REFERENCES.map((pattern) => pattern.source);

const setOf = (words: ReadonlySet<string>): string => `{${[...words].map(regoString).join(', ')}}`;
const listOf = (words: ReadonlySet<string>): string => `[${[...words].map(celString).join(', ')}]`;

const CONFIG_REGO_HELPERS = `secret_words := ${setOf(SECRET_WORDS)}

descriptive_last_words := ${setOf(DESCRIPTIVE_LAST_WORDS)}

name_words(name) := [upper(w) | some w in regex.find_n(${regoString(NAME_WORD)}, name, -1); w != ""]

secret_name(name) if {
  words := name_words(name)
  count(words) > 0
  not words[count(words) - 1] in descriptive_last_words
  some word in words
  word in secret_words
}

reference_patterns := [
${REFERENCE_SOURCES.map((source) => `  ${regoString(source)}`).join(',\n')},
]

literal_secret(value) if {
  value != null
  value != ""
  not is_string(value)
}

literal_secret(value) if {
  is_string(value)
  value != ""
  not reference(value)
}

reference(value) if {
  some pattern in reference_patterns
  regex.match(pattern, value)
}`;

const SECRET_NAME_CEL = bind('ws', `e.name.findAll(${celString(NAME_WORD)}).filter(w, w != '').map(w, w.upperAscii())`,
  `size(ws) > 0 && !(ws[size(ws) - 1] in ${listOf(DESCRIPTIVE_LAST_WORDS)}) && ws.exists(w, w in ${listOf(SECRET_WORDS)})`);

const REFERENCE_CEL = REFERENCE_SOURCES.map((source) => `val.matches(${celString(source)})`).join(' || ');

const admission: AdmissionForm = {
  scope: 'container',
  lists: 'all',
  message: 'must not set a secret-looking env variable (password, token, key...) to a literal value: use valueFrom.secretKeyRef',
  note: 'Names count as secret-looking by the words of the rule (rootlock rules config-from-configmap-or-secret); ' +
    'empty values, $(VAR) references, absolute file paths and secret-store references (vault:, ref+...://, berglas://, sm://) pass.',
  regoHelpers: [CONFIG_REGO_HELPERS],
  regoFails: ['some entry in c.env\nis_string(entry.name)\nsecret_name(entry.name)\nliteral_secret(entry.value)'],
  // string(): the API server only stores strings, but the Kyverno CLI reads YAML 1.1, where `value: yes` is a
  // boolean; rootlock reports such a value like any other literal.
  celOk: `c.?env.orValue([]).all(e, !has(e.name) || !has(e.value) || ${bind('val', 'string(e.value)', `val == '' || ${REFERENCE_CEL} || !(${SECRET_NAME_CEL})`)})`,
};

export default admission;
