// The YAML schema Kubernetes reads manifests with, shared by the js-yaml
// decoder (kube-yaml.ts) and the block-YAML fast path (block-yaml.ts), so
// both resolve every plain scalar by the very same functions.
import {
  Schema, strTag, seqTag, mapTag, nullYaml11Tag, boolYaml11Tag, mergeTag, defineScalarTag, NOT_RESOLVED,
} from 'js-yaml';

// sigs.k8s.io/yaml decodes with go-yaml v2, which strips underscores and then
// reads integers with Go's strconv.ParseInt(s, 0, 64): a leading 0 means octal.
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const GO_INF = /^[-+]?\.(?:inf|Inf|INF)$/;
const GO_NAN = /^\.(?:nan|NaN|NAN)$/;

function parseGoInt(source: string): number | typeof NOT_RESOLVED {
  // go-yaml drops underscores first; most scalars have none, and a copy for each would be garbage.
  const plain = source.includes('_') ? source.replace(/_/g, '') : source;
  if (!GO_INT.test(plain)) return NOT_RESOLVED;
  let sign = 1;
  let digits = plain;
  if (digits[0] === '-' || digits[0] === '+') {
    if (digits[0] === '-') sign = -1;
    digits = digits.slice(1);
  }
  let value: number;
  if (/^0[xX]/.test(digits)) value = parseInt(digits.slice(2), 16);
  else if (/^0[oO]/.test(digits)) value = parseInt(digits.slice(2), 8);
  else if (/^0[bB]/.test(digits)) value = parseInt(digits.slice(2), 2);
  else if (digits.length > 1 && digits[0] === '0') value = parseInt(digits.slice(1), 8);
  else value = parseInt(digits, 10);
  return sign * value;
}

const goIntTag = defineScalarTag<number>('tag:yaml.org,2002:int', {
  implicit: true,
  implicitFirstChars: ['-', '+', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '_'],
  resolve: (source) => parseGoInt(source),
  identify: (data) => Number.isInteger(data),
});

const goFloatTag = defineScalarTag<number>('tag:yaml.org,2002:float', {
  implicit: true,
  implicitFirstChars: ['-', '+', '.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  resolve: (source) => {
    if (GO_FLOAT.test(source)) return parseFloat(source);
    if (GO_INF.test(source)) return source.startsWith('-') ? -Infinity : Infinity;
    if (GO_NAN.test(source)) return NaN;
    return NOT_RESOLVED;
  },
  identify: (data) => typeof data === 'number' && !Number.isInteger(data),
});

/**
 * YAML 1.1 plain scalars as go-yaml v2 resolves them (yes/no/on/off/y/n are
 * booleans, 0755 is octal), merge keys, and no timestamps: Kubernetes sees a
 * date as a string.
 */
export const KUBERNETES_SCHEMA = new Schema([
  strTag, seqTag, mapTag, nullYaml11Tag, boolYaml11Tag, goIntTag, goFloatTag, mergeTag,
]);

/**
 * First characters (as char codes, 0 standing for the empty scalar) with
 * which a plain scalar may resolve to something other than a string. Read
 * from the schema's own table so the two never disagree; every other plain
 * scalar is its own text.
 */
function implicitFirstChars(): Set<number> | undefined {
  // The table is private in js-yaml's types but is what resolveImplicitScalarTag consults first.
  const table = KUBERNETES_SCHEMA as unknown as {
    implicitScalarByFirstChar?: Map<string, unknown>;
    implicitScalarAnyFirstChar?: readonly unknown[];
  };
  if (!(table.implicitScalarByFirstChar instanceof Map) || !Array.isArray(table.implicitScalarAnyFirstChar)) return undefined;
  // A tag that may match any first character makes the shortcut unsafe.
  if (table.implicitScalarAnyFirstChar.length > 0) return undefined;
  const out = new Set<number>();
  for (const key of table.implicitScalarByFirstChar.keys()) out.add(key === '' ? 0 : key.charCodeAt(0));
  return out;
}

const SPECIAL_FIRST = implicitFirstChars();

/** The value of a plain (unquoted) scalar, exactly as the schema resolves it. */
export function resolvePlainScalar(source: string): unknown {
  if (SPECIAL_FIRST !== undefined && source.length > 0 && !SPECIAL_FIRST.has(source.charCodeAt(0))) return source;
  return KUBERNETES_SCHEMA.resolveImplicitScalarTag(source).value;
}
