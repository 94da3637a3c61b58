import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { HealthProbe, WorkloadPort } from './container';
import { RbacRule } from './rbac';
import { PlacementProps } from './scheduling';
import { WorkloadSecurityProps } from './security';
import { DisruptionBudgetProps, PodManagementPolicy, UpdateStrategy } from './update-strategy';
import { DataVolumeOptions, RetentionPolicy } from './volumes';

/** Props of a StatefulWorkload. */
export interface StatefulWorkloadProps {
  /** Image of the main container, with a pinned tag or digest. */
  readonly image: string;
  /**
   * Name of the StatefulSet (and prefix of every object). Stateful: a new name means new, empty disks.
   * @default - the construct id
   */
  readonly name?: string;
  /** @default 1 */
  readonly replicas?: number;
  /** app.kubernetes.io/name. @default - the name */
  readonly appName?: string;
  /** app.kubernetes.io/component. @default - none */
  readonly component?: string;
  /** app.kubernetes.io/part-of. @default - none */
  readonly partOf?: string;
  /** app.kubernetes.io/version (never in selectors or claim templates). @default - none */
  readonly version?: string;
  /** Name of the main container. @default - the app name */
  readonly containerName?: string;
  /** Ports of the main container. @default - none */
  readonly ports?: WorkloadPort[];
  /** @default - the image's entrypoint */
  readonly command?: string[];
  /** @default - the image's cmd */
  readonly args?: string[];
  /** Environment of the main container, in order. @default - none */
  readonly env?: { [name: string]: kplus.EnvValue };
  /** @default - none (set them for production) */
  readonly resources?: kplus.ContainerResources;
  /** @default - none */
  readonly readiness?: HealthProbe;
  /** @default - none */
  readonly liveness?: HealthProbe;
  /** @default - none */
  readonly startup?: HealthProbe;
  /** Persistent data volumes, each a volumeClaimTemplate mounted in the main container. @default - none */
  readonly dataVolumes?: { [name: string]: DataVolumeOptions };
  /** Paths the image writes to, each an emptyDir (the root filesystem is read-only). @default - none */
  readonly scratchPaths?: string[];
  /** @default - PodManagementPolicy.ORDERED_READY */
  readonly podManagementPolicy?: PodManagementPolicy;
  /** @default UpdateStrategy.rollingUpdate() */
  readonly updateStrategy?: UpdateStrategy;
  /** @default - none */
  readonly minReady?: Duration;
  /** First pod ordinal (`spec.ordinals.start`, beta in 1.27). @default 0 */
  readonly ordinalsStart?: number;
  /** PVC retention when the StatefulSet is deleted. @default RetentionPolicy.RETAIN */
  readonly whenDeleted?: RetentionPolicy;
  /** PVC retention when the StatefulSet is scaled down. @default RetentionPolicy.RETAIN */
  readonly whenScaled?: RetentionPolicy;
  /** @default - maxUnavailable 1 */
  readonly disruptionBudget?: DisruptionBudgetProps;
  /** Publish addresses of pods that are not ready on the headless Service (quorum systems). @default false */
  readonly publishNotReadyAddresses?: boolean;
  /** @default - soft anti-affinity by hostname, soft zone spread */
  readonly placement?: PlacementProps;
  /** @default - restricted, user/group 1000, read-only root */
  readonly security?: WorkloadSecurityProps;
  /** Role rules for the workload's ServiceAccount; the token is mounted only when there are rules. @default - none */
  readonly rbacRules?: RbacRule[];
  /** Create a NetworkPolicy allowing ingress only from the workload's own pods and `allowFrom` peers. @default true */
  readonly networkPolicy?: boolean;
  /** @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** @default Duration.seconds(30) */
  readonly terminationGracePeriod?: Duration;
  /**
   * A command the kubelet runs in the main container before it sends SIGTERM (a `preStop` exec
   * hook), e.g. `nodetool drain`. It counts against `terminationGracePeriod`.
   * @default - none
   */
  readonly preStop?: string[];
  /** Inject service-link env vars (they can clash with images that read `<NAME>_PORT`). @default false */
  readonly enableServiceLinks?: boolean;
  /** Extra pod labels (not in selectors). @default - none */
  readonly podLabels?: { [key: string]: string };
  /** Extra pod annotations. @default - none */
  readonly podAnnotations?: { [key: string]: string };
}
