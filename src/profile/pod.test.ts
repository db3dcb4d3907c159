import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findPodContainer } from './pod.js';

const pod = (probes: string): string => `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: web
      image: nginx
      ports: [{name: http, containerPort: 8080}]
${probes}`;

describe('findPodContainer probes', () => {
  it('takes the readinessProbe over the livenessProbe, with a named port resolved', () => {
    const view = findPodContainer(pod(`      livenessProbe: {tcpSocket: {port: 8080}}
      readinessProbe: {httpGet: {path: /ready, port: http}}`), 'pod.yaml');
    assert.deepEqual(view.probe, { from: 'readinessProbe', spec: { kind: 'http', scheme: 'http', port: 8080, path: '/ready', headers: {} } });
  });

  it('falls back to the livenessProbe, and to none when the readinessProbe is grpc only', () => {
    assert.deepEqual(findPodContainer(pod('      livenessProbe: {exec: {command: [cat, /tmp/ok]}}'), 'pod.yaml').probe,
      { from: 'livenessProbe', spec: { kind: 'exec', command: ['cat', '/tmp/ok'] } });
    assert.equal(findPodContainer(pod('      readinessProbe: {grpc: {port: 9090}}'), 'pod.yaml').probe, undefined);
    assert.equal(findPodContainer(pod(''), 'pod.yaml').probe, undefined);
  });

  it('names the container and probe of a port that is not declared, without failing the rest of the view (profile needs no probe)', () => {
    const view = findPodContainer(pod('      readinessProbe: {httpGet: {port: metrics}}'), 'pod.yaml');
    assert.equal(view.probe, undefined);
    assert.match(view.probeError ?? '', /^Pod\/web container web readinessProbe\.httpGet: port metrics is neither a number nor one of the container's named ports$/);
    assert.equal(view.container, 'web');
  });
});
