import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { annotationExemption, ignoreAnnotated } from './exemptions.js';

describe('ignoreAnnotated', () => {
  const inherited = { annotations: Object.create({ 'rootlock.dev/ignore': 'rule-a' }) as Record<string, unknown> };
  const metadatas: unknown[] = [
    undefined,
    null,
    'text',
    {},
    { annotations: null },
    { annotations: ['rootlock.dev/ignore'] },
    { annotations: { team: 'shop', 'rootlock.dev/ignore-reason': 'only a reason' } },
    { annotations: { 'rootlock.dev/ignore': 'rule-a, rule-b', 'rootlock.dev/ignore-reason': 'vendor' } },
    { annotations: { 'rootlock.dev/ignore.app': '*' } },
    { annotations: JSON.parse('{"__proto__": {"rootlock.dev/ignore": "rule-a"}}') as unknown },
    inherited,
  ];

  it('keeps, in order, only the metadata whose annotations have a rootlock.dev/ignore key', () => {
    assert.deepEqual(ignoreAnnotated(metadatas), [metadatas[6], metadatas[7], metadatas[8], inherited]);
    assert.deepEqual(ignoreAnnotated([{}, { annotations: { team: 'shop' } }]), []);
  });

  it('never changes what annotationExemption finds', () => {
    for (const first of metadatas) {
      for (const second of metadatas) {
        for (const [rule, container] of [['rule-a', undefined], ['rule-b', 'app'], ['rule-c', 'app'], ['rule-c', 'db']] as const) {
          const all = annotationExemption([first, second], rule, container);
          assert.deepEqual(annotationExemption(ignoreAnnotated([first, second]), rule, container), all, `${JSON.stringify([first, second])} ${rule} ${String(container)}`);
        }
      }
    }
  });
});
