// A small block-style YAML emitter for the benchmark corpus. js-yaml's dump
// cannot write comments or vary its style, and real repositories do both:
// kubectl/jsonnet output puts sequence dashes at the parent's indent and
// sorts keys, hand-written files indent dashes and keep a natural key order.
// Only what the generator produces is supported (maps, sequences, scalars).

/** Comments to write above (or after) keys of the object that carries them. */
export const COMMENTS = Symbol('comments');

export interface KeyComments {
  [key: string]: { above?: string; after?: string };
}

export type YamlValue = string | number | boolean | null | YamlValue[] | YamlMap;
export interface YamlMap {
  [key: string]: YamlValue;
  [COMMENTS]?: KeyComments;
}

export interface WriterStyle {
  /** `key:\n  - item` (true) or `key:\n- item` (false, kubectl style). */
  indentSequences: boolean;
  sortKeys: boolean;
  /** Chance that a string that could be plain is double-quoted anyway, as people often do. */
  quoteChance: number;
}

const PLAIN_SAFE = /^[A-Za-z/_.$][\w./:@$-]*(?: [\w./:@$()-]+)*$/;
const LOOKS_TYPED = /^(?:[-+]?[0-9._]+(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|\.inf|\.nan)$/;

export class YamlWriter {
  private readonly lines: string[] = [];
  constructor(private readonly style: WriterStyle, private readonly random: () => number) {}

  comment(text: string): this {
    this.lines.push(`# ${text}`);
    return this;
  }

  raw(line: string): this {
    this.lines.push(line);
    return this;
  }

  document(value: YamlMap): this {
    this.map(value, 0, '');
    return this;
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }

  private key(key: string): string {
    return key === '' || !PLAIN_SAFE.test(key) || LOOKS_TYPED.test(key) ? JSON.stringify(key) : key;
  }

  private scalar(value: string | number | boolean | null): string {
    if (value === null) return 'null';
    if (typeof value !== 'string') return String(value);
    if (value === '' || !PLAIN_SAFE.test(value) || LOOKS_TYPED.test(value) || value.includes(': ') || value.includes(' #')) {
      return JSON.stringify(value);
    }
    return this.random() < this.style.quoteChance ? JSON.stringify(value) : value;
  }

  /** Writes `value` at `indent`; the first line starts with `lead` instead of spaces (a sequence dash). */
  private map(value: YamlMap, indent: number, lead: string): void {
    const pad = ' '.repeat(indent);
    const keys = Object.keys(value);
    if (this.style.sortKeys) keys.sort();
    const comments = value[COMMENTS];
    keys.forEach((key, i) => {
      const prefix = i === 0 && lead !== '' ? lead : pad;
      const note = comments?.[key];
      if (note?.above !== undefined && !(i === 0 && lead !== '')) this.lines.push(`${pad}# ${note.above}`);
      const after = note?.after !== undefined ? ` # ${note.after}` : '';
      this.entry(prefix, key, value[key] as YamlValue, indent, after);
    });
  }

  private entry(prefix: string, key: string, value: YamlValue, indent: number, after: string): void {
    const head = `${prefix}${this.key(key)}:`;
    if (Array.isArray(value)) {
      if (value.length === 0) {
        this.lines.push(`${head} []${after}`);
        return;
      }
      this.lines.push(head + after);
      this.sequence(value, this.style.indentSequences ? indent + 2 : indent);
    } else if (value !== null && typeof value === 'object') {
      if (Object.keys(value).length === 0) {
        this.lines.push(`${head} {}${after}`);
        return;
      }
      this.lines.push(head + after);
      this.map(value, indent + 2, '');
    } else if (typeof value === 'string' && value.includes('\n')) {
      this.lines.push(`${head} |${value.endsWith('\n') ? '' : '-'}${after}`);
      const body = value.endsWith('\n') ? value.slice(0, -1) : value;
      const pad = ' '.repeat(indent + 2);
      for (const line of body.split('\n')) this.lines.push(line === '' ? '' : pad + line);
    } else {
      this.lines.push(`${head} ${this.scalar(value)}${after}`);
    }
  }

  private sequence(items: YamlValue[], indent: number): void {
    const pad = ' '.repeat(indent);
    for (const item of items) {
      if (Array.isArray(item)) throw new Error('nested sequences are not used by the corpus generator');
      if (item !== null && typeof item === 'object') this.map(item, indent + 2, `${pad}- `);
      else if (typeof item === 'string' && item.includes('\n')) throw new Error('block scalars inside sequences are not used by the corpus generator');
      else this.lines.push(`${pad}- ${this.scalar(item)}`);
    }
  }
}
