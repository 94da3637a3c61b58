// Internal conversions from the library's props to the Kubernetes API types.
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { sizeToQuantity } from '../../units';
import { ContainerOptions } from '../container';
import { containerSecurityContext, WorkloadSecurityProps } from '../security';

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

/** One container of a workload's pod. */
export function renderContainer(c: ContainerOptions, security: WorkloadSecurityProps | undefined, extraEnv: k8s.EnvVar[] = []): k8s.Container {
  const env = [...envToKube(c.env), ...extraEnv];
  return {
    name: c.name,
    image: c.image,
    imagePullPolicy: 'IfNotPresent',
    command: c.command,
    args: c.args,
    workingDir: c.workingDir,
    env: env.length ? env : undefined,
    ports: c.ports?.length ? c.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol ?? kplus.Protocol.TCP })) : undefined,
    resources: resourcesToKube(c.resources),
    volumeMounts: c.mounts?.length
      ? c.mounts.map((m) => ({ name: m.volume, mountPath: m.mountPath, subPath: m.subPath, readOnly: m.readOnly ? true : undefined }))
      : undefined,
    readinessProbe: c.readiness?._toKube(),
    livenessProbe: c.liveness?._toKube(),
    startupProbe: c.startup?._toKube(),
    securityContext: containerSecurityContext(security, c.security),
  };
}
