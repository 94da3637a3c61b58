// Validation of StatefulWorkload props: each function throws a ValidationError scoped to the workload.
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { annotationsError, intError, isEnvVarName, labelsError, MAX_INT32, resourcesError, wholeSecondsError } from '../../api-rules';
import { ValidationError } from '../../errors';
import { isLabelValue, isQualifiedName, suggestLabelValue } from '../../labels';
import { DNS_1123_SUBDOMAIN, isDns1123Subdomain } from '../../naming';
import { ContainerOptions, HealthProbe, WorkloadMount, WorkloadPort } from '../container';
import { PlacementProps } from '../scheduling';
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

/**
 * pkg/apis/core/validation: liveness and startup probes must have successThreshold 1; periods and
 * timeouts are whole seconds ≥ 1, delays whole seconds ≥ 0, thresholds ≥ 1, ports 1-65535, an exec
 * probe has a command.
 */
export function assertProbes(scope: IConstruct, containerName: string, liveness?: HealthProbe, startup?: HealthProbe, readiness?: HealthProbe): void {
  for (const [k, probe] of [['readiness', readiness], ['liveness', liveness], ['startup', startup]] as const) {
    if (probe) assertProbe(scope, containerName, k, probe);
  }
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
  if (!PORT_NAME.test(port.name) || port.name.length > 15 || !/[a-z]/.test(port.name) || port.name.includes('--')) {
    throw new ValidationError(
      'WorkloadPortNameInvalid',
      `port name '${port.name}' must be an IANA service name: at most 15 lower-case letters, digits and single '-', with at least one letter`,
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
    fail(scope, 'WorkloadDisruptionBudgetInvalid', v !== undefined ? intError(`disruptionBudget.${k}`, v, 0) : undefined);
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

/** Largest StatefulSet this library writes: beyond it, per-ordinal claims and checks grow without use. */
export const MAX_REPLICAS = 1000;

function fail(scope: IConstruct, code: string, error: string | undefined): void {
  if (error) throw new ValidationError(code, error, scope);
}

function assertProbe(scope: IConstruct, containerName: string, kind: string, probe: HealthProbe): void {
  const o = probe._options;
  const what = `container '${containerName}': the ${kind} probe's`;
  fail(scope, 'WorkloadProbeTimingInvalid', o.period && wholeSecondsError(`${what} period`, o.period, 1));
  fail(scope, 'WorkloadProbeTimingInvalid', o.timeout && wholeSecondsError(`${what} timeout`, o.timeout, 1));
  fail(scope, 'WorkloadProbeTimingInvalid', o.initialDelay && wholeSecondsError(`${what} initialDelay`, o.initialDelay, 0));
  fail(scope, 'WorkloadProbeThresholdInvalid', o.failureThreshold !== undefined ? intError(`${what} failureThreshold`, o.failureThreshold, 1) : undefined);
  fail(scope, 'WorkloadProbeThresholdInvalid', o.successThreshold !== undefined ? intError(`${what} successThreshold`, o.successThreshold, 1) : undefined);
  const k = probe._toKube();
  const port = probe._port;
  if ((k.httpGet || k.tcpSocket) && !(port !== undefined && Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw new ValidationError('WorkloadProbePortInvalid', `${what} port ${port} is not a port number; use 1 to 65535`, scope);
  }
  if (k.exec && !(k.exec.command ?? []).some((c) => c !== '')) {
    throw new ValidationError('WorkloadProbeCommandEmpty', `${what} exec command is empty; give the command to run, e.g. ['pg_isready']`, scope);
  }
}

/** Counts, ids and durations the API server holds in an int32. */
export function assertBounds(scope: IConstruct, p: {
  replicas: number;
  ordinalsStart: number;
  minReady?: import('cdk8s').Duration;
  terminationGracePeriod?: import('cdk8s').Duration;
  security?: WorkloadSecurityProps;
}): void {
  if (p.replicas > MAX_REPLICAS) {
    throw new ValidationError('WorkloadReplicasTooMany', `replicas ${p.replicas} is above ${MAX_REPLICAS}, the largest StatefulSet this library writes; split the system into several workloads`, scope);
  }
  fail(scope, 'WorkloadOrdinalsStartInvalid', intError('ordinalsStart + replicas', p.ordinalsStart + p.replicas, 0, MAX_INT32));
  fail(scope, 'WorkloadMinReadyInvalid', p.minReady && wholeSecondsError('minReady', p.minReady, 0));
  fail(scope, 'WorkloadGracePeriodInvalid', p.terminationGracePeriod && wholeSecondsError('terminationGracePeriod', p.terminationGracePeriod, 0));
  const s = p.security ?? {};
  for (const [k, v] of [['user', s.user], ['group', s.group], ['fsGroup', s.fsGroup]] as const) {
    if (v !== undefined) fail(scope, 'WorkloadSecurityIdInvalid', intError(`security.${k}`, v, 0, MAX_INT32));
  }
}

/** An init or sidecar container: image, env names, ports, resources, probes. */
export function assertContainer(scope: IConstruct, c: ContainerOptions): void {
  if (!c.image || /\s/.test(c.image)) {
    throw new ValidationError('WorkloadImageInvalid', `container '${c.name}': image '${c.image}' is not an image reference; give e.g. 'docker.io/library/busybox:1.37'`, scope);
  }
  for (const name of Object.keys(c.env ?? {})) assertEnvName(scope, name);
  const ports: WorkloadPort[] = [];
  for (const port of c.ports ?? []) {
    assertPort(scope, port, ports);
    ports.push(port);
  }
  assertResources(scope, `container '${c.name}'`, c.resources);
  assertProbes(scope, c.name, c.liveness, c.startup, c.readiness);
}

export function assertResources(scope: IConstruct, what: string, r: kplus.ContainerResources | undefined): void {
  fail(scope, 'WorkloadResourcesInvalid', resourcesError(what, r));
}

export function assertEnvName(scope: IConstruct, name: string): void {
  if (!isEnvVarName(name)) {
    throw new ValidationError('WorkloadEnvNameInvalid', `env var name '${name}' is invalid; use letters, digits, '_', '-' and '.', not starting with a digit`, scope);
  }
}

/** Node selector, tolerations, dedicated nodes and priority class as the API server validates them. */
export function assertPlacement(scope: IConstruct, p: PlacementProps | undefined): void {
  if (!p) return;
  fail(scope, 'WorkloadNodeSelectorInvalid', labelsError('placement.nodeSelector', p.nodeSelector));
  for (const t of p.tolerations ?? []) {
    if (t.key === '' && t.value !== undefined) {
      throw new ValidationError('WorkloadTolerationInvalid', `placement.tolerations: a toleration with an empty key matches every taint and cannot have a value ('${t.value}'); give the taint's key`, scope);
    }
    if (t.key !== '' && !isQualifiedName(t.key)) {
      throw new ValidationError('WorkloadTolerationInvalid', `placement.tolerations: key '${t.key}' is not a taint key (a label key: optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.')`, scope);
    }
    if (t.value !== undefined && !isLabelValue(t.value)) {
      throw new ValidationError('WorkloadTolerationInvalid', `placement.tolerations: value '${t.value}' of key '${t.key}' is not a taint value (at most 63 letters, digits, '-', '_' and '.')`, scope);
    }
  }
  const d = p.dedicatedNodes;
  if (d) fail(scope, 'WorkloadDedicatedNodesInvalid', labelsError('placement.dedicatedNodes', { [d.key]: d.value }));
  if (p.priorityClassName !== undefined && !isDns1123Subdomain(p.priorityClassName)) {
    throw new ValidationError(
      'WorkloadPriorityClassInvalid',
      `placement.priorityClassName '${p.priorityClassName}' is not a PriorityClass name (a DNS-1123 subdomain: lower-case letters, digits, '-' and '.')`,
      scope,
    );
  }
}

export function assertAnnotations(scope: IConstruct, what: string, a: { [key: string]: string } | undefined): void {
  fail(scope, 'WorkloadAnnotationInvalid', annotationsError(what, a));
}
