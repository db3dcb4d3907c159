import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatPath } from './path.js';
import type { Path } from './types.js';

/** formatPath as first written, with the regular expression the character test replaced. */
function formatPathByRegExp(path: Path): string {
  const identifier = /^[A-Za-z_$][\w$-]*$/;
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (identifier.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

describe('formatPath', () => {
  it('dots identifiers, brackets indexes and quotes other keys', () => {
    assert.equal(formatPath(['spec', 'template', 'spec', 'containers', 0, 'securityContext']), 'spec.template.spec.containers[0].securityContext');
    assert.equal(formatPath(['metadata', 'annotations', 'rootlock.dev/ignore']), 'metadata.annotations["rootlock.dev/ignore"]');
    assert.equal(formatPath([0, 'a-b', '$x', '_y9']), '[0].a-b.$x._y9');
    assert.equal(formatPath(['', '9a', '-a', 'a b']), '[""]["9a"]["-a"]["a b"]');
    assert.equal(formatPath([]), '');
  });

  it('treats every key as the regular expression /^[A-Za-z_$][\\w$-]*$/ did', () => {
    // Every single character and every pair over a range that covers ASCII and the letters \w does not match.
    const characters = Array.from({ length: 0x180 }, (_, code) => String.fromCharCode(code)).concat(['\u212a', '\u0131', '\ud83d\ude00']);
    for (const first of characters) {
      assert.equal(formatPath([first]), formatPathByRegExp([first]), JSON.stringify(first));
      for (const second of ['a', '0', '-', '$', '_', '.', ' ', '\u00e9', first]) {
        const key = `${first}${second}`;
        assert.equal(formatPath(['x', key]), formatPathByRegExp(['x', key]), JSON.stringify(key));
      }
    }
  });
});
