// Which environment variable names look like secrets, and which values point
// at a secret kept elsewhere: read by the check and restated by its admission form.
import { remember } from '../../core/strings.js';

/** Words that make an environment variable a secret when they stand alone in its name. */
export const SECRET_WORDS: ReadonlySet<string> = new Set([
  'PASSWORD', 'PASSWORDS', 'PASSWD', 'PASS', 'PASSPHRASE',
  'TOKEN', 'TOKENS', 'AUTHTOKEN',
  'SECRET', 'SECRETS', 'SECRETKEY',
  'KEY', 'KEYS', 'APIKEY', 'ACCESSKEY', 'PRIVATEKEY',
  'CREDENTIAL', 'CREDENTIALS',
  'PRIVATE',
]);

/**
 * A last word that says the variable describes a secret rather than holding
 * one: PASSWORD_FILE is a path, TOKEN_URL an address, SECRET_NAME a name.
 */
export const DESCRIPTIVE_LAST_WORDS = new Set([
  'FILE', 'PATH', 'DIR', 'URL', 'URI', 'ENDPOINT', 'NAME', 'ID', 'TYPE',
  'TTL', 'TIMEOUT', 'EXPIRY', 'LENGTH', 'SIZE', 'ENABLED', 'HEADER',
]);

/** Splits DB_PASSWORD, db.password, db-password and dbPassword into upper-case words. */
function words(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').split(/[_.\-]+/).filter(Boolean).map((word) => word.toUpperCase());
}

/**
 * Every secret word contains one of these. A word is a piece of the name, so a
 * name whose upper-case form contains none of them has no secret word: most
 * names are settled by this one test, without splitting them into words
 * (a 50 KiB workload can have hundreds of env entries, checked on every admission).
 */
export const SECRET_STEMS = /PASS|TOKEN|SECRET|KEY|CREDENTIAL|PRIVATE/;

/**
 * SECRET_STEMS in any case, tested on the name as written, which spares
 * upper-casing every name. For ASCII the two agree letter for letter; a name
 * with any other character also matches here and is then tested exactly as
 * before, on its upper-case form (toUpperCase turns some of them, such as
 * U+017F long s, into ASCII letters, which a case-insensitive match does not).
 */
const SECRET_STEMS_ANY_CASE_OR_NOT_ASCII = /pass|token|secret|key|credential|private|[^\x00-\x7f]/i;

/**
 * Names already decided: the same env names come back with every admission of
 * a workload (the webhook benchmark's StatefulSet has 720) and across the
 * workloads of one chart. Bounded; keys are copies (see detached).
 */
const decidedNames = new Map<string, boolean>();

/** True for names such as DB_PASSWORD, AWS_SECRET_ACCESS_KEY and API_KEY; false for KEYCLOAK_URL, MONKEY, PASSWORD_FILE. */
export function looksLikeSecretName(name: string): boolean {
  return remember(decidedNames, name, decideSecretName);
}

function decideSecretName(name: string): boolean {
  if (!SECRET_STEMS_ANY_CASE_OR_NOT_ASCII.test(name) || !SECRET_STEMS.test(name.toUpperCase())) return false;
  const parts = words(name);
  const last = parts[parts.length - 1];
  if (last === undefined || DESCRIPTIVE_LAST_WORDS.has(last)) return false;
  return parts.some((word) => SECRET_WORDS.has(word));
}

export const REFERENCES: readonly RegExp[] = [
  // Kubernetes dependent variables: $(OTHER_VAR), expanded from the container's other env entries.
  /^(?:\$\([A-Za-z_][A-Za-z0-9_.-]*\))+$/,
  // A file the secret is mounted at, e.g. GOOGLE_APPLICATION_CREDENTIALS=/var/secrets/google/key.json.
  /^\/(?:[\w.@-]+\/)*[\w.@-]+\/?$/,
  // Secret-store references resolved by an injector: bank-vaults (vault:secret/data/app#password),
  // vals (ref+vault://...), berglas (berglas://bucket/secret, sm://project/secret).
  /^vault:\S+$/,
  /^ref\+[a-z0-9]+:\/\/\S+$/,
  /^(?:berglas|sm):\/\/\S+$/,
];

/** Values that point at a secret kept elsewhere instead of being one. */
export function isReference(value: string): boolean {
  return REFERENCES.some((pattern) => pattern.test(value));
}
