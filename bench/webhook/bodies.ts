// AdmissionReviews of several sizes, as the API server sends them: a small
// mutable Pod, a Deployment with a sidecar and an init container, and a large
// StatefulSet with many containers, env vars and volumes (the size of a
// typical Helm-rendered operator).
import { mutablePod, admissionReview } from '../../test/helpers/webhook.js';

function container(name: string, env: number): Record<string, unknown> {
  return {
    name,
    image: `registry.example/team/${name}:1.2.3`,
    args: ['--port=8080', '--log-level=info'],
    ports: [{ name: 'http', containerPort: 8080 }],
    env: Array.from({ length: env }, (_, i) => ({ name: `SETTING_${i}`, value: `value-${i}-${'x'.repeat(20)}` })),
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    volumeMounts: [{ name: 'config', mountPath: '/etc/app', readOnly: true }],
    readinessProbe: { httpGet: { path: '/readyz', port: 8080 }, periodSeconds: 10 },
  };
}

function deployment(kind: 'Deployment' | 'StatefulSet', containers: number, env: number): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: 'app', namespace: 'team', labels: { app: 'app', 'app.kubernetes.io/part-of': 'shop' }, annotations: { 'deployment.kubernetes.io/revision': '3' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'app' } },
      template: {
        metadata: { labels: { app: 'app' } },
        spec: {
          initContainers: [{ ...container('migrate', 4), securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false } }],
          containers: Array.from({ length: containers }, (_, i) => container(`app-${i}`, env)),
          volumes: [{ name: 'config', configMap: { name: 'app-config' } }],
        },
      },
    },
  };
}

export interface BenchBody {
  name: string;
  bytes: number;
  text: string;
}

export function benchBodies(): BenchBody[] {
  const make = (name: string, object: Record<string, unknown>): BenchBody => {
    const text = JSON.stringify(admissionReview(object, { namespace: 'team', uid: '00000000-0000-0000-0000-000000000000' }));
    return { name, bytes: Buffer.byteLength(text), text };
  };
  return [make('small Pod', mutablePod()), make('Deployment, 2 containers', deployment('Deployment', 2, 10)), make('StatefulSet, 12 containers', deployment('StatefulSet', 12, 60))];
}
