// The shared case table for the policy differential tests: objects across
// rules, kinds and edge cases, plus the gatekeeper-library and Kyverno samples
// from shared/corpus/real-world. Every engine's verdict on each case must equal
// rootlock audit's (test/policy/verdicts.ts computes those; nothing here says
// what the verdict should be).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifests } from '../../src/input/kube-yaml.js';
import { isObject } from '../../src/core/path.js';
import { corpusExcerptsDir } from '../helpers/repo.js';

type Json = Record<string, unknown>;

export interface PolicyCase {
  name: string;
  object: Json;
  /** Gatekeeper `exemptImages`, and the same images as a rootlock config exemption. */
  exemptImages?: string[];
  /** The API server refuses this object on create (validation), so it never reaches admission. */
  apiInvalid?: string;
  /** Where it came from, for corpus cases. */
  source?: string;
}

const DIGEST = 'sha256:' + 'a'.repeat(64);
const IMAGE = `registry.example.com/app:1.0@${DIGEST}`;

const HARDENED_SC = {
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  runAsNonRoot: true,
  runAsUser: 10001,
  capabilities: { drop: ['ALL'] },
};
const LIMITS = { limits: { cpu: '500m', memory: '128Mi' } };

function container(name: string, extra: Json = {}): Json {
  return { name, image: IMAGE, securityContext: { ...HARDENED_SC }, resources: LIMITS, ...extra };
}

function hardenedSpec(extra: Json = {}): Json {
  return { automountServiceAccountToken: false, securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [container('app')], ...extra };
}

const LABELS = { app: 'case' };

/** The object of `kind` with this pod spec (and pod template metadata). */
export function wrap(kind: string, name: string, podSpec: Json, podMeta: Json = {}, objectMeta: Json = {}): Json {
  const metadata = { name, ...objectMeta };
  const template = { metadata: { labels: LABELS, ...podMeta }, spec: podSpec };
  const jobTemplate = { metadata: template.metadata, spec: { ...podSpec, restartPolicy: 'Never' } };
  switch (kind) {
    case 'Pod':
      return { apiVersion: 'v1', kind, metadata: { ...metadata, ...podMeta, ...(podMeta['annotations'] && objectMeta['annotations'] ? { annotations: { ...(podMeta['annotations'] as Json), ...(objectMeta['annotations'] as Json) } } : {}) }, spec: podSpec };
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
      return { apiVersion: 'apps/v1', kind, metadata, spec: { selector: { matchLabels: LABELS }, template } };
    case 'ReplicationController':
      return { apiVersion: 'v1', kind, metadata, spec: { selector: LABELS, template } };
    case 'Job':
      return { apiVersion: 'batch/v1', kind, metadata, spec: { template: jobTemplate } };
    case 'CronJob':
      return { apiVersion: 'batch/v1', kind, metadata, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: jobTemplate } } } };
    default:
      throw new Error(`no wrapper for ${kind}`);
  }
}

export const KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController'];

function kindCases(): PolicyCase[] {
  const out: PolicyCase[] = [];
  for (const kind of KINDS) {
    const slug = kind.toLowerCase();
    out.push({ name: `${slug}-hardened`, object: wrap(kind, `${slug}-hardened`, hardenedSpec()) });
    out.push({ name: `${slug}-bare`, object: wrap(kind, `${slug}-bare`, { containers: [{ name: 'app', image: 'nginx' }] }) });
    // A bad init container in an otherwise hardened workload.
    out.push({
      name: `${slug}-bad-init`,
      object: wrap(kind, `${slug}-bad-init`, hardenedSpec({ initContainers: [{ name: 'setup', image: 'busybox:1.36', securityContext: { privileged: true } }] })),
    });
  }
  return out;
}

function sc(extra: Json): Json {
  return { ...HARDENED_SC, ...extra };
}

function podCase(name: string, spec: Json, meta: Json = {}, rest: Partial<PolicyCase> = {}): PolicyCase {
  return { name, object: wrap('Pod', name, spec, meta), ...rest };
}

function deploymentCase(name: string, spec: Json, podMeta: Json = {}, objectMeta: Json = {}): PolicyCase {
  return { name, object: wrap('Deployment', name, spec, podMeta, objectMeta) };
}

function edgeCases(): PolicyCase[] {
  const one = (extra: Json): Json => hardenedSpec({ containers: [container('app', extra)] });
  return [
    podCase('rofs-false', one({ securityContext: sc({ readOnlyRootFilesystem: false }) })),
    podCase('rofs-unset', one({ securityContext: sc({ readOnlyRootFilesystem: undefined }) })),
    podCase('priv-esc-true', one({ securityContext: sc({ allowPrivilegeEscalation: true }) })),
    podCase('priv-esc-unset', one({ securityContext: sc({ allowPrivilegeEscalation: undefined }) })),
    podCase('privileged', one({ securityContext: sc({ privileged: true, allowPrivilegeEscalation: undefined }) })),
    podCase('privileged-false', one({ securityContext: sc({ privileged: false }) })),
    podCase('drop-lowercase-all', one({ securityContext: sc({ capabilities: { drop: ['all'] } }) })),
    podCase('drop-some', one({ securityContext: sc({ capabilities: { drop: ['NET_RAW', 'CHOWN'] } }) })),
    podCase('add-net-bind', one({ securityContext: sc({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }) })),
    podCase('add-cap-net-bind-lower', one({ securityContext: sc({ capabilities: { drop: ['ALL'], add: [' cap_net_bind_service '] } }) })),
    podCase('add-net-admin', one({ securityContext: sc({ capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } }) })),
    podCase('add-chown-lower', one({ securityContext: sc({ capabilities: { drop: ['ALL'], add: ['chown'] } }) })),
    podCase('add-cap-sys-admin', one({ securityContext: sc({ allowPrivilegeEscalation: undefined, capabilities: { drop: ['ALL'], add: ['CAP_SYS_ADMIN'] } }) })),
    podCase('add-blank', one({ securityContext: sc({ capabilities: { drop: ['ALL'], add: ['  '] } }) })),
    // Container overrides pod.
    podCase('pod-nonroot-container-inherits', hardenedSpec({
      securityContext: { runAsNonRoot: true },
      containers: [container('app', { securityContext: sc({ runAsNonRoot: undefined, runAsUser: undefined }) })],
    })),
    podCase('pod-nonroot-container-user-0', hardenedSpec({
      securityContext: { runAsNonRoot: true },
      containers: [container('app', { securityContext: sc({ runAsNonRoot: undefined, runAsUser: 0 }) })],
    })),
    podCase('pod-user-0-container-user-1000', hardenedSpec({
      securityContext: { runAsUser: 0, runAsNonRoot: true },
      containers: [container('app', { securityContext: sc({ runAsNonRoot: undefined, runAsUser: 1000 }) })],
    })),
    podCase('pod-nonroot-container-false', hardenedSpec({
      securityContext: { runAsNonRoot: true },
      containers: [container('app', { securityContext: sc({ runAsNonRoot: false }) })],
    })),
    podCase('pod-user-0', hardenedSpec({
      securityContext: { runAsUser: 0 },
      containers: [container('app', { securityContext: sc({ runAsNonRoot: undefined, runAsUser: undefined }) })],
    })),
    // The pod's runAsUser 0 applies to a container that sets no user, even beside runAsNonRoot: true.
    podCase('pod-user-0-and-nonroot', hardenedSpec({
      securityContext: { runAsUser: 0, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [container('app', { securityContext: sc({ runAsNonRoot: undefined, runAsUser: undefined }) })],
    })),
    podCase('runasnonroot-unset', one({ securityContext: sc({ runAsNonRoot: undefined }) })),
    // Windows pods: Linux-only fields are not required (and may not be set).
    podCase('windows-pod', {
      automountServiceAccountToken: false,
      os: { name: 'windows' },
      securityContext: { runAsNonRoot: true },
      containers: [{ name: 'app', image: IMAGE, resources: LIMITS }],
    }),
    // Images.
    podCase('image-tag-only', one({ image: 'registry.example.com/app:1.0' })),
    podCase('image-latest', one({ image: 'nginx:latest' })),
    podCase('image-untagged', one({ image: 'nginx' })),
    podCase('image-digest-only', one({ image: `nginx@${DIGEST}` })),
    podCase('image-short-digest', one({ image: 'nginx@sha256:abc123' })),
    podCase('image-uppercase-digest', one({ image: `nginx@sha256:${'A'.repeat(64)}` })),
    podCase('image-port-registry', one({ image: `localhost:5000/team/app:2@${DIGEST}` })),
    // Seccomp: the container's own profile, else the pod's.
    podCase('seccomp-container-unconfined', one({ securityContext: sc({ seccompProfile: { type: 'Unconfined' } }) })),
    podCase('seccomp-container-localhost', one({ securityContext: sc({ seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/app.json' } }) })),
    podCase('seccomp-pod-unconfined', hardenedSpec({ securityContext: { seccompProfile: { type: 'Unconfined' } } })),
    podCase('seccomp-pod-localhost', hardenedSpec({ securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } } })),
    podCase('seccomp-none', hardenedSpec({ securityContext: undefined })),
    podCase('seccomp-all-containers-own', hardenedSpec({ securityContext: undefined, containers: [container('app', { securityContext: sc({ seccompProfile: { type: 'RuntimeDefault' } }) })] })),
    podCase('seccomp-one-inherits-none', hardenedSpec({
      securityContext: undefined,
      containers: [container('app', { securityContext: sc({ seccompProfile: { type: 'RuntimeDefault' } }) }), container('sidecar')],
    })),
    podCase('seccomp-container-overrides-unconfined-pod', hardenedSpec({
      securityContext: { seccompProfile: { type: 'Unconfined' } },
      containers: [container('app', { securityContext: sc({ seccompProfile: { type: 'RuntimeDefault' } }) })],
    })),
    podCase('seccomp-deprecated-annotation', hardenedSpec({ securityContext: undefined }), { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default' } }),
    deploymentCase('seccomp-container-ignore-annotation', hardenedSpec({
      containers: [container('app', { securityContext: sc({ seccompProfile: { type: 'Unconfined' } }) })],
    }), { annotations: { 'rootlock.dev/ignore.app': 'seccomp-profile' } }),
    // hostPath volumes: read-only, and no runtime socket even read-only (paths canonicalised, /var/run = /run).
    ...hostPathCases(),
    // Memory-backed emptyDirs: a sizeLimit, no larger than the memory limit of a container that mounts them.
    ...memoryEmptyDirCases(),
    // Service account token.
    podCase('automount-true', hardenedSpec({ automountServiceAccountToken: true })),
    podCase('automount-unset', hardenedSpec({ automountServiceAccountToken: undefined })),
    // Limits.
    podCase('limits-missing', one({ resources: undefined })),
    podCase('limits-cpu-only', one({ resources: { limits: { cpu: '1' } } })),
    podCase('limits-from-pod', {
      ...hardenedSpec({ containers: [container('app', { resources: undefined })] }),
      resources: { limits: { cpu: '1', memory: '256Mi' } },
    }),
    podCase('limits-memory-from-pod', {
      ...hardenedSpec({ containers: [container('app', { resources: { limits: { cpu: '250m' } } })] }),
      resources: { limits: { memory: '256Mi' } },
    }),
    podCase('limits-bad-quantity', one({ resources: { limits: { cpu: '1 core', memory: '1Gi' } } }), {}, { apiInvalid: 'cpu limit is not a quantity' }),
    // Several containers: one bad sidecar.
    podCase('second-container-bad', hardenedSpec({ containers: [container('app'), { name: 'sidecar', image: 'envoy:1.30' }] })),
    podCase('restartable-sidecar-bad', hardenedSpec({
      initContainers: [{ name: 'proxy', image: IMAGE, restartPolicy: 'Always', resources: LIMITS, securityContext: sc({ readOnlyRootFilesystem: false }) }],
    })),
    // Ephemeral containers (added through the pods/ephemeralcontainers subresource).
    podCase('ephemeral-debug-bad', hardenedSpec({ ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36' }] })),
    podCase('ephemeral-debug-hardened', hardenedSpec({
      ephemeralContainers: [{ name: 'debug', image: IMAGE, securityContext: { ...HARDENED_SC } }],
    })),
    // Exemption annotations.
    podCase('annotation-ignore-all', hardenedSpec({ containers: [{ name: 'app', image: 'nginx' }] }), { annotations: { 'rootlock.dev/ignore': 'all' } }),
    podCase('annotation-ignore-star', hardenedSpec({ containers: [{ name: 'app', image: 'nginx' }] }), { annotations: { 'rootlock.dev/ignore': '*' } }),
    podCase('annotation-ignore-two-rules', hardenedSpec({ containers: [{ name: 'app', image: 'nginx' }] }), {
      annotations: { 'rootlock.dev/ignore': ' read-only-root-filesystem , run-as-non-root', 'rootlock.dev/ignore-reason': 'legacy' },
    }),
    podCase('annotation-ignore-container', hardenedSpec({ containers: [container('app'), { name: 'legacy', image: 'nginx' }] }), {
      annotations: { 'rootlock.dev/ignore.legacy': 'read-only-root-filesystem,drop-all-capabilities,resource-limits' },
    }),
    podCase('annotation-other-container', hardenedSpec({ containers: [{ name: 'legacy', image: 'nginx' }] }), {
      annotations: { 'rootlock.dev/ignore.other': 'all' },
    }),
    podCase('annotation-unrelated-rule', hardenedSpec({ containers: [{ name: 'app', image: 'nginx' }] }), {
      annotations: { 'rootlock.dev/ignore': 'no-privileged' },
    }),
    deploymentCase('deploy-template-annotation', hardenedSpec({ containers: [{ name: 'app', image: 'nginx' }] }), {
      annotations: { 'rootlock.dev/ignore': 'read-only-root-filesystem' },
    }),
    deploymentCase('deploy-object-annotation', hardenedSpec({ containers: [{ name: 'app', image: 'nginx' }] }), {}, {
      annotations: { 'rootlock.dev/ignore': 'run-as-non-root,no-privilege-escalation' },
    }),
    deploymentCase('deploy-pod-level-user-0', hardenedSpec({
      securityContext: { runAsUser: 0 },
      containers: [container('app', { securityContext: sc({ runAsUser: undefined, runAsNonRoot: undefined }) })],
    })),
    // Exempt images (gatekeeper-library style parameters; a rootlock config exemption for the audit).
    { name: 'exempt-image-exact', object: wrap('Pod', 'exempt-image-exact', hardenedSpec({ containers: [container('app'), { name: 'debug', image: 'registry.example.com/debug:1.0' }] })), exemptImages: ['registry.example.com/debug:1.0'] },
    { name: 'exempt-image-prefix', object: wrap('Pod', 'exempt-image-prefix', hardenedSpec({ containers: [{ name: 'tool', image: 'registry.example.com/tools/shell:2' }] })), exemptImages: ['registry.example.com/tools/*'] },
    { name: 'exempt-image-no-match', object: wrap('Pod', 'exempt-image-no-match', hardenedSpec({ containers: [{ name: 'tool', image: 'registry.example.com/other:2' }] })), exemptImages: ['registry.example.com/tools/*'] },
    ...yamlCases(),
    ...configCases(),
    ...writablePathsCases(),
    ...secretEnvCases(),
  ];
}

/** writable-paths-mounted: images the knowledge base knows, with and without writable mounts over their paths. */
function writablePathsCases(): PolicyCase[] {
  const emptyDirs = (paths: string[]): { volumes: Json[]; volumeMounts: Json[] } => ({
    volumes: paths.map((_, i) => ({ name: `w${i}`, emptyDir: {} })),
    volumeMounts: paths.map((mountPath, i) => ({ name: `w${i}`, mountPath })),
  });
  const withImage = (name: string, image: string, paths: string[], extra: Json = {}, list = 'containers'): PolicyCase => {
    const { volumes, volumeMounts } = emptyDirs(paths);
    const app = container(list === 'containers' ? 'app' : 'web', { image, ...(paths.length ? { volumeMounts } : {}), ...extra });
    const spec = hardenedSpec(volumes.length ? { volumes } : {});
    if (list === 'containers') spec['containers'] = [app];
    else spec[list] = [app];
    if (list === 'ephemeralContainers') {
      delete app['resources'];
      spec['containers'] = [container('app')];
    }
    return podCase(name, spec);
  };
  const nginx = `nginx:1.27@${DIGEST}`;
  const nginxPaths = ['/tmp', '/var/run', '/var/cache/nginx', '/var/log/nginx'];
  return [
    withImage('writable-nginx-none', nginx, []),
    withImage('writable-nginx-all', nginx, nginxPaths),
    // Parent directories count, and /run is /var/run.
    withImage('writable-nginx-parents-and-run', nginx, ['/tmp', '/run', '/var/cache', '/var/log']),
    withImage('writable-nginx-var-is-not-run', nginx, ['/tmp', '/var']),
    withImage('writable-nginx-missing-log', nginx, ['/tmp', '/var/run', '/var/cache/nginx']),
    withImage('writable-nginx-slashes', nginx, ['/tmp/', '//var//run', '/var/cache/nginx/', '/var/log//nginx']),
    withImage('writable-nginx-not-read-only', nginx, [], { securityContext: sc({ readOnlyRootFilesystem: false }) }),
    withImage('writable-nginx-docker-io-spelling', `docker.io/library/nginx:1.27@${DIGEST}`, ['/tmp']),
    withImage('writable-nginx-index-docker-io', `index.docker.io/nginx@${DIGEST}`, nginxPaths),
    withImage('writable-nginx-library-short', 'library/nginx:1.27', ['/tmp']),
    withImage('writable-nginx-upper-case-repository', 'docker.io/library/NGINX:1.27', ['/tmp']),
    withImage('writable-unprivileged-prefix-glob', 'nginxinc/nginx-unprivileged-otel:1.27', []),
    withImage('writable-unprivileged-tmp', `ghcr.io/nginxinc/nginx-unprivileged:1.27@${DIGEST}`, ['/tmp']),
    // haproxy writes nothing the knowledge base knows; an image nobody described is not reported.
    withImage('writable-haproxy-glob-no-paths', 'haproxytech/haproxy-ubuntu:2.9', []),
    withImage('writable-unknown-image', 'registry.example.com/team/nginx:1.27', []),
    withImage('writable-python-init', 'python:3.12-slim', [], {}, 'initContainers'),
    withImage('writable-python-init-tmp', 'python:3.12-slim', ['/tmp'], {}, 'initContainers'),
    withImage('writable-python-ephemeral', 'python:3.12-slim', [], {}, 'ephemeralContainers'),
    withImage('writable-tomcat-registry-port', 'localhost:5000/tomcat:10', ['/tmp', '/usr/local/tomcat']),
    // Mounts that do not make a path writable.
    podCase('writable-readonly-mount', hardenedSpec({
      volumes: [{ name: 'tmp', emptyDir: {} }],
      containers: [container('app', { image: 'python:3.12', volumeMounts: [{ name: 'tmp', mountPath: '/tmp', readOnly: true }] })],
    })),
    podCase('writable-configmap-mount', hardenedSpec({
      volumes: [{ name: 'tmp', configMap: { name: 'scratch' } }],
      containers: [container('app', { image: 'python:3.12', volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] })],
    })),
    podCase('writable-pvc-read-only-claim', hardenedSpec({
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data', readOnly: true } }, { name: 'scratch', emptyDir: {} }],
      containers: [container('app', { image: 'prom/prometheus:v3.0.0', volumeMounts: [{ name: 'data', mountPath: '/prometheus' }, { name: 'scratch', mountPath: '/tmp' }] })],
    })),
    podCase('writable-pvc-and-ephemeral', hardenedSpec({
      volumes: [
        { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
        { name: 'tmp', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } },
        { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      ],
      containers: [container('app', { image: 'postgres:17', volumeMounts: [
        { name: 'data', mountPath: '/var/lib/postgresql/data' },
        { name: 'tmp', mountPath: '/tmp' },
        { name: 'run', mountPath: '/run/postgresql' },
      ] })],
    })),
    podCase('writable-hostpath-counts', hardenedSpec({
      volumes: [{ name: 'data', hostPath: { path: '/srv/redis' } }],
      containers: [container('app', { image: 'redis:7', volumeMounts: [{ name: 'data', mountPath: '/data', subPath: 'one' }] })],
    })),
    // The first knowledge entry that matches wins, and a container exemption waives the rule for that container.
    podCase('writable-container-ignored', hardenedSpec({ containers: [container('web', { image: nginx })] }), {
      annotations: { 'rootlock.dev/ignore.web': 'writable-paths-mounted' },
    }),
    deploymentCase('writable-deployment-grafana', hardenedSpec({ containers: [container('grafana', { image: 'grafana/grafana:11.0.0' })] })),
  ];
}

/** config-from-configmap-or-secret: literal values of secret-looking env names, and what passes. */
function secretEnvCases(): PolicyCase[] {
  const withEnv = (name: string, env: Json[], list = 'containers'): PolicyCase => {
    const spec = hardenedSpec();
    if (list === 'containers') spec['containers'] = [container('app', { env })];
    else if (list === 'initContainers') spec['initContainers'] = [container('setup', { env })];
    else spec['ephemeralContainers'] = [{ name: 'debug', image: IMAGE, securityContext: { ...HARDENED_SC }, env }];
    return podCase(name, spec);
  };
  const literal = (name: string, value = 'hunter2'): Json => ({ name, value });
  return [
    withEnv('secret-env-db-password', [literal('DB_HOST', 'db'), literal('DB_PASSWORD')]),
    withEnv('secret-env-camel-case', [literal('dbPassword')]),
    withEnv('secret-env-aws-secret-access-key', [literal('AWS_SECRET_ACCESS_KEY')]),
    withEnv('secret-env-camel-hump-key', [literal('AWSSecretKey')]),
    withEnv('secret-env-private-key-camel', [literal('privateKey')]),
    withEnv('secret-env-allow-empty-password', [literal('MYSQL_ALLOW_EMPTY_PASSWORD', 'yes')]),
    withEnv('secret-env-dotted-and-dashed', [literal('app.db-pass')]),
    withEnv('secret-env-init-token', [literal('GITHUB_TOKEN', 'ghp_x')], 'initContainers'),
    withEnv('secret-env-ephemeral-key', [literal('API_KEY', 'k')], 'ephemeralContainers'),
    withEnv('secret-env-secret-key-base', [literal('SECRET_KEY_BASE', 'abc')]),
    // What passes: valueFrom, empty values, references, descriptive last words, words that only contain a secret word.
    withEnv('secret-env-value-from', [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }]),
    withEnv('secret-env-empty', [literal('DB_PASSWORD', '')]),
    withEnv('secret-env-descriptive', [literal('PASSWORD_FILE', '/run/secrets/db'), literal('TOKEN_URL', 'https://auth.example.com'), literal('SECRET_NAME', 'db')]),
    withEnv('secret-env-lookalikes', [literal('KEYCLOAK_URL', 'https://kc'), literal('MONKEY', 'banana'), literal('DBPassword', 'x'), literal('PASSWORDLESS', 'true')]),
    withEnv('secret-env-references', [
      literal('GOOGLE_APPLICATION_CREDENTIALS', '/var/secrets/google/key.json'),
      literal('DB_PASSWORD', '$(POSTGRES_PASSWORD)'),
      literal('VAULT_TOKEN', 'vault:secret/data/app#token'),
      literal('API_KEY', 'ref+awssecrets://app/key'),
      literal('SIGNING_KEY', 'sm://project/signing-key'),
      literal('STRIPE_SECRET', 'berglas://bucket/stripe'),
    ]),
    withEnv('secret-env-not-a-reference', [literal('DB_PASSWORD', 'vault: spaced')]),
    podCase('secret-env-container-ignored', hardenedSpec({ containers: [container('legacy', { env: [literal('DB_PASSWORD')] })] }), {
      annotations: { 'rootlock.dev/ignore.legacy': 'config-from-configmap-or-secret' },
    }),
  ];
}

function memoryEmptyDirCases(): PolicyCase[] {
  const withTmp = (name: string, emptyDir: Json, limits: Json | undefined, mount = true, podLimits?: Json): PolicyCase => {
    const app = container('app', { resources: limits ? { limits } : undefined, ...(mount ? { volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] } : {}) });
    return podCase(name, hardenedSpec({
      volumes: [{ name: 'tmp', emptyDir }],
      containers: [app],
      ...(podLimits ? { resources: { limits: podLimits } } : {}),
    }));
  };
  const limits = { cpu: '500m', memory: '128Mi' };
  return [
    withTmp('memory-emptydir-no-size', { medium: 'Memory' }, limits),
    withTmp('memory-emptydir-fits', { medium: 'Memory', sizeLimit: '64Mi' }, limits),
    withTmp('memory-emptydir-equal', { medium: 'Memory', sizeLimit: '0.125Gi' }, limits),
    withTmp('memory-emptydir-too-big', { medium: 'Memory', sizeLimit: '256Mi' }, limits),
    withTmp('memory-emptydir-over-pod-limit', { medium: 'Memory', sizeLimit: '1Gi' }, { cpu: '1' }, true, { memory: '512Mi' }),
    withTmp('memory-emptydir-unmounted', { medium: 'Memory', sizeLimit: '1Gi' }, limits, false),
    withTmp('disk-emptydir-no-size', {}, limits),
    withTmp('memory-emptydir-no-memory-limit', { medium: 'Memory', sizeLimit: '1Gi' }, { cpu: '1' }),
  ];
}

function hostPathCases(): PolicyCase[] {
  const mounted = (name: string, path: string, mount: Json, list = 'containers'): PolicyCase => {
    const spec = hardenedSpec({ volumes: [{ name: 'host', hostPath: { path } }] });
    const withMount = container(list === 'containers' ? 'app' : 'setup', { volumeMounts: [{ name: 'host', mountPath: '/host', ...mount }] });
    if (list === 'containers') spec['containers'] = [withMount];
    else spec['initContainers'] = [withMount];
    return podCase(name, spec);
  };
  return [
    mounted('hostpath-writable', '/var/log', {}),
    mounted('hostpath-readonly', '/var/log', { readOnly: true }),
    mounted('hostpath-readonly-false', '/data', { readOnly: false }),
    mounted('hostpath-init-writable', '/var/log', {}, 'initContainers'),
    mounted('hostpath-docker-sock-readonly', '/var/run/docker.sock', { readOnly: true }),
    mounted('hostpath-root-readonly', '/', { readOnly: true }),
    mounted('hostpath-var-readonly', '/var', { readOnly: true }),
    mounted('hostpath-run-readonly', '/run', { readOnly: true }),
    mounted('hostpath-subpath-containerd', '/var/', { readOnly: true, subPath: 'run/containerd' }),
    mounted('hostpath-double-slashes-crio', '//run//crio/', { readOnly: true }),
    mounted('hostpath-docker-sock-prefix-lookalike', '/run/docker.sock.d', { readOnly: true }),
    podCase('hostpath-unmounted', hardenedSpec({ volumes: [{ name: 'host', hostPath: { path: '/' } }] })),
  ];
}

/** ConfigMaps and Secrets (configmap-secret-immutable). */
function configCases(): PolicyCase[] {
  const object = (kind: string, name: string, extra: Json = {}, annotations?: Json): PolicyCase => ({
    name,
    object: {
      apiVersion: 'v1',
      kind,
      metadata: { name, ...(annotations ? { annotations } : {}) },
      ...(kind === 'ConfigMap' ? { data: { 'app.conf': 'x=1' } } : { type: 'Opaque', data: { password: 'c2VjcmV0' } }),
      ...extra,
    },
  });
  return [
    object('ConfigMap', 'configmap-unset'),
    object('ConfigMap', 'configmap-immutable', { immutable: true }),
    object('ConfigMap', 'configmap-mutable', { immutable: false }),
    object('ConfigMap', 'configmap-ignored', {}, { 'rootlock.dev/ignore': 'configmap-secret-immutable' }),
    object('ConfigMap', 'configmap-other-rule-ignored', {}, { 'rootlock.dev/ignore': 'no-privileged' }),
    object('Secret', 'secret-unset'),
    object('Secret', 'secret-immutable', { immutable: true }),
    object('Secret', 'secret-service-account-token', { type: 'kubernetes.io/service-account-token', data: {} }, { 'kubernetes.io/service-account.name': 'default' }),
  ];
}

/** YAML 1.1 spellings, read with rootlock's own parser (yes/on are booleans there, as in Kubernetes' YAML). */
function yamlCases(): PolicyCase[] {
  const text = `apiVersion: v1
kind: Pod
metadata:
  name: yaml11-booleans
spec:
  automountServiceAccountToken: no
  containers:
  - name: app
    image: registry.example.com/app:1.0@${DIGEST}
    resources: {limits: {cpu: 500m, memory: 128Mi}}
    securityContext:
      readOnlyRootFilesystem: yes
      allowPrivilegeEscalation: off
      runAsNonRoot: on
      runAsUser: 10001
      capabilities: {drop: [ALL]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: yaml11-falsy
spec:
  selector: {matchLabels: {app: case}}
  template:
    metadata: {labels: {app: case}}
    spec:
      automountServiceAccountToken: Off
      containers:
      - name: app
        image: registry.example.com/app:1.0@${DIGEST}
        resources: {limits: {cpu: 0.5, memory: 1e9}}
        securityContext:
          readOnlyRootFilesystem: NO
          allowPrivilegeEscalation: False
          runAsNonRoot: Yes
          runAsUser: 0x2711
          capabilities: {drop: [ALL]}
`;
  return parseManifests(text, 'yaml11.yaml').documents.map((doc) => {
    const object = doc.value as Json;
    const name = String((object['metadata'] as Json)['name']);
    return { name, object };
  });
}

const CORPUS_FILES = [
  'gatekeeper-library/samples__psp-readonlyrootfilesystem__example_allowed.yaml',
  'gatekeeper-library/samples__psp-readonlyrootfilesystem__example_allowed_exempted.yaml',
  'gatekeeper-library/samples__psp-readonlyrootfilesystem__example_disallowed.yaml',
  'gatekeeper-library/samples__psp-readonlyrootfilesystem__disallowed_ephemeral.yaml',
  'gatekeeper-library/samples__psp-readonlyrootfilesystem__update.yaml',
  'gatekeeper-library/samples__wildcard-prefix__example_allowed_safe_prefix.yaml',
  'gatekeeper-library/samples__wildcard-prefix__example_disallowed_unsafe_prefix.yaml',
  'kyverno-policies/best-practices-vpol__require-ro-rootfs__.chainsaw-test__bad-pod-false.yaml',
  'kyverno-policies/best-practices-vpol__require-ro-rootfs__.chainsaw-test__bad-pod-notall.yaml',
  'kyverno-policies/best-practices-vpol__require-ro-rootfs__.chainsaw-test__bad-pod-nothing.yaml',
  'kyverno-policies/best-practices-vpol__require-ro-rootfs__.chainsaw-test__bad-podcontrollers.yaml',
  'kyverno-policies/best-practices-vpol__require-ro-rootfs__.chainsaw-test__good-podcontrollers.yaml',
  'kyverno-policies/best-practices-vpol__require-ro-rootfs__.chainsaw-test__good-pods.yaml',
];

/** The Pods and pod-template workloads in the corpus samples (an AdmissionReview contributes its request.object). */
export function corpusCases(): PolicyCase[] {
  const out: PolicyCase[] = [];
  const root = corpusExcerptsDir();
  for (const file of CORPUS_FILES) {
    const parsed = parseManifests(readFileSync(join(root, file), 'utf8'), file);
    parsed.documents.forEach((doc, index) => {
      let object = doc.value;
      if (isObject(object) && object['kind'] === 'AdmissionReview') object = isObject(object['request']) ? object['request']['object'] : undefined;
      if (!isObject(object) || !KINDS.includes(String(object['kind']))) return;
      const name = `corpus-${out.length + 1}`;
      const copy = structuredClone(object) as Json;
      copy['metadata'] = { ...(isObject(copy['metadata']) ? copy['metadata'] : {}), name };
      const spec = copy['kind'] === 'Pod' && isObject(copy['spec']) ? copy['spec'] : undefined;
      const noContainers = spec !== undefined && !Array.isArray(spec['containers']);
      out.push({
        name,
        object: copy,
        source: `${file}#${index + 1}`,
        ...(noContainers ? { apiInvalid: 'a Pod needs at least one container' } : {}),
      });
    });
  }
  return out;
}

export function policyCases(): PolicyCase[] {
  const cases = [...kindCases(), ...edgeCases(), ...corpusCases()];
  return cases.map((c) => ({ ...c, object: JSON.parse(JSON.stringify(c.object)) as Json }));
}
