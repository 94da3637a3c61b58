// The props of a StatefulWorkload, validated as the API server would.
import { IConstruct } from 'constructs';
import {
  assertAnnotations, assertBounds, assertClusterDomain, assertCount, assertDisruptionBudget, assertImage,
  assertLabelValue, assertPlacement, assertPodLabel, assertProbes, assertResources, assertSecurity,
} from './validate';
import { ValidationError } from '../../errors';
import { Names } from '../../naming';
import { StatefulWorkloadProps } from '../stateful-workload-props';

/** What the workload derives from its props before validating them. */
export interface DerivedProps {
  readonly replicas: number;
  readonly ordinalsStart: number;
  readonly clusterDomain: string;
  readonly containerName: string;
}

/** Every prop of a StatefulWorkload that the API server or the kubelet would reject. */
export function assertWorkloadProps(scope: IConstruct, p: StatefulWorkloadProps, d: DerivedProps): void {
  assertCount(scope, 'WorkloadReplicasInvalid', 'replicas', d.replicas, p.replicas);
  assertCount(scope, 'WorkloadOrdinalsStartInvalid', 'ordinalsStart', d.ordinalsStart, p.ordinalsStart);
  assertImage(scope, p.image);
  assertClusterDomain(scope, d.clusterDomain);
  for (const [k, v] of [['appName', p.appName], ['component', p.component], ['partOf', p.partOf]] as const) {
    if (v !== undefined) assertLabelValue(scope, k, v);
  }
  for (const [k, v] of Object.entries(p.podLabels ?? {})) assertPodLabel(scope, k, v);
  assertProbes(scope, d.containerName, p.liveness, p.startup, p.readiness);
  if (p.containerName === undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(d.containerName)) {
    // The default container name is the app name, which may be a valid label value but not a container name.
    Names.assertDns1123Label(scope, `container name (defaults to ${p.appName !== undefined ? 'appName' : 'the name'}; set containerName)`, d.containerName);
  }
  Names.assertDns1123Label(scope, 'container name', d.containerName);
  assertBounds(scope, {
    replicas: d.replicas,
    ordinalsStart: d.ordinalsStart,
    security: p.security,
    minReady: p.minReady,
    terminationGracePeriod: p.terminationGracePeriod,
  });
  assertPlacement(scope, p.placement);
  if (p.preStop !== undefined && (!p.preStop.length || p.preStop.some((a) => typeof a !== 'string' || !a))) {
    throw new ValidationError('WorkloadPreStopInvalid', `preStop must be a command of non-empty strings, e.g. ['nodetool', 'drain'], got ${JSON.stringify(p.preStop)}`, scope);
  }
  assertAnnotations(scope, 'podAnnotations', p.podAnnotations);
  assertResources(scope, `container '${d.containerName}'`, p.resources);
  const partition = p.updateStrategy?.partition;
  if (partition !== undefined && (!Number.isInteger(partition) || partition < 0 || partition > 2 ** 31 - 1)) {
    throw new ValidationError('WorkloadPartitionInvalid', `rolling update partition must be a whole number ≥ 0, got ${partition}`, scope);
  }
  assertDisruptionBudget(scope, p.disruptionBudget ?? {}, d.replicas);
  if (p.terminationGracePeriod && p.terminationGracePeriod.toSeconds() < 0) {
    throw new ValidationError('WorkloadGracePeriodInvalid', 'terminationGracePeriod must not be negative', scope);
  }
  assertSecurity(scope, p.security ?? {});
}
