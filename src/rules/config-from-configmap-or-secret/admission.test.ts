// The policies find an env name's words with one regex (NAME_WORD) where the
// rule splits with a replace and a split; on random ASCII names built from
// secret words, descriptive words, separators and case changes, the two must
// say the same of every name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DESCRIPTIVE_LAST_WORDS, looksLikeSecretName, SECRET_WORDS } from './secret-names.js';
import { mulberry32 } from '../../../test/helpers/seeded-random.js';
import { NAME_WORD } from './admission.js';

/** What the policies compute: the regex's non-empty matches, upper-cased (as regex.find_n and findAll return them). */
function policySaysSecret(name: string): boolean {
  const words = [...name.matchAll(new RegExp(NAME_WORD, 'g'))].map((m) => m[0]).filter((w) => w !== '').map((w) => w.toUpperCase());
  const last = words[words.length - 1];
  if (last === undefined || DESCRIPTIVE_LAST_WORDS.has(last)) return false;
  return words.some((word) => SECRET_WORDS.has(word));
}

const PIECES = [...SECRET_WORDS, ...DESCRIPTIVE_LAST_WORDS, 'DB', 'AWS', 'API', 'X', 'MONKEY', 'KEYCLOAK', 'Base', '2', 'v1', '$', '@'];
const SEPARATORS = ['_', '.', '-', '__', '', ''];

function randomName(next: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const parts: string[] = [];
  const count = 1 + Math.floor(next() * 4);
  for (let i = 0; i < count; i++) {
    const piece = pick(PIECES);
    const casing = next();
    parts.push(casing < 0.4 ? piece : casing < 0.6 ? piece.toLowerCase() : casing < 0.9 ? piece.charAt(0) + piece.slice(1).toLowerCase() : piece.charAt(0).toLowerCase() + piece.slice(1));
    if (i < count - 1) parts.push(pick(SEPARATORS));
  }
  return parts.join('');
}

describe('config-from-configmap-or-secret admission check', () => {
  it('finds the words the rule finds: the examples of its docs', () => {
    for (const name of ['DB_PASSWORD', 'AWS_SECRET_ACCESS_KEY', 'API_KEY', 'dbPassword', 'db.password', 'db-password', 'AWSSecretKey', 'privateKey']) {
      assert.equal(policySaysSecret(name), true, name);
      assert.equal(looksLikeSecretName(name), true, name);
    }
    for (const name of ['KEYCLOAK_URL', 'MONKEY', 'PASSWORD_FILE', 'DBPassword', 'passwordless', '', '___']) {
      assert.equal(policySaysSecret(name), false, name);
      assert.equal(looksLikeSecretName(name), false, name);
    }
  });

  it('agrees with looksLikeSecretName on 20000 random names', () => {
    const next = mulberry32(5);
    const disagreements: string[] = [];
    let secret = 0;
    for (let i = 0; i < 20000; i++) {
      const name = randomName(next);
      const expected = looksLikeSecretName(name);
      if (expected) secret++;
      if (policySaysSecret(name) !== expected) disagreements.push(`${name}: rule ${expected}`);
    }
    assert.deepEqual(disagreements.slice(0, 20), []);
    assert.ok(secret > 2000 && secret < 18000, `${secret} secret names: the generator should make both kinds`);
  });
});
