import { defineRule } from '../../core/rule.js';
import { isObject } from '../../core/path.js';
import { describeContainer } from '../describe.js';
import { isReference, looksLikeSecretName } from './secret-names.js';

export default defineRule({
  id: 'config-from-configmap-or-secret',
  severity: 'warning',
  enforcement: 'warn',
  admission: () => import('./admission.js'),
  // Moving a value into a Secret needs a new object and a name only the owner can choose.
  fixable: false,
  fixSafety: { manualReason: 'the value has to move into a Secret that rootlock cannot create for you' },
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
