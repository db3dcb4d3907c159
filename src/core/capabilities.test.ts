import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { capabilityEntries, normalizeCapability, RUNTIME_DEFAULT_CAPABILITIES } from './capabilities.js';

describe('capabilities', () => {
  it('normalises spellings the way container runtimes do', () => {
    assert.equal(normalizeCapability('SYS_ADMIN'), 'SYS_ADMIN');
    assert.equal(normalizeCapability('CAP_SYS_ADMIN'), 'SYS_ADMIN');
    assert.equal(normalizeCapability(' cap_net_admin '), 'NET_ADMIN');
    assert.equal(normalizeCapability('all'), 'ALL');
  });

  it('lists string entries with their index and skips everything else', () => {
    assert.deepEqual(capabilityEntries({ add: ['CAP_CHOWN', 7, '', 'kill'] }, 'add'), [
      { name: 'CAP_CHOWN', capability: 'CHOWN', index: 0 },
      { name: 'kill', capability: 'KILL', index: 3 },
    ]);
    assert.deepEqual(capabilityEntries({ add: ['X'] }, 'drop'), []);
    assert.deepEqual(capabilityEntries({ drop: 'ALL' }, 'drop'), []);
    assert.deepEqual(capabilityEntries(undefined, 'drop'), []);
  });

  it('knows the runtime default set', () => {
    assert.ok(RUNTIME_DEFAULT_CAPABILITIES.has('NET_BIND_SERVICE'));
    assert.ok(RUNTIME_DEFAULT_CAPABILITIES.has('CHOWN'));
    assert.ok(!RUNTIME_DEFAULT_CAPABILITIES.has('SYS_ADMIN'));
    assert.ok(!RUNTIME_DEFAULT_CAPABILITIES.has('NET_ADMIN'));
  });
});
