// The generated Falco rules file, checked the way Falco's rule loader checks
// it: with ajv against Falco's rule schema (userspace/engine/
// rule_json_schema.h in falcosecurity/falco, restated below), and every
// condition, exception and output only uses fields Falco defines (each listed
// with its source), Falco's operators, and macros and lists the file defines
// before it uses them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';

// Falco's rules schema, restated from userspace/engine/rule_json_schema.h of falcosecurity/falco (Apache-2.0;
// master at 130747499bb8, file last changed in 9aed480082da): JSON Schema draft-06, which Falco's rule loader
// validates every rules file against. Same definitions, same constraints; titles left out.
const PRIORITY = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFO', 'INFORMATIONAL', 'DEBUG'];
const OVERRIDABLE = ['items', 'desc', 'condition', 'output', 'priority', 'enabled', 'exceptions', 'capture', 'capture_duration', 'tags', 'warn_evttypes', 'skip-if-unknown-filter'];
const FALCO_RULES_SCHEMA = {
  $schema: 'http://json-schema.org/draft-06/schema#',
  type: 'array',
  items: { $ref: '#/definitions/FalcoRule' },
  definitions: {
    FalcoRule: {
      type: 'object',
      additionalProperties: false,
      properties: {
        required_engine_version: { type: 'string' },
        required_plugin_versions: { type: 'array', items: { $ref: '#/definitions/RequiredPluginVersion' } },
        macro: { type: 'string' },
        condition: { type: 'string' },
        list: { type: 'string' },
        items: { type: 'array', items: { $ref: '#/definitions/Item' } },
        rule: { type: 'string' },
        desc: { type: 'string' },
        enabled: { type: 'boolean' },
        output: { type: 'string' },
        append: { type: 'boolean' },
        priority: { $ref: '#/definitions/Priority' },
        capture: { type: 'boolean' },
        capture_duration: { type: 'integer' },
        source: { type: 'string' },
        exceptions: { type: 'array', items: { $ref: '#/definitions/Exception' } },
        override: { $ref: '#/definitions/Override' },
        tags: { type: 'array', items: { type: 'string' } },
        warn_evttypes: { type: 'boolean' },
        'skip-if-unknown-filter': { type: 'boolean' },
      },
      required: [],
    },
    Item: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
    Exception: {
      type: 'object',
      additionalProperties: false,
      properties: { name: { type: 'string' }, fields: {}, comps: {}, values: {} },
      required: ['name'],
    },
    Priority: { type: 'string', enum: PRIORITY },
    OverriddenItem: { type: 'string', enum: ['append', 'replace'] },
    Override: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(OVERRIDABLE.map((key) => [key, { $ref: '#/definitions/OverriddenItem' }])),
      minProperties: 1,
    },
    RequiredPluginVersion: {
      type: 'object',
      additionalProperties: false,
      properties: { name: { type: 'string' }, version: { type: 'string' }, alternatives: { type: 'array', items: { $ref: '#/definitions/Alternative' } } },
      required: ['name', 'version'],
    },
    Alternative: {
      type: 'object',
      additionalProperties: false,
      properties: { name: { type: 'string' }, version: { type: 'string' } },
      required: ['name', 'version'],
    },
  },
};

/**
 * Every field the generated rules use, with where Falco defines it: the syscall
 * fields in falcosecurity/libs (userspace/libsinsp, at 48dfd53cd23f), the
 * container and Kubernetes fields in the container plugin that Falco loads by
 * default since 0.41 (falcosecurity/plugins, plugins/container/src/caps/
 * extract/extract.cpp, at 0b3cbd8d84eb).
 */
const FIELD_SOURCES: Record<string, string> = {
  'evt.type': 'libsinsp sinsp_filtercheck_event.cpp',
  'evt.dir': 'libsinsp sinsp_filtercheck_event.cpp',
  'evt.is_open_write': 'libsinsp sinsp_filtercheck_event.cpp',
  'fd.num': 'libsinsp sinsp_filtercheck_fd.cpp',
  'fd.typechar': 'libsinsp sinsp_filtercheck_fd.cpp',
  'fd.name': 'libsinsp sinsp_filtercheck_fd.cpp',
  'fd.directory': 'libsinsp sinsp_filtercheck_fd.cpp',
  'fd.filename': 'libsinsp sinsp_filtercheck_fd.cpp',
  'proc.name': 'libsinsp sinsp_filtercheck_thread.cpp',
  'proc.pname': 'libsinsp sinsp_filtercheck_thread.cpp',
  'proc.cmdline': 'libsinsp sinsp_filtercheck_thread.cpp',
  'proc.exepath': 'libsinsp sinsp_filtercheck_thread.cpp',
  'proc.is_exe_upper_layer': 'libsinsp sinsp_filtercheck_thread.cpp',
  'user.name': 'libsinsp sinsp_filtercheck_user.cpp',
  'user.uid': 'libsinsp sinsp_filtercheck_user.cpp',
  'container.id': 'container plugin extract.cpp',
  'container.name': 'container plugin extract.cpp',
  'container.image.repository': 'container plugin extract.cpp',
  'container.image.tag': 'container plugin extract.cpp',
  'k8s.ns.name': 'container plugin extract.cpp',
  'k8s.pod.name': 'container plugin extract.cpp',
};
const KNOWN_FIELDS = new Set(Object.keys(FIELD_SOURCES));
// Falco's condition operators.
const COMPARISONS = new Set(['=', '==', '!=', '<', '<=', '>', '>=', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'glob', 'iglob', 'regex']);
const SET_OPERATORS = new Set(['in', 'intersects', 'pmatch']);
const BOOLEAN = new Set(['and', 'or', 'not']);

type Item = Record<string, unknown>;

/** Problems with one condition: unknown fields, operators, macros or lists. */
function conditionProblems(condition: string, macros: ReadonlySet<string>, lists: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const tokens = condition.match(/"[^"]*"|'[^']*'|[()]|,|!=|==|<=|>=|=|<|>|[^\s()=<>!,]+/g) ?? [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (token === '(' || token === ')' || BOOLEAN.has(token)) continue;
    if (/^[a-z0-9_]+\.[a-z0-9_.]+$/.test(token)) {
      if (!KNOWN_FIELDS.has(token)) problems.push(`unknown field ${token}`);
      const operator = tokens[i + 1];
      if (operator === 'exists') { i += 1; continue; }
      if (operator !== undefined && COMPARISONS.has(operator)) { i += 2; continue; }
      if (operator !== undefined && SET_OPERATORS.has(operator)) {
        if (tokens[i + 2] !== '(') problems.push(`${operator} after ${token} needs a parenthesised list`);
        let j = i + 3;
        for (; j < tokens.length && tokens[j] !== ')'; j++) {
          const value = tokens[j] as string;
          if (value === ',') continue;
          // A bare name that looks like a list reference must be a list this file defines.
          if (/^rootlock_/.test(value) && !lists.has(value)) problems.push(`unknown list ${value}`);
        }
        i = j;
        continue;
      }
      problems.push(`field ${token} is followed by ${String(operator)}, not an operator`);
      continue;
    }
    if (/^[a-z_][a-z0-9_]*$/.test(token)) {
      if (!macros.has(token)) problems.push(`unknown macro ${token}`);
      continue;
    }
    problems.push(`unexpected token ${token}`);
  }
  return problems;
}

async function generated(): Promise<Item[]> {
  let out = '';
  const code = await main(['policy', 'falco'], { stdout: (t) => (out += t), stderr: () => undefined });
  assert.equal(code, 0);
  return parse(out) as Item[];
}

function falcoSchema(): ValidateFunction {
  // Falco's schema is draft-06; Ajv's default (draft-07) reads every keyword it uses the same way.
  const ajv = new Ajv({ strict: true, allErrors: true });
  const { $schema: _draft, ...schema } = FALCO_RULES_SCHEMA;
  return ajv.compile(schema);
}

describe('generated Falco rules', () => {
  it('the restated schema rejects what Falco\'s rejects', () => {
    const validate = falcoSchema();
    assert.ok(validate([{ rule: 'r', desc: 'd', condition: 'evt.type = open', output: 'o', priority: 'ERROR', override: { condition: 'append' } }]));
    for (const bad of [
      [{ rule: 'r', priority: 'SEVERE' }],
      [{ rule: 'r', unknown_key: true }],
      [{ rule: 'r', override: {} }],
      [{ rule: 'r', override: { condition: 'merge' } }],
      [{ list: 'l', items: [true] }],
      [{ rule: 'r', exceptions: [{ fields: ['fd.name'] }] }],
      [{ required_plugin_versions: [{ name: 'container' }] }],
    ]) assert.equal(validate(bad), false, JSON.stringify(bad));
  });


  it('match the structure of Falco\'s rule schema, with the keys Falco requires of each kind', async () => {
    const items = await generated();
    const validate = falcoSchema();
    assert.ok(validate(items), JSON.stringify(validate.errors));
    for (const item of items) {
      if ('rule' in item) for (const key of ['desc', 'condition', 'output', 'priority']) assert.ok(key in item, `rule ${String(item['rule'])} lacks ${key}`);
      if ('macro' in item) assert.ok('condition' in item);
      if ('list' in item) assert.ok(Array.isArray(item['items']));
    }
    const rules = items.filter((item) => 'rule' in item).map((item) => item['rule']);
    assert.equal(rules.length, 5);
    assert.ok(rules.includes('Write below binary dir in container (rootlock)'));
  });

  it('conditions, exceptions and outputs use only known fields, operators, and macros and lists defined before use', async () => {
    const items = await generated();
    const macros = new Set<string>();
    const lists = new Set<string>();
    const problems: string[] = [];
    for (const item of items) {
      if (typeof item['list'] === 'string') lists.add(item['list']);
      const name = String(item['rule'] ?? item['macro'] ?? item['list'] ?? '');
      if (typeof item['condition'] === 'string') problems.push(...conditionProblems(item['condition'], macros, lists).map((p) => `${name}: ${p}`));
      if (typeof item['macro'] === 'string') macros.add(item['macro']);
      if (typeof item['output'] === 'string') {
        for (const [, field] of item['output'].matchAll(/%([a-z0-9_.]+)/g)) if (!KNOWN_FIELDS.has(field as string)) problems.push(`${name}: output uses unknown field ${field}`);
      }
      for (const exception of (item['exceptions'] as Item[] | undefined) ?? []) {
        const fields = exception['fields'] as string[];
        const comps = exception['comps'] as string[];
        for (const field of fields) if (!KNOWN_FIELDS.has(field)) problems.push(`${name}: exception field ${field}`);
        for (const comp of comps) if (!COMPARISONS.has(comp) && !SET_OPERATORS.has(comp)) problems.push(`${name}: exception comp ${comp}`);
        assert.equal(fields.length, comps.length);
        for (const value of exception['values'] as unknown[][]) assert.equal(value.length, fields.length, `${name}: exception value ${JSON.stringify(value)}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('the checker catches an unknown field, an undefined macro and an undefined list', () => {
    assert.deepEqual(conditionProblems('not_a_macro and proc.nmae = x and fd.name pmatch (rootlock_nope)', new Set(), new Set()), [
      'unknown macro not_a_macro', 'unknown field proc.nmae', 'unknown list rootlock_nope',
    ]);
  });

  it('excepts images the knowledge base says write below /etc, for that directory only', async () => {
    const items = await generated();
    const etc = items.find((item) => item['rule'] === 'Write below etc in container (rootlock)');
    const values = ((etc?.['exceptions'] as Item[] | undefined)?.[0]?.['values'] ?? []) as string[][];
    assert.ok(values.some(([image, path]) => image === 'rabbitmq' && path === '/etc/rabbitmq/'), JSON.stringify(values));
    assert.ok(values.every(([, path]) => path?.startsWith('/etc/')));
  });
});
