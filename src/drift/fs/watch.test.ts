// The watcher re-reads only upper layers whose directories changed, and
// serves /metrics and /healthz. Against a real overlay container.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { installBinary, startOverlayContainer, writeFiles } from '../../../test/helpers/overlay.js';
import type { OverlayContainer } from '../../../test/helpers/overlay.js';
import { runDrift } from '../../cli/drift-command.js';
import { DriftWatcher } from './watch.js';

describe('drift watch', () => {
  let container: OverlayContainer;
  before(async () => {
    container = await startOverlayContainer({
      layers: [(layer) => {
        installBinary(layer, execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim(), '/usr/bin/sleep');
        writeFiles(layer, { '/etc/app.conf': 'a=1\n' });
      }],
      changes: 'echo a=2 > etc/app.conf',
      command: ['/usr/bin/sleep', '300'],
    });
  });
  after(async () => {
    await container?.stop();
  });

  it('rescans an upper layer only when one of its directories changed, and fully every n-th round', () => {
    const watcher = new DriftWatcher({ root: '/', accepted: { allow: [] }, fullEvery: 4, filter: (c) => c.layers.upperdir === container.upper });
    const paths = (round: ReturnType<DriftWatcher['scan']>): string[] => round.containers[0]!.changes.map((c) => `${c.kind} ${c.path}`);
    const first = watcher.scan();
    assert.equal(first.rescanned, 1);
    assert.deepEqual(paths(first), ['changed /etc/app.conf']);
    const idle = watcher.scan();
    assert.equal(idle.rescanned, 0, 'nothing changed: served from the cache');
    // A write through the container's root (its merged view) adds an entry to an upper directory.
    writeFileSync(`/proc/${container.pid}/root/etc/new.conf`, 'x\n');
    const changed = watcher.scan();
    assert.equal(changed.rescanned, 1);
    assert.deepEqual(paths(changed), ['changed /etc/app.conf', 'added /etc/new.conf']);
    // A copy-up makes a directory in the upper layer without changing its parent's mtime (overlayfs restores it).
    writeFileSync(`/proc/${container.pid}/root/usr/bin/copied`, 'x\n');
    const copiedUp = watcher.scan();
    assert.equal(copiedUp.rescanned, 1, 'a directory copied up into the upper layer is a change');
    assert.deepEqual(paths(copiedUp), ['changed /etc/app.conf', 'added /etc/new.conf', 'added /usr/bin/copied']);
    // Editing a file already in the upper layer changes no directory: only the periodic full rescan sees it.
    appendFileSync(`/proc/${container.pid}/root/etc/app.conf`, 'b=2\n');
    const full = watcher.scan();
    assert.equal(full.rescanned, 1, 'round 4 of fullEvery 4 is a full rescan');
  });

  it('serves /metrics and /healthz while it runs, prints each new drift once as a Falco JSON line, and stops on abort', async () => {
    let stderr = '';
    let stdout = '';
    // A path no other container on this machine has, so the test finds its own event among the node's.
    const marker = `/etc/watched-${process.pid}-${Date.now()}.conf`;
    writeFileSync(`/proc/${container.pid}/root${marker}`, 'x\n');
    const abort = new AbortController();
    const running = runDrift(['watch', '--interval', '200ms', '--listen', '127.0.0.1:0', '--no-config'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, 'rootlock', abort.signal);
    const started = Date.now();
    while (!/metrics on /.test(stderr) && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 20));
    const port = /metrics on [\d.]+:(\d+)/.exec(stderr)?.[1];
    assert.ok(port, stderr);
    let health: Response | undefined;
    while (Date.now() - started < 5000) {
      health = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (health.status === 200) break;
      await health.body?.cancel();
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(health?.status, 200);
    assert.equal(await health!.text(), 'ok\n');
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /^rootlock_drift_scans_total [1-9]\d*$/m);
    assert.match(metrics, /^rootlock_drift_containers [1-9]\d*$/m, 'the test container is running');
    assert.match(metrics, /^rootlock_drift_changes\{namespace="",pod="",container="",image="",class="config"\} [1-9]\d*$/m);
    assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
    // Several more rounds see the same drift again: it is printed once.
    const scans = (text: string): number => Number(/^rootlock_drift_scans_total (\d+)$/m.exec(text)?.[1] ?? 0);
    const firstRounds = scans(metrics);
    while (scans(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()) < firstRounds + 3 && Date.now() - started < 15000) await new Promise((r) => setTimeout(r, 100));
    abort.abort();
    assert.equal(await running, 0);
    const events = stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { rule: string; source: string; output_fields: Record<string, unknown> });
    const mine = events.filter((e) => e.output_fields['fd.name'] === marker);
    assert.equal(mine.length, 1, stdout);
    assert.equal(mine[0]!.source, 'rootlock');
    assert.equal(mine[0]!.output_fields['rootlock.change'], 'added');
  });
});
