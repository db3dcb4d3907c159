// `rootlock webhook manifests`: everything to install the webhook, as plain
// objects (printed as YAML by the CLI). The Deployment follows rootlock's own
// rules (a test audits these manifests), runs two replicas spread across
// nodes behind a PodDisruptionBudget, and the webhook configurations skip
// kube-system, the webhook's own namespace and exempted objects.
import { IGNORE_ANNOTATION, IGNORE_REASON_ANNOTATION } from '../core/exemptions.js';
import configmapSecretImmutable from '../rules/configmap-secret-immutable/rule.js';
import type { JsonObject } from '../core/types.js';
import type { WebhookMode } from './settings.js';
import { IMAGE_USER } from '../image/rootlock-image.js';

export type FailurePolicy = 'Fail' | 'Ignore';

export interface ManifestOptions {
  namespace: string;
  name: string;
  image: string;
  mode: WebhookMode;
  /** Also install the MutatingWebhookConfiguration and serve /mutate. */
  mutate: boolean;
  validateFailurePolicy: FailurePolicy;
  mutateFailurePolicy: FailurePolicy;
  /** PEM of the CA that signed the serving certificate (static caBundle). */
  caBundlePem?: string;
  /** PEM of the serving certificate and key, stored in the TLS Secret. */
  tls?: { cert: string; key: string };
  /** Let cert-manager issue the certificate and inject the caBundle instead. */
  certManager?: boolean;
  replicas?: number;
}

export const DEFAULT_NAMESPACE = 'rootlock-system';
export const DEFAULT_NAME = 'rootlock-webhook';
/** Timeout the API server waits for an answer: far above the webhook's latency, well below the API server's own. */
export const WEBHOOK_TIMEOUT_SECONDS = 5;
const UID = IMAGE_USER.uid;
const PORT = 8443;

/** Object kinds with a pod template, by API group, as the webhook rules list them. */
export const ADMISSION_RESOURCES: ReadonlyArray<{ apiGroups: string[]; resources: string[] }> = [
  { apiGroups: [''], resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers', 'podtemplates'] },
  { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'] },
];

/** A CEL condition that is false for objects exempted from every rule, so the API server does not call the webhook for them. */
export const NOT_EXEMPTED_CONDITION = `!(has(object.metadata.annotations) && '${IGNORE_ANNOTATION}' in object.metadata.annotations && object.metadata.annotations['${IGNORE_ANNOTATION}'] in ['*', 'all'])`;

export interface ClientConfig {
  service?: { namespace: string; name: string; path: string; port: number };
  url?: string;
  caBundle?: string;
}

export interface WebhookConfigurationOptions {
  name: string;
  /** Namespaces the webhook never sees. */
  excludedNamespaces: string[];
  validate?: { clientConfig: ClientConfig; failurePolicy: FailurePolicy };
  mutate?: { clientConfig: ClientConfig; failurePolicy: FailurePolicy };
  annotations?: Record<string, string>;
}

function webhookEntry(name: string, clientConfig: ClientConfig, failurePolicy: FailurePolicy, excluded: string[]): JsonObject {
  return {
    name,
    admissionReviewVersions: ['v1'],
    clientConfig,
    rules: ADMISSION_RESOURCES.map((r) => ({ ...r, apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' })),
    failurePolicy,
    sideEffects: 'None',
    timeoutSeconds: WEBHOOK_TIMEOUT_SECONDS,
    matchPolicy: 'Equivalent',
    namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: excluded }] },
    matchConditions: [{ name: 'not-exempted', expression: NOT_EXEMPTED_CONDITION }],
  };
}

/** The Validating and Mutating webhook configurations; used by `manifests` and by the end-to-end test (with URLs). */
export function webhookConfigurations(options: WebhookConfigurationOptions): JsonObject[] {
  const metadata = (suffix: string): JsonObject => ({ name: `${options.name}${suffix}`, ...(options.annotations ? { annotations: options.annotations } : {}) });
  const out: JsonObject[] = [];
  if (options.validate) {
    out.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: metadata(''),
      webhooks: [webhookEntry('validate.rootlock.dev', options.validate.clientConfig, options.validate.failurePolicy, options.excludedNamespaces)],
    });
  }
  if (options.mutate) {
    out.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: metadata(''),
      webhooks: [{ ...webhookEntry('mutate.rootlock.dev', options.mutate.clientConfig, options.mutate.failurePolicy, options.excludedNamespaces), reinvocationPolicy: 'IfNeeded' }],
    });
  }
  return out;
}

export function installManifests(options: ManifestOptions): JsonObject[] {
  const { namespace, name } = options;
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'admission-webhook' };
  const tlsSecret = `${name}-tls`;
  const mutableReason = (what: string): Record<string, string> => ({ [IGNORE_ANNOTATION]: configmapSecretImmutable.id, [IGNORE_REASON_ANNOTATION]: what });
  const objects: JsonObject[] = [];
  objects.push({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' } },
  });
  objects.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels }, automountServiceAccountToken: false });
  objects.push({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-config`, namespace, labels, annotations: mutableReason('the webhook reloads its .rootlock.yaml when this ConfigMap changes, without a restart') },
    data: { '.rootlock.yaml': '# rootlock config: severities, disabled rules, exemptions (see docs/webhook.md)\n{}\n' },
  });
  if (options.certManager) {
    objects.push({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: `${name}-selfsigned`, namespace }, spec: { selfSigned: {} } });
    objects.push({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name, namespace },
      spec: {
        secretName: tlsSecret,
        dnsNames: [`${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`],
        issuerRef: { kind: 'Issuer', name: `${name}-selfsigned` },
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        secretTemplate: { annotations: mutableReason('cert-manager rotates this certificate in place; the webhook reloads it from disk') },
      },
    });
  } else if (options.tls) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name: tlsSecret, namespace, labels, annotations: mutableReason('rotated in place; the webhook reloads it from disk') },
      data: { 'tls.crt': Buffer.from(options.tls.cert).toString('base64'), 'tls.key': Buffer.from(options.tls.key).toString('base64') },
    });
  }
  const args = ['webhook', 'serve', '--cert', '/etc/rootlock/tls/tls.crt', '--key', '/etc/rootlock/tls/tls.key', '--listen', `:${PORT}`, '--config', '/etc/rootlock/config/.rootlock.yaml', '--mode', options.mode];
  if (options.mutate) args.push('--mutate');
  const probe = (path: string): JsonObject => ({ httpGet: { path, port: PORT, scheme: 'HTTPS' }, periodSeconds: 10 });
  objects.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: options.replicas ?? 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: name,
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: UID, runAsGroup: UID, seccompProfile: { type: 'RuntimeDefault' } },
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } }],
          affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels } } }] } },
          // Finishes in-flight admissions after SIGTERM; the API server retries nothing, so give it time.
          terminationGracePeriodSeconds: 30,
          priorityClassName: 'system-cluster-critical',
          containers: [{
            name: 'webhook',
            image: options.image,
            args,
            ports: [{ name: 'https', containerPort: PORT, protocol: 'TCP' }],
            readinessProbe: probe('/readyz'),
            livenessProbe: probe('/healthz'),
            resources: { requests: { cpu: '100m', memory: '96Mi' }, limits: { cpu: '1', memory: '256Mi' } },
            securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: UID, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
            volumeMounts: [
              { name: 'tls', mountPath: '/etc/rootlock/tls', readOnly: true },
              { name: 'config', mountPath: '/etc/rootlock/config', readOnly: true },
              { name: 'tmp', mountPath: '/tmp' },
            ],
          }],
          volumes: [
            { name: 'tls', secret: { secretName: tlsSecret } },
            { name: 'config', configMap: { name: `${name}-config` } },
            { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
          ],
        },
      },
    },
  });
  objects.push({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace, labels },
    spec: { minAvailable: 1, selector: { matchLabels: labels } },
  });
  objects.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels },
    spec: { selector: labels, ports: [{ name: 'https', port: 443, targetPort: PORT, protocol: 'TCP' }] },
  });
  const clientConfig = (path: string): ClientConfig => ({
    service: { namespace, name, path, port: 443 },
    ...(options.caBundlePem && !options.certManager ? { caBundle: Buffer.from(options.caBundlePem).toString('base64') } : {}),
  });
  objects.push(...webhookConfigurations({
    name,
    excludedNamespaces: ['kube-system', namespace],
    validate: { clientConfig: clientConfig('/validate'), failurePolicy: options.validateFailurePolicy },
    ...(options.mutate ? { mutate: { clientConfig: clientConfig('/mutate'), failurePolicy: options.mutateFailurePolicy } } : {}),
    ...(options.certManager ? { annotations: { 'cert-manager.io/inject-ca-from': `${namespace}/${name}` } } : {}),
  }));
  return objects;
}
