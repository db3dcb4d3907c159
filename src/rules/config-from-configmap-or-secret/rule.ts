import { defineRule } from '../../core/rule.js';
import { isObject } from '../../core/path.js';
import { remember } from '../../core/strings.js';
import { describeContainer } from '../describe.js';

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

export default defineRule({
  id: 'config-from-configmap-or-secret',
  severity: 'warning',
  // Moving a value into a Secret needs a new object and a name only the owner can choose.
  fixable: false,
  checklist: 'Configuration provided via ConfigMaps/Secrets, not baked into the image',
  docs: {
    summary: 'Secret-looking environment variable set to a literal value instead of valueFrom.secretKeyRef',
    rationale:
      'A password, token or key written as env[].value lives in the manifest, in version control, in every ' +
      'rendered chart and in the pod spec, where anyone allowed to read the workload (not only its Secrets) can ' +
      'see it, and changing it means changing the workload. Kept in a Secret and referenced with ' +
      'valueFrom.secretKeyRef, it has its own access control and can be rotated, encrypted at rest and kept out of ' +
      'the repository, while the container stays immutable and receives its configuration at startup. rootlock ' +
      'never prints the value it found.',
    remediation:
      'Create a Secret holding the value and reference it with env[].valueFrom.secretKeyRef (or mount the Secret as ' +
      'a read-only file). Names count as secret-looking when a whole word of the name (split at _ . - and camelCase) ' +
      'is PASSWORD, PASSWD, PASS, PASSPHRASE, TOKEN, SECRET, KEY, APIKEY, CREDENTIAL(S) or PRIVATE, unless the last ' +
      'word says the variable describes the secret (FILE, PATH, DIR, URL, URI, ENDPOINT, NAME, ID, TYPE, TTL, ' +
      'TIMEOUT, EXPIRY, LENGTH, SIZE, ENABLED, HEADER): DB_PASSWORD and AWS_SECRET_ACCESS_KEY are reported, ' +
      'KEYCLOAK_URL, MONKEY and PASSWORD_FILE are not. Empty values, $(OTHER_VAR) references, absolute file paths ' +
      'and secret-store references (vault:, ref+...://, berglas://, sm://) are accepted.',
    references: [
      'https://kubernetes.io/docs/concepts/configuration/secret/',
      'https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/#define-container-environment-variables-using-secret-data',
      'https://kubernetes.io/docs/concepts/security/secrets-good-practices/',
    ],
  },
  check(context) {
    for (const container of context.containers()) {
      const env = container.spec['env'];
      if (!Array.isArray(env)) continue;
      // A plain loop: a 50 KiB workload can have hundreds of entries, checked on every admission.
      for (let index = 0; index < env.length; index++) {
        const entry: unknown = env[index];
        if (!isObject(entry)) continue;
        const name = entry['name'];
        if (typeof name !== 'string' || !looksLikeSecretName(name)) continue;
        const value = entry['value'];
        if (value === undefined || value === null || value === '') continue;
        if (typeof value === 'string' && isReference(value)) continue;
        // The message names the variable, never its value: findings end up in logs and CI output.
        context.report({
          container,
          path: [...container.path, 'env', index, 'value'],
          message: () => `${describeContainer(container)} sets env ${name} to a literal value, so the secret is written into the ${context.ref.kind} for anyone who can read it`,
          hint: 'move the value into a Secret and reference it with env[].valueFrom.secretKeyRef',
        });
      }
    }
  },
});
