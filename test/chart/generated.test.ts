// The chart's generated parts are what rootlock makes of them now: the policies
// are what `rootlock policy <engine> --action <action>` prints, the CRDs are
// deploy/crds/, the README's values table is the schema's, and values.yaml
// holds the schema's defaults. `npm run chart` regenerates them.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { CHART_POLICY_ACTIONS, CHART_POLICY_ENGINES, generatedFiles, readSchema, readmeWithValues } from '../../deploy/chart/generate.js';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/repo.js';

const chart = (): string => join(repoRoot(), 'deploy', 'chart');
const STALE = 'stale: run npm run chart and commit the result';

interface SchemaNode { type?: string | string[]; default?: unknown; properties?: Record<string, SchemaNode>; additionalProperties?: unknown; description?: string }

describe('the chart\'s generated files', () => {
  it('files/policies and files/crds are what rootlock generates now, and nothing else is there', async () => {
    const expected = await generatedFiles();
    for (const [path, text] of expected) assert.equal(readFileSync(join(chart(), path), 'utf8'), text, `${path} is ${STALE}`);
    const present = ['policies', 'crds'].flatMap((dir) => readdirSync(join(chart(), 'files', dir)).map((n) => `files/${dir}/${n}`));
    assert.deepEqual(present.sort(), [...expected.keys()].sort());
    assert.equal(expected.size, CHART_POLICY_ENGINES.length * CHART_POLICY_ACTIONS.length + 2);
  });

  it('the policy copies equal what the rootlock policy command prints', async () => {
    const cli = await runCli(['policy', 'vap', '--action', 'warn'], { cwd: repoRoot() });
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(readFileSync(join(chart(), 'files', 'policies', 'vap-warn.yaml'), 'utf8'), cli.stdout);
  });

  it('README.md\'s values table is the schema\'s', () => {
    const readme = readFileSync(join(chart(), 'README.md'), 'utf8');
    assert.equal(readme, readmeWithValues(readme, readSchema()), `deploy/chart/README.md is ${STALE}`);
  });

  it('every value is described in the schema, and values.yaml holds exactly the schema\'s defaults', () => {
    const schema = readSchema() as SchemaNode;
    const values = parse(readFileSync(join(chart(), 'values.yaml'), 'utf8')) as Record<string, unknown>;
    const defaults = (node: SchemaNode, path: string): unknown => {
      assert.ok(node.description, `${path || 'the schema'} has a description`);
      if (node.default !== undefined || !node.properties) return node.default;
      assert.equal(node.additionalProperties, false, `${path} lists its keys (additionalProperties: false), so a misspelt value is an error`);
      return Object.fromEntries(Object.entries(node.properties).map(([key, child]) => [key, defaults(child, path ? `${path}.${key}` : key)]));
    };
    assert.deepEqual(values, defaults({ ...schema, description: 'root' }, ''));
  });
});
