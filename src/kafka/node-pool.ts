import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ValidationError } from '../core/errors';
import { mebibytes } from './private/util';
import { HealthProbe } from '../core/workload/container';
import { PlacementProps } from '../core/workload/scheduling';
import { StatefulWorkload } from '../core/workload/stateful-workload';
import { PodManagementPolicy } from '../core/workload/update-strategy';
import { IStorageClass } from '../core/workload/volumes';

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

/** Props of a KafkaNodePool; create pools with `KafkaCluster.addNodePool`. */
export interface KafkaNodePoolProps extends KafkaNodePoolOptions {
  /** The pinned image. */
  readonly image: string;
  /** StatefulSet name. */
  readonly poolName: string;
  /** First node id. */
  readonly firstNodeIdValue: number;
  /** Name of the cluster (app.kubernetes.io/part-of). */
  readonly clusterName: string;
  /** Kafka version (app.kubernetes.io/version). */
  readonly version: string;
  /** @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** @default true */
  readonly networkPolicy?: boolean;
  /** Port the probes connect to (client for brokers, controller otherwise). */
  readonly probePort: number;
}

/**
 * One pool of Kafka nodes: a StatefulSet (through `StatefulWorkload`) with its headless
 * Service, PodDisruptionBudget (maxUnavailable 1) and NetworkPolicy.
 */
export class KafkaNodePool extends Construct {
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

  constructor(scope: Construct, id: string, props: KafkaNodePoolProps) {
    super(scope, id);
    this.name = props.poolName;
    this.roles = [...new Set(props.roles ?? [KafkaNodeRole.BROKER])].sort();
    this.replicas = props.replicas ?? 3;
    this.firstNodeId = props.firstNodeIdValue;
    if (!this.roles.length) {
      throw new ValidationError('roles must not be empty; use [KafkaNodeRole.BROKER]', this);
    }
    if (!Number.isInteger(this.replicas) || this.replicas < 1) {
      throw new ValidationError(`replicas must be a whole number ≥ 1, got ${props.replicas}`, this);
    }
    if (!Number.isInteger(this.firstNodeId) || this.firstNodeId < 0) {
      throw new ValidationError(`firstNodeId must be a whole number ≥ 0, got ${this.firstNodeId}`, this);
    }
    const controllerOnly = !this.isBroker;
    const resources = props.resources ?? (controllerOnly
      ? { cpu: { request: kplus.Cpu.millis(250) }, memory: { request: Size.gibibytes(1), limit: Size.gibibytes(1) } }
      : { cpu: { request: kplus.Cpu.millis(500) }, memory: { request: Size.gibibytes(2), limit: Size.gibibytes(2) } });
    this.memoryLimit = resources.memory?.limit;
    this.heap = props.heap ?? (this.memoryLimit ? Size.mebibytes(Math.floor(mebibytes(this.memoryLimit) / 2)) : Size.gibibytes(1));
    if (this.memoryLimit && mebibytes(this.heap) >= mebibytes(this.memoryLimit)) {
      throw new ValidationError(
        `heap ${mebibytes(this.heap)}Mi is not below the memory limit ${mebibytes(this.memoryLimit)}Mi: the JVM also needs metaspace, ` +
          'thread stacks and direct buffers, and Kafka needs page cache; use at most half the limit, or raise resources.memory.limit',
        this,
      );
    }
    if (mebibytes(this.heap) < 128) {
      throw new ValidationError(`heap ${mebibytes(this.heap)}Mi is too small for Kafka; give at least Size.mebibytes(256)`, this);
    }

    const storage = props.storage ?? {};
    this.workload = new StatefulWorkload(this, 'Workload', {
      image: props.image,
      name: this.name,
      replicas: this.replicas,
      appName: 'kafka',
      component: this.roles.length === 2 ? 'combined' : this.roles[0],
      partOf: props.clusterName,
      version: props.version,
      containerName: 'kafka',
      resources,
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
      publishNotReadyAddresses: true,
      ordinalsStart: this.firstNodeId,
      placement: props.placement,
      // appuser in the image (Alpine `adduser`, first uid 1000); fsGroup makes the PVC writable.
      security: { user: 1000, group: 1000, fsGroup: 1000 },
      clusterDomain: props.clusterDomain,
      networkPolicy: props.networkPolicy,
      // Controlled shutdown moves partition leadership away before the process exits.
      terminationGracePeriod: Duration.seconds(60),
      // Otherwise service links such as KAFKA_PORT would become properties (recipes §1).
      enableServiceLinks: false,
      readiness: HealthProbe.tcpSocket(props.probePort),
      liveness: HealthProbe.tcpSocket(props.probePort, { failureThreshold: 6 }),
      // Log recovery after an unclean stop can take many minutes before the port opens.
      startup: HealthProbe.tcpSocket(props.probePort, { failureThreshold: 180 }),
    });
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
