import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from './rule.js';
import { isReference, looksLikeSecretName, SECRET_STEMS, SECRET_WORDS } from './secret-names.js';
import { checkFixtures, runRule } from '../../../test/helpers/rule-tester.js';

function pod(env: string, list = 'containers'): string {
  return `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  ${list}:\n  - name: app\n    image: x\n    env:\n${env}`;
}

describe('config-from-configmap-or-secret', () => {
  it('passes and fails its fixtures', () => checkFixtures(rule));

  it('recognises secret words only as whole words of the name', () => {
    for (const name of ['DB_PASSWORD', 'AWS_SECRET_ACCESS_KEY', 'API_KEY', 'GITHUB_TOKEN', 'PASSWD', 'SMTP_PASS', 'SSH_PRIVATE_KEY', 'DB_CREDENTIALS', 'GPG_PASSPHRASE', 'APIKEY', 'db_password', 'db.password', 'dbPassword', 'SECRET_KEY_BASE', 'PRIVATE']) {
      assert.equal(looksLikeSecretName(name), true, name);
    }
    for (const name of ['KEYCLOAK_URL', 'MONKEY', 'TOKENIZER_MODEL', 'PASSAGE', 'SECRETARY', 'LOG_LEVEL', 'DB_HOST', 'myKeycloakHost', '']) {
      assert.equal(looksLikeSecretName(name), false, name);
    }
  });

  it('has a stem for every secret word, so the quick test never rejects a secret name', () => {
    for (const word of SECRET_WORDS) assert.match(word, SECRET_STEMS, word);
    // Words are found in any case and spelling of separators; the stem test sees the same letters.
    for (const name of ['xApiKey', 'my-private', 'svc.authToken', 'Passphrase']) assert.equal(looksLikeSecretName(name), true, name);
  });

  it('decides every name as the upper-case test alone did, ASCII or not', () => {
    // The definition before the case-insensitive quick test: upper-case the name, then split it into words.
    const secretByUpperCase = (name: string): boolean => {
      if (!SECRET_STEMS.test(name.toUpperCase())) return false;
      const parts = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').split(/[_.\-]+/).filter(Boolean).map((word) => word.toUpperCase());
      const last = parts[parts.length - 1];
      return last !== undefined && !['FILE', 'PATH', 'DIR', 'URL', 'URI', 'ENDPOINT', 'NAME', 'ID', 'TYPE', 'TTL', 'TIMEOUT', 'EXPIRY', 'LENGTH', 'SIZE', 'ENABLED', 'HEADER'].includes(last) && parts.some((word) => SECRET_WORDS.has(word));
    };
    // Long s and dotless i upper-case to ASCII S and I; the Kelvin sign is a K to a case-insensitive match in some engines.
    const pieces = ['pass', 'PASS', 'Pa\u017fs', 'pa\u017f\u017f', 'key', 'KEY', '\u212aey', 'token', 'priv\u0131ate', 'secret', '_', '.', '-', 'db', 'Word', 'x', '\u00e9', 'credential', 'FILE', 'word'];
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < 20000; i++) {
      let name = '';
      for (let n = 1 + (next() % 4); n > 0; n--) name += pieces[next() % pieces.length];
      assert.equal(looksLikeSecretName(name), secretByUpperCase(name), name);
    }
    assert.equal(looksLikeSecretName('DB_PA\u017fS'), true);
    assert.equal(looksLikeSecretName('SETTING_1'), false);
  });

  it('gives the same answers after more distinct names than it remembers', () => {
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) {
        assert.equal(looksLikeSecretName(`S${i}_PASSWORD`), true);
        assert.equal(looksLikeSecretName(`S${i}_PASSWORD_FILE`), false);
      }
    }
  });

  it('does not count names whose last word describes the secret', () => {
    for (const name of ['PASSWORD_FILE', 'TLS_KEY_PATH', 'TOKEN_URL', 'SECRET_NAME', 'AWS_ACCESS_KEY_ID', 'TOKEN_TTL', 'API_KEY_HEADER']) {
      assert.equal(looksLikeSecretName(name), false, name);
    }
  });

  it('accepts references but not literals that merely contain one', () => {
    for (const value of ['$(DB_PASSWORD)', '$(A)$(B)', '/run/secrets/db', 'vault:secret/data/app#password', 'ref+vault://app/db#/password', 'berglas://bucket/db', 'sm://project/db']) {
      assert.equal(isReference(value), true, value);
    }
    for (const value of ['hunter2', 'pre-$(A)', '$$(A)', '$(A) suffix', '/not a path', 'vault: spaced']) {
      assert.equal(isReference(value), false, value);
    }
  });

  it('reports the exact value path and position, and never the value itself', () => {
    const secret = 's3cr3t-Value';
    const run = runRule(rule, pod(`    - name: LOG_LEVEL\n      value: info\n    - name: DB_PASSWORD\n      value: ${secret}\n`));
    assert.equal(run.findings.length, 1);
    const [finding] = run.findings;
    assert.equal(finding?.path, 'spec.containers[0].env[1].value');
    assert.equal(finding?.line, 12);
    assert.equal(finding?.column, 7);
    assert.equal(finding?.message, 'container "app" sets env DB_PASSWORD to a literal value, so the secret is written into the Pod for anyone who can read it');
    assert.equal(JSON.stringify(finding).includes(secret), false, 'the secret must not appear anywhere in the finding');
    assert.equal(finding?.fixable, false);
  });

  it('is fine with valueFrom, empty values and references', () => {
    assert.equal(runRule(rule, pod('    - name: DB_PASSWORD\n      valueFrom: {secretKeyRef: {name: db, key: password}}\n')).findings.length, 0);
    assert.equal(runRule(rule, pod('    - {name: DB_PASSWORD, value: ""}\n    - {name: API_TOKEN}\n')).findings.length, 0);
    assert.equal(runRule(rule, pod('    - {name: DB_PASSWORD, value: "$(VAULT_DB_PASSWORD)"}\n')).findings.length, 0);
  });

  it('reports literals written as YAML numbers or booleans', () => {
    assert.equal(runRule(rule, pod('    - {name: PIN_PASSWORD, value: 1234}\n')).findings.length, 1);
    assert.equal(runRule(rule, pod('    - {name: API_TOKEN, value: yes}\n')).findings.length, 1);
  });

  it('checks init and ephemeral containers and names the workload kind', () => {
    const init = runRule(rule, pod('    - {name: API_KEY, value: abc}\n', 'initContainers'));
    assert.equal(init.findings[0]?.path, 'spec.initContainers[0].env[0].value');
    assert.match(init.findings[0]?.message ?? '', /^init container "app"/);
    const ephemeral = runRule(rule, pod('    - {name: API_KEY, value: abc}\n', 'ephemeralContainers'));
    assert.equal(ephemeral.findings[0]?.containerType, 'ephemeralContainer');
    const deployment = runRule(rule, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: web, image: x, env: [{name: SESSION_SECRET, value: abc}]}\n');
    assert.equal(deployment.findings[0]?.path, 'spec.template.spec.containers[0].env[0].value');
    assert.match(deployment.findings[0]?.message ?? '', /written into the Deployment/);
  });

  it('reports every secret-looking entry separately', () => {
    const run = runRule(rule, pod('    - {name: DB_PASSWORD, value: a}\n    - {name: DB_USER, value: b}\n    - {name: REDIS_PASSWORD, value: c}\n'));
    assert.deepEqual(run.findings.map((f) => f.path), ['spec.containers[0].env[0].value', 'spec.containers[0].env[2].value']);
  });
});
