import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderOverrideFile } from './values-override-file.js';
import { ValuesFileError } from './helm-chart.js';

const entry = { path: ['controller', 'securityContext', 'readOnlyRootFilesystem'], value: true, comments: ['rootlock: fixes read-only-root-filesystem in Deployment web [web]'] };

describe('the values override file', () => {
  it('starts with a header and comments each key with the finding it fixes', () => {
    const text = renderOverrideFile(undefined, 'rootlock-values.yaml', [entry], ' header');
    assert.equal(text, '# header\n\ncontroller:\n  securityContext:\n    # rootlock: fixes read-only-root-filesystem in Deployment web [web]\n    readOnlyRootFilesystem: true\n');
  });

  it('keeps the user\'s keys and comments (the yaml library spaces them), and returns an unchanged file byte for byte', () => {
    const existing = '# mine\nreplicas: 2   # two\ncontroller:\n  securityContext: ~\n';
    const text = renderOverrideFile(existing, 'v.yaml', [entry], ' header');
    assert.match(text, /^# mine\nreplicas: 2 # two\ncontroller:\n {2}securityContext:\n {4}# rootlock: fixes/);
    assert.equal(renderOverrideFile(text, 'v.yaml', [entry], ' header'), text);
    const odd = 'controller: {securityContext: {readOnlyRootFilesystem: true}}\n';
    assert.equal(renderOverrideFile(odd, 'v.yaml', [entry], ' header'), odd);
  });

  it('refuses a file that does not parse, with its position', () => {
    assert.throws(() => renderOverrideFile('a: [1,\nb: 2\n', 'v.yaml', [entry], ''), (error: unknown) => error instanceof ValuesFileError && /^v\.yaml:\d+:\d+: not valid YAML/.test(error.message));
    assert.throws(() => renderOverrideFile('- 1\n', 'v.yaml', [entry], ''), /a values file must be a mapping/);
  });
});
