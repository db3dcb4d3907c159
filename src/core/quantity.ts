// Kubernetes resource quantities ("64Mi", "1.5G", "500m", "1e3"), parsed
// exactly so that two spellings of one amount compare equal. The grammar is
// the one documented on resource.Quantity:
//   quantity ::= signedNumber suffix
//   suffix   ::= binarySI (Ki Mi Gi Ti Pi Ei) | decimalSI (m "" k M G T P E) | decimalExponent (e|E signedNumber)
// Like Kubernetes, amounts finer than one nano unit are rounded up.
import { remember } from './strings.js';

export interface Quantity {
  /** The quantity as written, for messages. */
  text: string;
  /** The amount in nano units (10^-9 of the base unit: bytes, cores). */
  nanos: bigint;
}

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?\d+)|([mkMGTPE]))?$/;

const BINARY_POWERS: Readonly<Record<string, bigint>> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL_POWERS: Readonly<Record<string, number>> = { m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** Larger exponents are legal in the grammar but no real limit uses them; refusing them bounds the arithmetic. */
const MAX_EXPONENT = 1000;

/**
 * Parses a quantity written as a string, or as a number where YAML read one
 * (`sizeLimit: 1000`). Returns undefined for anything that is not a quantity.
 */
export function parseQuantity(input: unknown): Quantity | undefined {
  let text: string;
  if (typeof input === 'string') text = input;
  else if (typeof input === 'number' && Number.isFinite(input)) text = String(input);
  else return undefined;
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, sign = '', number = '', binary, exponent, decimal] = match;
  const [whole = '', fraction = ''] = number.split('.');
  let power10 = -fraction.length;
  let power2 = 0n;
  if (binary !== undefined) power2 = BINARY_POWERS[binary] ?? 0n;
  else if (exponent !== undefined) {
    const value = Number(exponent);
    if (Math.abs(value) > MAX_EXPONENT) return undefined;
    power10 += value;
  } else if (decimal !== undefined) power10 += DECIMAL_POWERS[decimal] ?? 0;

  const digits = BigInt(`${whole}${fraction}` || '0') << power2;
  const scale = power10 + 9;
  let nanos: bigint;
  if (scale >= 0) nanos = digits * 10n ** BigInt(scale);
  else {
    const divisor = 10n ** BigInt(-scale);
    nanos = (digits + divisor - 1n) / divisor;
  }
  return { text, nanos: sign === '-' ? -nanos : nanos };
}

/**
 * True when parseQuantity would return a quantity: the same test without the
 * arithmetic, for checks that only need to know (every container limit of every admission).
 */
export function isQuantity(input: unknown): boolean {
  if (typeof input === 'string') return remember(checkedQuantities, input, checkQuantity);
  return typeof input === 'number' && Number.isFinite(input) && checkQuantity(String(input));
}

/** Limits are written the same few ways (500m, 256Mi) in every workload. */
const checkedQuantities = new Map<string, boolean>();

function checkQuantity(text: string): boolean {
  if (!QUANTITY.test(text)) return false;
  // Only a decimal exponent (1e3) can be out of range. After a valid quantity's last e or E comes
  // nothing (the exa suffix E), an i (Ei), or the exponent.
  const e = Math.max(text.lastIndexOf('e'), text.lastIndexOf('E'));
  if (e === -1 || e === text.length - 1 || text[e + 1] === 'i') return true;
  return Math.abs(Number(text.slice(e + 1))) <= MAX_EXPONENT;
}

/** Negative when a < b, zero when equal, positive when a > b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}
