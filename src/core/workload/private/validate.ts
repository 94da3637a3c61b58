// Validation of StatefulWorkload props: each function throws a ValidationError scoped to the workload.
import { IConstruct } from 'constructs';
import { ValidationError } from '../../errors';
import { isLabelValue, isQualifiedName, suggestLabelValue } from '../../labels';
import { DNS_1123_SUBDOMAIN } from '../../naming';
import { ContainerOptions, HealthProbe, WorkloadMount, WorkloadPort } from '../container';
import { WorkloadSecurityProps } from '../security';
import { DisruptionBudgetProps } from '../update-strategy';
import { WorkloadVolumes } from '../volumes';

const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** A count the API server accepts: a whole number ≥ 0. */
export function assertCount(scope: IConstruct, code: string, what: string, value: number, given: number | undefined): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new ValidationError(code, `${what} must be a whole number ≥ 0, got ${given}`, scope);
  }
}

export function assertImage(scope: IConstruct, image: string): void {
  if (!image || /\s/.test(image)) {
    throw new ValidationError('WorkloadImageInvalid', `image '${image}' is not an image reference; give e.g. 'docker.io/library/postgres:16.4'`, scope);
  }
}

export function assertClusterDomain(scope: IConstruct, domain: string): void {
  if (!DNS_1123_SUBDOMAIN.test(domain)) {
    throw new ValidationError('WorkloadClusterDomainInvalid', `clusterDomain '${domain}' is not a DNS domain; the default is 'cluster.local'`, scope);
  }
}

/** A value that becomes a label value (selectors included): the API server rejects anything else. */
export function assertLabelValue(scope: IConstruct, what: string, v: string): void {
  if (!isLabelValue(v)) {
    throw new ValidationError(
      'WorkloadLabelValueInvalid',
      `${what} '${v}' is not a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending alphanumeric (e.g. '${suggestLabelValue(v)}')`,
      scope,
    );
  }
}

/** A pod label key (`[prefix/]name`) and value as the API server validates them. */
export function assertPodLabel(scope: IConstruct, key: string, value: string): void {
  if (!isQualifiedName(key)) {
    throw new ValidationError(
      'WorkloadLabelKeyInvalid',
      `pod label key '${key}' is not a label key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.'`,
      scope,
    );
  }
  assertLabelValue(scope, `pod label '${key}'`, value);
}

/** pkg/apis/core/validation: liveness and startup probes must have successThreshold 1. */
export function assertProbes(scope: IConstruct, containerName: string, liveness?: HealthProbe, startup?: HealthProbe): void {
  for (const [k, probe] of [['liveness', liveness], ['startup', startup]] as const) {
    const n = probe?._toKube().successThreshold;
    if (n !== undefined && n !== 1) {
      throw new ValidationError(
        'WorkloadProbeSuccessThreshold',
        `container '${containerName}': the ${k} probe has successThreshold ${n}, but Kubernetes requires 1 for ${k} probes; leave it out`,
        scope,
      );
    }
  }
}

export function assertPort(scope: IConstruct, port: WorkloadPort, existing: WorkloadPort[]): void {
  if (!PORT_NAME.test(port.name) || port.name.length > 15 || !/[a-z]/.test(port.name)) {
    throw new ValidationError(
      'WorkloadPortNameInvalid',
      `port name '${port.name}' must be an IANA service name: at most 15 lower-case letters, digits and '-', with at least one letter`,
      scope,
    );
  }
  if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) {
    throw new ValidationError('WorkloadPortNumberInvalid', `port '${port.name}' has number ${port.port}; use an integer from 1 to 65535`, scope);
  }
  for (const p of existing) {
    if (p.name === port.name) throw new ValidationError('WorkloadPortDuplicate', `duplicate port name '${port.name}'; give each port its own name`, scope);
    if (p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP')) {
      throw new ValidationError('WorkloadPortNumberDuplicate', `ports '${p.name}' and '${port.name}' both use ${port.port}; give each its own number`, scope);
    }
  }
}

export function assertDisruptionBudget(scope: IConstruct, b: DisruptionBudgetProps, replicas: number): void {
  if (!(b.enabled ?? true)) return;
  if (b.minAvailable !== undefined && b.maxUnavailable !== undefined) {
    throw new ValidationError(
      'WorkloadDisruptionBudgetBoth',
      `disruptionBudget sets both minAvailable (${b.minAvailable}) and maxUnavailable (${b.maxUnavailable}); set only one`,
      scope,
    );
  }
  for (const [k, v] of [['minAvailable', b.minAvailable], ['maxUnavailable', b.maxUnavailable]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
      throw new ValidationError('WorkloadDisruptionBudgetInvalid', `disruptionBudget.${k} must be a whole number ≥ 0, got ${v}`, scope);
    }
  }
  if (b.maxUnavailable === 0) {
    throw new ValidationError('WorkloadDisruptionBudgetBlocksDrains', 'disruptionBudget.maxUnavailable 0 blocks every node drain forever; use 1 (the default)', scope);
  }
  if (b.minAvailable !== undefined && replicas > 0 && b.minAvailable >= replicas) {
    throw new ValidationError(
      'WorkloadDisruptionBudgetBlocksDrains',
      `disruptionBudget.minAvailable ${b.minAvailable} with ${replicas} replica(s) never allows a voluntary disruption and blocks node drains; use at most ${replicas - 1}, or leave it out for maxUnavailable 1`,
      scope,
    );
  }
}

export function assertSecurity(scope: IConstruct, s: WorkloadSecurityProps): void {
  for (const [k, v] of [['user', s.user], ['group', s.group], ['fsGroup', s.fsGroup]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
      throw new ValidationError('WorkloadSecurityIdInvalid', `security.${k} must be a whole number ≥ 0, got ${v}`, scope);
    }
  }
  if ((s.restricted ?? true) && s.user === 0) {
    throw new ValidationError(
      'WorkloadSecurityRoot',
      'security.user 0 (root) breaks the restricted Pod Security Standard; use a non-root uid, or set security.restricted to false and document why',
      scope,
    );
  }
}

/** Every mount names a volume of the pod; no container mounts two volumes at one path. */
export function assertMounts(
  scope: IConstruct, mainName: string, volumes: WorkloadVolumes, initContainers: ContainerOptions[], sidecars: ContainerOptions[],
): void {
  const known = new Set(volumes.names);
  const unknown = (c: string, m: WorkloadMount) => new ValidationError(
    'WorkloadMountUnknownVolume',
    `container '${c}' mounts volume '${m.volume}', which does not exist; known volumes: ${[...known].join(', ') || 'none'}`,
    scope,
  );
  for (const c of [...initContainers, ...sidecars]) {
    const paths = new Set<string>();
    for (const m of c.mounts ?? []) {
      if (!known.has(m.volume)) throw unknown(c.name, m);
      if (paths.has(m.mountPath)) {
        throw new ValidationError('WorkloadMountPathClash', `container '${c.name}' mounts two volumes at ${m.mountPath}; use different paths`, scope);
      }
      paths.add(m.mountPath);
    }
  }
  for (const m of volumes.mounts) {
    if (!known.has(m.volume)) throw unknown(mainName, m);
  }
}
