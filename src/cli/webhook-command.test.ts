// `rootlock webhook serve` as the CLI runs it: config reload without a
// restart (and refusal of a broken config), SIGTERM, usage errors.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent } from 'node:https';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseListen, runWebhookServe } from './webhook-command.js';
import type { ServeFlags } from './webhook-command.js';
import { admissionReview, httpsCall, mutablePod, testCerts } from '../../test/helpers/webhook.js';

function flags(overrides: Partial<ServeFlags>): ServeFlags {
  return { listen: '127.0.0.1:0', mode: 'enforce', maxBodySize: 3072, logLevel: 'info', reloadInterval: 0.05, ...overrides };
}

/** Starts the webhook as the CLI does and returns whether it admits a mutable Pod, then stops it. */
async function admitsMutablePod(serve: ServeFlags, caCert: string): Promise<boolean> {
  let log = '';
  const signals = new EventEmitter();
  const running = runWebhookServe(serve, { stdout: () => undefined, stderr: (t) => (log += t) }, signals);
  let port = 0;
  while (port === 0) {
    const match = /"port":(\d+)/.exec(log);
    if (match) port = Number(match[1]);
    else await sleep(20);
  }
  try {
    const answer = await httpsCall(port, caCert, 'POST', '/validate', JSON.stringify(admissionReview(mutablePod('web'))), { agent: new Agent({ keepAlive: false }) });
    return (JSON.parse(answer.text) as { response: { allowed: boolean } }).response.allowed;
  } finally {
    signals.emit('SIGTERM');
    await running;
  }
}

describe('rootlock webhook serve', () => {
  it('parses --listen', () => {
    assert.deepEqual(parseListen(':8443'), { host: undefined, port: 8443 });
    assert.deepEqual(parseListen('127.0.0.1:9443'), { host: '127.0.0.1', port: 9443 });
    assert.deepEqual(parseListen('[::1]:8443'), { host: '::1', port: 8443 });
    assert.equal(parseListen('8443'), undefined);
    assert.equal(parseListen(':99999'), undefined);
  });

  it('refuses to start without a certificate, or with an invalid config', async () => {
    let err = '';
    const io = { stdout: () => undefined, stderr: (t: string) => (err += t) };
    assert.equal(await runWebhookServe(flags({}), io), 2);
    assert.match(err, /needs --cert and --key/);
    const certs = await testCerts();
    const config = join(certs.dir, 'bad.yaml');
    await writeFile(config, 'rules:\n  no-such-rule: off\n');
    err = '';
    assert.equal(await runWebhookServe(flags({ cert: certs.certFile, key: certs.keyFile, config }), io), 2);
    assert.match(err, /bad\.yaml:2:3: rules\.no-such-rule: unknown rule "no-such-rule"/);
  });

  it('takes --fail-on over the config\'s failOn, as audit does, and the config\'s when the flag is not given', async () => {
    const certs = await testCerts();
    const config = join(certs.dir, 'warnings.yaml');
    // Every finding of the mutable Pod becomes a warning, and the file asks to deny on warnings.
    await writeFile(config, 'failOn: warning\nrules:\n  read-only-root-filesystem: warning\n  no-privilege-escalation: warning\n  writable-paths-mounted: warning\n  no-privileged: warning\n');
    const base = { cert: certs.certFile, key: certs.keyFile, config };
    assert.equal(await admitsMutablePod(flags(base), certs.caCert), false, 'the config\'s failOn: warning denies');
    assert.equal(await admitsMutablePod(flags({ ...base, failOn: 'error' }), certs.caCert), true, '--fail-on error wins over the file');
  });

  it('reloads .rootlock.yaml on change without a restart, keeps the last good config, and stops on SIGTERM', async () => {
    const certs = await testCerts();
    const config = join(certs.dir, '.rootlock.yaml');
    await writeFile(config, '{}\n');
    let log = '';
    const signals = new EventEmitter();
    const running = runWebhookServe(flags({ cert: certs.certFile, key: certs.keyFile, config }), { stdout: () => undefined, stderr: (t) => (log += t) }, signals);
    let port = 0;
    while (port === 0) {
      const match = /"port":(\d+)/.exec(log);
      if (match) port = Number(match[1]);
      else await sleep(20);
    }
    const agent = new Agent({ keepAlive: false });
    const allowed = async (): Promise<boolean> => {
      const answer = await httpsCall(port, certs.caCert, 'POST', '/validate', JSON.stringify(admissionReview(mutablePod('legacy-1'))), { agent });
      return (JSON.parse(answer.text) as { response: { allowed: boolean } }).response.allowed;
    };
    assert.equal(await allowed(), false);
    // Kubernetes swaps a ConfigMap volume's contents atomically; a rename does the same here.
    await writeFile(`${config}.new`, 'exemptions:\n  - rules: "*"\n    names: ["legacy-*"]\n    reason: migrating the legacy apps, ticket 7\n');
    await rename(`${config}.new`, config);
    const deadline = Date.now() + 5000;
    while (!(await allowed())) {
      assert.ok(Date.now() < deadline, `config was not reloaded: ${log}`);
      await sleep(50);
    }
    await writeFile(`${config}.new`, 'exemptions: [oops\n');
    await rename(`${config}.new`, config);
    while (!log.includes('config on disk is invalid')) await sleep(20);
    assert.equal(await allowed(), true, 'the last good config stays in force');
    const metrics = await httpsCall(port, certs.caCert, 'GET', '/metrics', undefined, { agent });
    assert.match(metrics.text, /^rootlock_webhook_config_reloads_total 1$/m);
    assert.match(metrics.text, /^rootlock_webhook_config_reload_errors_total 1$/m);
    signals.emit('SIGTERM');
    assert.equal(await running, 0);
    assert.match(log, /"msg":"stopped"/);
  });
});
