import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { load } from 'js-yaml';
import { KUBERNETES_SCHEMA } from '../input/kube-yaml.js';
import { isPlainSafe, renderFlow, renderItemLines, renderJsonPretty, renderPairLines, renderScalar } from './yaml-render.js';
import type { BlockStyle } from './yaml-render.js';

const STYLE: BlockStyle = { mapIndent: 2, seqIndent: 0, itemIndent: 2, jsonIndent: 2, eol: '\n' };
const readBack = (text: string): unknown => load(text, { schema: KUBERNETES_SCHEMA });

describe('yaml-render', () => {
  it('writes strings plain only when Kubernetes reads them back as the same string', () => {
    const tricky = ['yes', 'No', 'on', 'OFF', 'y', 'n', '~', 'null', 'true', '0755', '0o17', '0x1F', '1_000', '1e3', '.5', '.inf', '-1', '+1',
      '', ' lead', 'trail ', 'a: b', 'a #b', '#c', '- x', '[x]', '{x}', '*x', '&x', '!x', '|', '>', "'q'", '"q"', '%x', '@x', '`x', 'k:', '2024-01-01', 'multi\nline', 'tab\there'];
    for (const value of tricky) {
      const text = renderScalar(value);
      assert.equal(readBack(text), value, `${JSON.stringify(value)} rendered as ${text}`);
    }
    for (const value of ['nginx', 'registry:5000/app:1.0', '/tmp', 'runtime/default', 'a b c', 'RuntimeDefault', 'NET_BIND_SERVICE']) {
      assert.equal(renderScalar(value), value, `${value} should stay plain`);
      assert.ok(isPlainSafe(value, false));
    }
    assert.ok(!isPlainSafe('a,b', true), 'flow indicators need quotes inside flow collections');
    assert.ok(isPlainSafe('a,b', false));
  });

  it('writes numbers, booleans and null as YAML scalars, and JSON strings in JSON mode', () => {
    assert.equal(renderScalar(true), 'true');
    assert.equal(renderScalar(1000), '1000');
    assert.equal(renderScalar(0.5), '0.5');
    assert.equal(renderScalar(null), 'null');
    assert.equal(renderScalar('x', { json: true }), '"x"');
    assert.equal(renderScalar('x', { prefer: 'single' }), "'x'");
    assert.equal(renderScalar('x', { prefer: 'double' }), '"x"');
    assert.throws(() => renderScalar(Number.POSITIVE_INFINITY));
  });

  it('renders block pairs and items with the given indentation', () => {
    assert.deepEqual(renderPairLines('securityContext', { readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } }, 4, STYLE), [
      '    securityContext:',
      '      readOnlyRootFilesystem: true',
      '      capabilities:',
      '        drop:',
      '        - ALL',
    ]);
    assert.deepEqual(renderItemLines({ name: 'tmp', emptyDir: {} }, 2, { ...STYLE, itemIndent: 4 }), ['  -   name: tmp', '      emptyDir: {}']);
    assert.deepEqual(renderItemLines([['a']], 0, STYLE), ['- - - a']);
    assert.deepEqual(renderPairLines('list', [], 0, STYLE), ['list: []']);
  });

  it('renders flow and pretty JSON', () => {
    assert.equal(renderFlow({ a: [1, 'x y'], 'b,c': {} }, false), '{a: [1, x y], "b,c": {}}');
    assert.equal(renderFlow({ a: [1, 'x'] }, true), '{"a": [1, "x"]}');
    assert.equal(renderJsonPretty({ a: [1] }, 4, { ...STYLE, jsonIndent: 4 }), '{\n        "a": [\n            1\n        ]\n    }');
  });
});
