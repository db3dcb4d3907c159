import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepsUserSettings } from './mutate.js';

describe('keepsUserSettings', () => {
  const object = { spec: { automountServiceAccountToken: true, containers: [{ name: 'a', securityContext: { readOnlyRootFilesystem: false, runAsUser: 0, capabilities: { add: ['NET_ADMIN'] } } }] } };
  const c = ['spec', 'containers', 0, 'securityContext'];
  it('allows adding what is missing and appending to lists', () => {
    assert.equal(keepsUserSettings(object, { op: 'set', path: [...c, 'allowPrivilegeEscalation'], value: false }), true);
    assert.equal(keepsUserSettings(object, { op: 'append', path: [...c, 'capabilities', 'drop'], value: 'ALL' }), true);
  });
  it('allows moving a security switch only in its safe direction', () => {
    assert.equal(keepsUserSettings(object, { op: 'set', path: [...c, 'readOnlyRootFilesystem'], value: true }), true);
    assert.equal(keepsUserSettings(object, { op: 'set', path: ['spec', 'automountServiceAccountToken'], value: false }), true);
    assert.equal(keepsUserSettings({ spec: { privileged: false } }, { op: 'set', path: ['spec', 'privileged'], value: true }), false);
  });
  it('refuses replacing any other value the user wrote, and removing anything', () => {
    assert.equal(keepsUserSettings(object, { op: 'set', path: [...c, 'runAsUser'], value: 1000 }), false);
    assert.equal(keepsUserSettings(object, { op: 'set', path: [...c, 'capabilities', 'add'], value: [] }), false);
    assert.equal(keepsUserSettings(object, { op: 'delete', path: [...c, 'capabilities', 'add'] }), false);
    assert.equal(keepsUserSettings(object, { op: 'delete', path: [...c, 'notThere'] }), true);
  });
});
