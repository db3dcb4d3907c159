import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diffUpperLayer } from './differ.js';
import type { FileFacts } from './differ.js';
import { buildContainerDrift } from './report.js';
import type { DriftReport } from './report.js';
import { falcoEvents, renderText } from './render.js';

const file = (mode = 0o644, size = 10): FileFacts => ({ type: 'file', mode, uid: 0, gid: 0, size });

function report(): DriftReport {
  const changes = diffUpperLayer([
    { path: '/etc/hosts', ...file(), lower: file(), sameContentAsLower: true },
    { path: '/etc/app.conf', ...file(), lower: file(0o644, 3) },
    { path: '/var/cache/x', ...file() },
  ]);
  const container = buildContainerDrift({
    identity: { runtime: 'containerd', containerId: 'f'.repeat(64), podNamespace: 'shop', podName: 'web-0', containerName: 'web', image: 'nginx:1.27' },
    upperdir: '/u', lowerdirs: ['/l'], changes,
    processes: [{ pid: 42, command: 'kworker', exe: '/memfd:kworker', deleted: true, memfd: true }],
    accepted: { allow: [{ paths: ['/var/cache/**'], reason: 'cache', index: 0 }] },
  });
  return { tool: { name: 'rootlock', version: '0.0.0' }, hostname: 'node-1', time: '2026-11-27T04:05:06.789Z', containers: [container], problems: [] };
}

describe('drift renderers', () => {
  it('text hides touched and accepted drift unless verbose, and says how many', () => {
    assert.equal(renderText(report()), [
      `shop/web-0/web  image nginx:1.27  containerd ffffffffffff`,
      '  RUN /memfd:kworker  pid 42 (kworker)  critical: runs from an anonymous memory file (memfd)',
      '  C /etc/app.conf (content)  warning config',
      '  (1 accepted, 1 touched without change; --verbose shows them)',
      '',
    ].join('\n'));
    assert.equal(renderText(report(), { verbose: true }).split('\n').slice(2, 5).join('\n'), [
      '  C /etc/app.conf (content)  warning config',
      '  C /etc/hosts (touched: copied up, unchanged)  informational touched',
      '  A /var/cache/x  notice other  [accepted: cache]',
    ].join('\n'));
  });

  it('Falco events leave out accepted and touched drift, and carry Falco\'s fields', () => {
    const events = falcoEvents(report());
    assert.deepEqual(events.map((e) => [e.rule, e.priority]), [
      ['Drop and execute new binary in container', 'Critical'],
      ['Write below etc in container', 'Warning'],
    ]);
    assert.equal(events[0]!.output, '04:05:06.789000000: Critical Process runs from an anonymous memory file (memfd) (proc.exepath=/memfd:kworker proc.pid=42 proc.name=kworker) (k8s.ns=shop k8s.pod=web-0 container=web image=nginx:1.27)');
    assert.deepEqual(events[1]!.output_fields, {
      'evt.time.iso8601': '2026-11-27T04:05:06.789Z', 'container.id': 'ffffffffffff', 'container.name': 'web', 'container.image.repository': 'nginx', 'container.image.tag': '1.27',
      'container.image.digest': null, 'k8s.ns.name': 'shop', 'k8s.pod.name': 'web-0', 'k8s.pod.uid': null,
      'fd.name': '/etc/app.conf', 'rootlock.change': 'changed', 'rootlock.aspects': 'content', 'rootlock.class': 'config',
    });
    assert.equal(events[1]!.hostname, 'node-1');
    assert.equal(events[1]!.source, 'rootlock');
    assert.equal(falcoEvents(report(), { minimumPriority: 'informational' }).length, 3, 'touched paths become events on request');
  });
});
