// The security settings Kubernetes actually applies to a container: container
// fields override the pod's where the API defines both (runAsUser, runAsGroup,
// runAsNonRoot, seccompProfile, seLinuxOptions, appArmorProfile); the
// container-only fields are read from the container alone.
import { isObject } from './path.js';
import type { JsonObject, Path } from './types.js';
import type { ContainerView, Workload } from './workloads.js';

/** Fields that exist on both PodSecurityContext and SecurityContext; the container wins. */
export const INHERITED_FIELDS = ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'seccompProfile', 'seLinuxOptions', 'appArmorProfile', 'windowsOptions'] as const;

/** Fields that only exist on the container SecurityContext: at pod level Kubernetes drops them. */
export const CONTAINER_ONLY_FIELDS = ['readOnlyRootFilesystem', 'allowPrivilegeEscalation', 'capabilities', 'privileged', 'procMount'] as const;

export interface EffectiveValue<T> {
  value: T | undefined;
  /** Where the value comes from, or where it should be written when absent. */
  path: Path;
  from: 'container' | 'pod' | 'unset';
}

export interface EffectiveSecurityContext {
  readOnlyRootFilesystem: EffectiveValue<unknown>;
  allowPrivilegeEscalation: EffectiveValue<unknown>;
  privileged: EffectiveValue<unknown>;
  capabilities: EffectiveValue<unknown>;
  runAsNonRoot: EffectiveValue<unknown>;
  runAsUser: EffectiveValue<unknown>;
  runAsGroup: EffectiveValue<unknown>;
  seccompProfile: EffectiveValue<unknown>;
}

export function containerSecurityContextPath(container: ContainerView): Path {
  return [...container.path, 'securityContext'];
}

export function podSecurityContextPath(workload: Workload): Path {
  return [...workload.podSpecPath, 'securityContext'];
}

function own(object: JsonObject | undefined, field: string): boolean {
  return object !== undefined && Object.prototype.hasOwnProperty.call(object, field) && object[field] !== null;
}

/**
 * One effective setting. Its path is built on first use: rules read the
 * values of eight settings per container and report few of them, and the
 * admission webhook runs this for every container of every request.
 */
class EffectiveField implements EffectiveValue<unknown> {
  private built: Path | undefined;
  /** `owner` is the path of the container, or of the pod spec, whose securityContext holds the field. */
  constructor(readonly value: unknown, private readonly owner: Path, private readonly field: string, readonly from: EffectiveValue<unknown>['from']) {}
  get path(): Path {
    this.built ??= [...this.owner, 'securityContext', this.field];
    return this.built;
  }
}

function containerOnly(containerContext: JsonObject | undefined, container: ContainerView, field: string): EffectiveValue<unknown> {
  return own(containerContext, field)
    ? new EffectiveField(containerContext?.[field], container.path, field, 'container')
    : new EffectiveField(undefined, container.path, field, 'unset');
}

function inherited(containerContext: JsonObject | undefined, podContext: JsonObject | undefined, container: ContainerView, workload: Workload, field: string): EffectiveValue<unknown> {
  if (own(containerContext, field)) return new EffectiveField(containerContext?.[field], container.path, field, 'container');
  if (own(podContext, field)) return new EffectiveField(podContext?.[field], workload.podSpecPath, field, 'pod');
  return new EffectiveField(undefined, container.path, field, 'unset');
}

export function effectiveSecurityContext(workload: Workload, container: ContainerView): EffectiveSecurityContext {
  const containerContext = isObject(container.spec['securityContext']) ? container.spec['securityContext'] : undefined;
  const podContext = isObject(workload.podSpec['securityContext']) ? workload.podSpec['securityContext'] : undefined;
  return {
    readOnlyRootFilesystem: containerOnly(containerContext, container, 'readOnlyRootFilesystem'),
    allowPrivilegeEscalation: containerOnly(containerContext, container, 'allowPrivilegeEscalation'),
    privileged: containerOnly(containerContext, container, 'privileged'),
    capabilities: containerOnly(containerContext, container, 'capabilities'),
    runAsNonRoot: inherited(containerContext, podContext, container, workload, 'runAsNonRoot'),
    runAsUser: inherited(containerContext, podContext, container, workload, 'runAsUser'),
    runAsGroup: inherited(containerContext, podContext, container, workload, 'runAsGroup'),
    seccompProfile: inherited(containerContext, podContext, container, workload, 'seccompProfile'),
  };
}
