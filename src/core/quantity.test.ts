import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareQuantities, isQuantity, parseQuantity } from './quantity.js';

const NANO = 1_000_000_000n;

function nanos(input: unknown): bigint | undefined {
  return parseQuantity(input)?.nanos;
}

describe('parseQuantity', () => {
  it('reads plain numbers as base units', () => {
    assert.equal(nanos('0'), 0n);
    assert.equal(nanos('1'), NANO);
    assert.equal(nanos('128974848'), 128974848n * NANO);
    assert.equal(nanos('+5'), 5n * NANO);
    assert.equal(nanos('-5'), -5n * NANO);
  });

  it('reads binary suffixes as powers of 1024', () => {
    assert.equal(nanos('1Ki'), 1024n * NANO);
    assert.equal(nanos('64Mi'), 64n * 1024n ** 2n * NANO);
    assert.equal(nanos('1Gi'), 1024n ** 3n * NANO);
    assert.equal(nanos('2Ti'), 2n * 1024n ** 4n * NANO);
    assert.equal(nanos('1Pi'), 1024n ** 5n * NANO);
    assert.equal(nanos('1Ei'), 1024n ** 6n * NANO);
    assert.equal(nanos('1.5Gi'), 1610612736n * NANO);
  });

  it('reads decimal suffixes as powers of 1000, and m as a thousandth', () => {
    assert.equal(nanos('1k'), 1000n * NANO);
    assert.equal(nanos('129M'), 129_000_000n * NANO);
    assert.equal(nanos('1G'), 10n ** 9n * NANO);
    assert.equal(nanos('1T'), 10n ** 12n * NANO);
    assert.equal(nanos('1P'), 10n ** 15n * NANO);
    assert.equal(nanos('1E'), 10n ** 18n * NANO);
    assert.equal(nanos('500m'), NANO / 2n);
    assert.equal(nanos('0.5'), NANO / 2n);
  });

  it('reads decimal exponents, with either e and an optional sign', () => {
    assert.equal(nanos('1e3'), 1000n * NANO);
    assert.equal(nanos('1E3'), 1000n * NANO);
    assert.equal(nanos('12e+6'), 12_000_000n * NANO);
    assert.equal(nanos('5e-3'), 5_000_000n);
    assert.equal(nanos('1.5e2'), 150n * NANO);
  });

  it('accepts every number form of the grammar', () => {
    assert.equal(nanos('1.'), NANO);
    assert.equal(nanos('.5'), NANO / 2n);
    assert.equal(nanos('0.1G'), 100_000_000n * NANO);
  });

  it('compares two spellings of one amount as equal, exactly', () => {
    const pairs: Array<[string, string]> = [['1.1G', '1100M'], ['1Gi', '1073741824'], ['1e3', '1k'], ['0.5', '500m'], ['1024Mi', '1Gi'], ['0.1', '100m']];
    for (const [a, b] of pairs) {
      const left = parseQuantity(a);
      const right = parseQuantity(b);
      assert.ok(left && right, `${a} ${b}`);
      assert.equal(compareQuantities(left, right), 0, `${a} = ${b}`);
    }
  });

  it('orders quantities across suffix families', () => {
    const order = ['100m', '1', '1k', '1Ki', '1M', '1Mi', '64Mi', '1G', '1Gi', '1e10'];
    for (let i = 1; i < order.length; i++) {
      const smaller = parseQuantity(order[i - 1]);
      const larger = parseQuantity(order[i]);
      assert.ok(smaller && larger);
      assert.ok(compareQuantities(smaller, larger) < 0, `${order[i - 1]} < ${order[i]}`);
      assert.ok(compareQuantities(larger, smaller) > 0, `${order[i]} > ${order[i - 1]}`);
    }
  });

  it('rounds amounts finer than a nano unit up, as Kubernetes does', () => {
    assert.equal(nanos('1e-10'), 1n);
    assert.equal(nanos('0.0000000001'), 1n);
    assert.equal(nanos('1.5e-9'), 2n);
  });

  it('reads numbers that YAML already decoded', () => {
    assert.equal(nanos(1000), 1000n * NANO);
    assert.equal(nanos(0.5), NANO / 2n);
    assert.equal(nanos(1e21), 10n ** 21n * NANO);
    assert.equal(nanos(Number.NaN), undefined);
    assert.equal(nanos(Number.POSITIVE_INFINITY), undefined);
  });

  it('keeps the text as written for messages', () => {
    assert.equal(parseQuantity('64Mi')?.text, '64Mi');
    assert.equal(parseQuantity(1000)?.text, '1000');
  });

  it('rejects what is not a quantity', () => {
    for (const bad of ['', ' 1Gi', '1Gi ', '1 Gi', '1GB', '1gi', '1K', '1KiB', 'Mi', '1e', '1.5e3Mi', '1e3k', '--1', '1..2', '0x10', 'abc', '1e1001']) {
      assert.equal(parseQuantity(bad), undefined, JSON.stringify(bad));
    }
    for (const bad of [null, undefined, true, {}, [], 10n]) assert.equal(parseQuantity(bad), undefined, String(bad));
  });
});

describe('isQuantity', () => {
  it('says yes exactly when parseQuantity returns a quantity', () => {
    const inputs: unknown[] = ['0', '1', '+5', '-5', '64Mi', '1.5Gi', '500m', '.5', '5.', '1e3', '1E-3', '1e1000', '1e1001', '1e-1001', '-1e+1000',
      '', 'Mi', '1MiB', '1 Gi', ' 1', '1m ', '0x10', '1..2', 'one', 1000, 0.5, -3, NaN, Infinity, null, undefined, true, {}, ['1'], '1Ki',
      '1E', '2Ei', '1e', '1Ee3', 'e3', '1e+', '3E7', '1.5e-2', 1e21, '1E1001', '1.2.3E3'];
    for (const input of inputs) assert.equal(isQuantity(input), parseQuantity(input) !== undefined, String(input));
  });
});
