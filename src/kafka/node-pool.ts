import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IKafkaCluster } from './kafka-cluster-ref';
import { poolProblem } from './private/checks';
import { BROKER_LABEL, CLUSTER_LABEL, topicJobLabels } from './private/labels';
import { poolSizing } from './private/pool-sizing';
import { mebibytes } from './private/util';
import { ValidationError } from '../core/errors';
import { loadAsset } from '../core/kit/assets';
import { Warnings } from '../core/warnings';
import { HealthProbe } from '../core/workload/container';
import { PlacementProps } from '../core/workload/scheduling';
import { StatefulWorkload } from '../core/workload/stateful-workload';
import { PodManagementPolicy, UpdateStrategy } from '../core/workload/update-strategy';
import { IStorageClass } from '../core/workload/volumes';

/** Where brokers mount their readiness script. */
const PROBE_DIR = '/opt/kafka-probe';

/** What a Kafka node does (`process.roles`). */
export enum KafkaNodeRole {
  /** Serves clients and stores partitions. */
  BROKER = 'broker',
  /** Votes in the KRaft metadata quorum. */
  CONTROLLER = 'controller',
}

/** The data volume of a node pool (`/var/lib/kafka/data`, log dirs in a subdirectory). */
export interface KafkaStorageOptions {
  /** @default - Size.gibibytes(20) for brokers, Size.gibibytes(5) for dedicated controllers */
  readonly size?: Size;
  /** @default - the cluster's default StorageClass */
  readonly storageClass?: IStorageClass;
  /**
   * Also emit the per-node PersistentVolumeClaims so raising `size` expands the disks.
   * @default false
   */
  readonly expandable?: boolean;
}

/** A pool of Kafka nodes: one StatefulSet. */
export interface KafkaNodePoolOptions {
  /** Nodes in the pool. @default 3 */
  readonly replicas?: number;
  /**
   * Roles of the pool's nodes. Pools added with `addNodePool` are brokers: the controllers of
   * a static quorum are fixed when the cluster is created.
   * @default [KafkaNodeRole.BROKER]
   */
  readonly roles?: KafkaNodeRole[];
  /** @default - 20 GiB (5 GiB for dedicated controllers) on the default StorageClass */
  readonly storage?: KafkaStorageOptions;
  /**
   * Container resources. The JVM heap is half the memory limit unless `heap` is set; the
   * rest is page cache, which Kafka relies on.
   * @default - requests 500m CPU / 2Gi, limit 2Gi (controllers: 250m / 1Gi, limit 1Gi)
   */
  readonly resources?: kplus.ContainerResources;
  /** JVM heap (`-Xms`/`-Xmx`). Must be below the memory limit. @default - half the memory limit */
  readonly heap?: Size;
  /** @default - soft anti-affinity by hostname, soft zone spread */
  readonly placement?: PlacementProps;
  /**
   * Node id of the pool's first pod (`spec.ordinals.start`): pods are `<pool>-<id>` and
   * `node.id` is the pod index, so id ranges of pools must not overlap.
   * @default - 0 for the first pool, then 100, 200, ... in the order pools are created
   */
  readonly firstNodeId?: number;
  /**
   * StatefulSet name. Stateful: a new name means new, empty disks.
   * @default `<cluster>-<id>` (the combined pool: `<cluster>`)
   */
  readonly name?: string;
}

/** Dedicated controllers: a separate pool that only votes in the KRaft quorum. */
export interface KafkaControllersOptions {
  /** Voters: 3 or 5 (odd, so a majority survives the loss of one or two). @default 3 */
  readonly replicas?: number;
  /** @default - 5 GiB on the default StorageClass */
  readonly storage?: KafkaStorageOptions;
  /** @default - requests 250m CPU / 1Gi, limit 1Gi */
  readonly resources?: kplus.ContainerResources;
  /** @default - half the memory limit */
  readonly heap?: Size;
  /** @default - soft anti-affinity by hostname, soft zone spread */
  readonly placement?: PlacementProps;
}

/** What the pool's constructor gets, validated. */
interface PoolInit {
  readonly cluster: IKafkaCluster;
  readonly options: KafkaNodePoolOptions;
  readonly name: string;
  readonly roles: KafkaNodeRole[];
  readonly replicas: number;
  readonly firstNodeId: number;
  readonly resources: kplus.ContainerResources;
  readonly memoryLimit?: Size;
  readonly heap: Size;
  readonly networkPolicy?: boolean;
  /** Pods replaced by the cluster's roller Job (KafkaRollout.safe). */
  readonly onDelete?: boolean;
}

/**
 * One pool of Kafka nodes: a StatefulSet (through `StatefulWorkload`) with its headless
 * Service, PodDisruptionBudget (maxUnavailable 1) and NetworkPolicy. Created by
 * `KafkaCluster.addNodePool` (and the cluster's own pools); `ApiObject.of(pool)` is the
 * StatefulSet.
 */
export class KafkaNodePool extends Construct {
  /**
   * @internal Checks the options, then creates the pool under `scope` (the cluster): a failed
   * check leaves nothing behind, so the id can be used again.
   */
  public static _create(
    scope: Construct, id: string, cluster: IKafkaCluster, options: KafkaNodePoolOptions, networkPolicy?: boolean, onDelete?: boolean,
  ): KafkaNodePool {
    const roles = [...new Set(options.roles ?? [KafkaNodeRole.BROKER])].sort();
    const replicas = options.replicas ?? 3;
    const firstNodeId = options.firstNodeId ?? 0;
    const sizing = poolSizing(!roles.includes(KafkaNodeRole.BROKER), options.resources, options.heap);
    const problem = poolProblem({
      roles,
      replicas,
      firstNodeId,
      heapMi: mebibytes(sizing.heap),
      memoryLimitMi: sizing.memoryLimit ? mebibytes(sizing.memoryLimit) : undefined,
    });
    if (problem) throw new ValidationError(problem.code, problem.message, scope);
    return new KafkaNodePool(scope, id, {
      ...sizing,
      cluster,
      options,
      name: options.name ?? `${cluster.name}-${id}`,
      roles,
      replicas,
      firstNodeId,
      networkPolicy,
      onDelete,
    });
  }

  /** The StatefulSet name. */
  public readonly name: string;
  /** The roles of the pool's nodes. */
  public readonly roles: KafkaNodeRole[];
  /** Nodes. */
  public readonly replicas: number;
  /** Node id of the first pod. */
  public readonly firstNodeId: number;
  /** JVM heap. */
  public readonly heap: Size;
  /** The memory limit, when set. */
  public readonly memoryLimit?: Size;
  /** The workload: StatefulSet, headless Service, PDB, NetworkPolicy. */
  public readonly workload: StatefulWorkload;

  private constructor(scope: Construct, id: string, init: PoolInit) {
    super(scope, id);
    const cluster = init.cluster;
    this.name = init.name;
    this.roles = init.roles;
    this.replicas = init.replicas;
    this.firstNodeId = init.firstNodeId;
    this.heap = init.heap;
    this.memoryLimit = init.memoryLimit;
    const controllerOnly = !this.isBroker;
    // Brokers are ready when clients can connect; controller-only nodes have no client port.
    const probePort = this.isBroker ? cluster.clientPort : cluster.controllerPort;
    const storage = init.options.storage ?? {};
    // Kafka config keys become KAFKA_* env vars; the cluster warns about secret-looking ones
    // itself, precisely (@cdk8s-stateful/kafka:plaintextSecretInConfig), so the workload's
    // generic env warning would only repeat it.
    Warnings.acknowledge(this, '@cdk8s-stateful/workload:plaintextSecretEnv');
    this.workload = new StatefulWorkload(this, 'Workload', {
      image: cluster.image,
      name: this.name,
      replicas: this.replicas,
      appName: 'kafka',
      component: this.roles.length === 2 ? 'combined' : this.roles[0],
      partOf: cluster.name,
      version: cluster.version.version,
      containerName: 'kafka',
      resources: init.resources,
      dataVolumes: {
        data: {
          mountPath: '/var/lib/kafka/data',
          size: storage.size ?? (controllerOnly ? Size.gibibytes(5) : Size.gibibytes(20)),
          storageClass: storage.storageClass,
          expandable: storage.expandable,
        },
      },
      // Quorum members must find each other before any is Ready (recipes §0).
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      // The roller Job replaces pods one at a time within min ISR (private/roller.ts).
      updateStrategy: init.onDelete ? UpdateStrategy.onDelete() : undefined,
      publishNotReadyAddresses: true,
      ordinalsStart: this.firstNodeId,
      placement: init.options.placement,
      // appuser in the image (Alpine `adduser`, first uid 1000); fsGroup makes the PVC writable.
      security: { user: 1000, group: 1000, fsGroup: 1000 },
      clusterDomain: cluster.clusterDomain,
      networkPolicy: init.networkPolicy,
      // Controlled shutdown moves partition leadership away before the process exits.
      terminationGracePeriod: Duration.seconds(60),
      // Otherwise service links such as KAFKA_PORT would become properties (recipes §1).
      enableServiceLinks: false,
      // Brokers: Ready once back in the ISR after a start (assets/broker-ready.sh), so a rolling
      // update waits for each broker to catch up; controller-only nodes: the port.
      readiness: this.isBroker
        ? HealthProbe.exec(['bash', `${PROBE_DIR}/broker-ready.sh`], { timeout: Duration.seconds(25), failureThreshold: 3 })
        : HealthProbe.tcpSocket(probePort),
      liveness: HealthProbe.tcpSocket(probePort, { failureThreshold: 6 }),
      // Log recovery after an unclean stop can take many minutes before the port opens.
      startup: HealthProbe.tcpSocket(probePort, { failureThreshold: 180 }),
    });
    this.node.defaultChild = this.workload.statefulSet;

    const w = this.workload;
    w.addPodLabel(CLUSTER_LABEL, cluster.name);
    if (this.isBroker) w.addPodLabel(BROKER_LABEL, 'true');
    if (this.isBroker) w.volumes.addConfigFiles('probe', { mountPath: PROBE_DIR, files: { 'broker-ready.sh': loadAsset('kafka/assets/broker-ready.sh') } });
    if (this.isBroker) w.addPort({ name: 'client', port: cluster.clientPort });
    if (this.isBroker) w.addPort({ name: 'internal', port: cluster.internalPort });
    if (this.isController) w.addPort({ name: 'controller', port: cluster.controllerPort });
    // Every node of the cluster talks to every other (quorum, replication), across pools.
    w.connections.allowFromLabels({ [CLUSTER_LABEL]: cluster.name });
    // Topic Jobs reach the brokers on the internal listener.
    if (this.isBroker) w.connections.allowFromLabels(topicJobLabels(cluster.name).selector, ['internal']);
  }

  /** Whether the pool's nodes are brokers. */
  public get isBroker(): boolean {
    return this.roles.includes(KafkaNodeRole.BROKER);
  }

  /** Whether the pool's nodes are controllers. */
  public get isController(): boolean {
    return this.roles.includes(KafkaNodeRole.CONTROLLER);
  }

  /** Node ids of the pool, in order. */
  public get nodeIds(): number[] {
    return Array.from({ length: this.replicas }, (_, i) => this.firstNodeId + i);
  }

  /** The StatefulSet. */
  public get statefulSet(): k8s.KubeStatefulSet {
    return this.workload.statefulSet;
  }
}
