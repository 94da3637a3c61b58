// Internal helpers: not re-exported from index.ts (jsii exports classes, interfaces and enums only).
import { createHash } from 'crypto';
import { ApiObject, JsonPatch, Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Toleration } from './placement';

/** What `managed-by` says on every object this library writes. */
export const MANAGED_BY = 'cdk8s-stateful';

/**
 * Longest StatefulSet name: its pods carry `controller-revision-hash=<name>-<10 char hash>`,
 * which must fit a 63 character label value.
 */
export const MAX_STATEFULSET_NAME = 52;

/** A label value: at most 63 chars of [A-Za-z0-9-_.], alphanumeric at both ends. */
export function sanitizeLabelValue(v: string): string {
  return v.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 63).replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
}

/** cdk8s `Size` → Kubernetes quantity, in the largest binary unit that keeps it integral. */
export function sizeToQuantity(size: Size): string {
  const ki = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  const units: Array<[string, number]> = [['Ti', 1024 ** 3], ['Gi', 1024 ** 2], ['Mi', 1024], ['Ki', 1]];
  for (const [u, f] of units) {
    if (ki >= f && Number.isInteger(ki / f)) return `${ki / f}${u}`;
  }
  return `${Math.round(ki * 1024)}`;
}

/** kplus.ContainerResources → k8s.ResourceRequirements. */
export function resourcesToKube(r: kplus.ContainerResources | undefined): k8s.ResourceRequirements | undefined {
  if (!r) return undefined;
  const requests: { [k: string]: k8s.Quantity } = {};
  const limits: { [k: string]: k8s.Quantity } = {};
  if (r.cpu?.request) requests.cpu = k8s.Quantity.fromString(r.cpu.request.amount);
  if (r.cpu?.limit) limits.cpu = k8s.Quantity.fromString(r.cpu.limit.amount);
  if (r.memory?.request) requests.memory = k8s.Quantity.fromString(sizeToQuantity(r.memory.request));
  if (r.memory?.limit) limits.memory = k8s.Quantity.fromString(sizeToQuantity(r.memory.limit));
  if (r.ephemeralStorage?.request) requests['ephemeral-storage'] = k8s.Quantity.fromString(sizeToQuantity(r.ephemeralStorage.request));
  if (r.ephemeralStorage?.limit) limits['ephemeral-storage'] = k8s.Quantity.fromString(sizeToQuantity(r.ephemeralStorage.limit));
  return {
    requests: Object.keys(requests).length ? requests : undefined,
    limits: Object.keys(limits).length ? limits : undefined,
  };
}

/** `{NAME: kplus.EnvValue}` → ordered k8s.EnvVar list. */
export function envToKube(env: { [name: string]: kplus.EnvValue } | undefined): k8s.EnvVar[] {
  return Object.entries(env ?? {}).map(([name, v]) => ({ name, value: v.value, valueFrom: v.valueFrom }));
}

/** The restricted Pod Security Standard for one container; the pod context sets the ids. */
export function restrictedContainerSecurity(): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The restricted Pod Security Standard for a pod running as `user`/`group`. */
export function restrictedPodSecurity(user: number, group: number, fsGroup?: number): k8s.PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: user, runAsGroup: group, fsGroup, seccompProfile: { type: 'RuntimeDefault' } };
}

/** Toleration → k8s.Toleration: no value means "any value" (operator Exists). */
export function tolerationToKube(t: Toleration): k8s.Toleration {
  return { key: t.key, operator: t.value === undefined ? 'Exists' : 'Equal', value: t.value, effect: t.effect };
}

/**
 * Cluster-scoped objects (StorageClass, PersistentVolume, ClusterRole...) must not carry a
 * namespace, but cdk8s stamps the chart's namespace on every ApiObject. Remove it.
 */
export function clusterScoped<T extends ApiObject>(obj: T): T {
  if (obj.metadata.namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return obj;
}

/** Size in KiB without rounding; NaN when it is fractional. */
export function kibibytes(size: Size): number {
  try {
    return size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  } catch {
    return NaN;
  }
}

/** Short content hash for names that must change with their content (immutable Jobs, derived names). */
export function shortHash(value: string, length: number = 8): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}
