// Internal conversions from the library's props to the Kubernetes API types.
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { sizeToQuantity } from '../../units';
import { Toleration } from '../scheduling';

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

/** Toleration → k8s.Toleration: no value means "any value" (operator Exists). */
export function tolerationToKube(t: Toleration): k8s.Toleration {
  return { key: t.key, operator: t.value === undefined ? 'Exists' : 'Equal', value: t.value, effect: t.effect };
}
