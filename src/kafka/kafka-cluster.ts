import { ApiObject, Chart, JsonPatch, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KafkaVersion } from './kafka-version';
import { KafkaAuthentication, KafkaListenersOptions, KafkaSaslUser, KafkaTls } from './listeners';
import { KafkaNodePool, KafkaNodePoolOptions, KafkaNodeRole, KafkaStorageOptions } from './node-pool';
import { KafkaTopic, KafkaTopicOptions } from './topic';
import { ValidationError } from '../core/errors';
import { deriveClusterId, envToProperty, isKafka4, isValidClusterId, kafkaImage, log4jConfig, mebibytes, propertyToEnv } from './private/util';
import { clusterScoped } from '../core/kit/cluster-scoped';
import { LabelKeys } from '../core/labels';
import { Names } from '../core/naming';
import { Warnings } from '../core/warnings';
import { PlacementProps } from '../core/workload/scheduling';
import { WorkloadVolume } from '../core/workload/volumes';

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

/** Rack awareness: `broker.rack` from a label of the node each broker runs on. */
export interface KafkaRackAwarenessOptions {
  /** Node label holding the rack. @default 'topology.kubernetes.io/zone' */
  readonly topologyKey?: string;
  /**
   * Image of the init container that reads the node's labels from the API server (it needs a
   * shell and curl; the Kafka image has neither curl nor wget).
   * @default 'docker.io/curlimages/curl:8.16.0'
   */
  readonly image?: string;
}

/** Props of a KafkaCluster. */
export interface KafkaClusterProps {
  /** @default KafkaVersion.V4_1_2 */
  readonly version?: KafkaVersion;
  /**
   * Cluster name: prefix of every object. Stateful: a new name means new, empty disks.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * KRaft cluster id (22 base64url characters, a Kafka `Uuid`). Not a secret: every broker
   * logs it and clients can read it. Never random and never the image's built-in default.
   * @default - derived from the construct path: base64url of the first 16 bytes of its sha256
   */
  readonly clusterId?: string;
  /**
   * Nodes of the first pool: combined broker+controller nodes, or brokers when `controllers`
   * is set.
   * @default 3
   */
  readonly replicas?: number;
  /**
   * Dedicated controllers. When set, the first pool (`<name>-broker`) only brokers.
   * @default - combined: every node of the first pool is broker and controller
   */
  readonly controllers?: KafkaControllersOptions;
  /** Storage of the first pool. @default - 20 GiB on the default StorageClass */
  readonly storage?: KafkaStorageOptions;
  /** Resources of the first pool. @default - requests 500m CPU / 2Gi, limit 2Gi */
  readonly resources?: kplus.ContainerResources;
  /** JVM heap of the first pool. @default - half the memory limit */
  readonly heap?: Size;
  /** Placement of the first pool. @default - soft anti-affinity by hostname, soft zone spread */
  readonly placement?: PlacementProps;
  /** @default - PLAINTEXT on 9092 (client), 9093 (controller), 9094 (internal); no authentication */
  readonly listeners?: KafkaListenersOptions;
  /** `default.replication.factor` of new topics. @default - min(3, brokers) */
  readonly defaultReplicationFactor?: number;
  /** `min.insync.replicas`. Must be below the replication factor. @default - replication factor − 1 (at least 1) */
  readonly minInsyncReplicas?: number;
  /** `num.partitions` of topics created without a count. @default 3 */
  readonly defaultPartitions?: number;
  /** `auto.create.topics.enable`: typos become topics when on. @default false */
  readonly autoCreateTopics?: boolean;
  /**
   * More broker properties (`log.retention.hours: '72'`), passed as `KAFKA_*` env vars. Keys
   * the construct manages (listeners, quorum, replication) are rejected: use their props.
   * @default - none
   */
  readonly config?: { [key: string]: string };
  /** @default - off */
  readonly rackAwareness?: KafkaRackAwarenessOptions;
  /** @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** NetworkPolicies allowing only the cluster, its topic Jobs and bound clients. @default true */
  readonly networkPolicy?: boolean;
}

/** Options of `bind`. */
export interface KafkaBindOptions {
  /**
   * SASL user whose credentials the workload gets. Required with SASL when there is more than
   * one user.
   * @default - the only user, when there is exactly one
   */
  readonly user?: string;
}

/** Properties set from props or derived; `config` may not set them. */
const MANAGED_KEYS = new Set([
  'node.id', 'process.roles', 'listeners', 'advertised.listeners', 'listener.security.protocol.map',
  'controller.listener.names', 'inter.broker.listener.name', 'controller.quorum.voters', 'controller.quorum.bootstrap.servers',
  'log.dirs', 'metadata.log.dir', 'broker.rack', 'default.replication.factor', 'min.insync.replicas', 'num.partitions',
  'auto.create.topics.enable', 'offsets.topic.replication.factor', 'transaction.state.log.replication.factor',
  'transaction.state.log.min.isr', 'share.coordinator.state.topic.replication.factor', 'share.coordinator.state.topic.min.isr',
]);

const LISTENER_CLIENT = 'CLIENT';
const LISTENER_INTERNAL = 'INTERNAL';
const LISTENER_CONTROLLER = 'CONTROLLER';
const DATA_DIR = '/var/lib/kafka/data';
const TLS_DIR = '/etc/kafka/tls';
const RACK_DIR = '/mnt/shared/config';
const CLUSTER_LABEL = 'kafka.cdk8s-stateful.io/cluster';
const BROKER_LABEL = 'kafka.cdk8s-stateful.io/broker';
const DEFAULT_RACK_IMAGE = 'docker.io/curlimages/curl:8.16.0';

/**
 * Apache Kafka in KRaft mode on plain StatefulSets, with the official `apache/kafka` image
 * and its own entrypoint: a static controller quorum, combined or dedicated controllers,
 * broker pools, listeners with TLS and SASL/PLAIN, topics as idempotent Jobs and
 * NetworkPolicies that admit only bound clients.
 */
export class KafkaCluster extends Construct {
  /** The cluster name (prefix of every object). */
  public readonly name: string;
  /** The Kafka release. */
  public readonly version: KafkaVersion;
  /** The pinned image. */
  public readonly image: string;
  /** The KRaft cluster id (not a secret). */
  public readonly clusterId: string;
  /** The cluster DNS domain. */
  public readonly clusterDomain: string;
  /** The client port. */
  public readonly clientPort: number;
  /** The controller port. */
  public readonly controllerPort: number;
  /** The inter-broker port. */
  public readonly internalPort: number;
  /** Client authentication. */
  public readonly authentication: KafkaAuthentication;
  /** TLS material, when TLS is on. */
  public readonly tls?: KafkaTls;
  /** The pool of the quorum's voters (the combined pool, or the dedicated controllers). */
  public readonly controllerPool: KafkaNodePool;
  /** The Service clients bootstrap from: every broker of every pool, ready ones only. */
  public readonly bootstrapService: k8s.KubeService;
  /** The ClusterRole that lets brokers read their node's labels (rack awareness only). */
  public readonly rackClusterRole?: k8s.KubeClusterRole;

  private readonly props: KafkaClusterProps;
  private readonly pools: KafkaNodePool[] = [];
  private readonly topics = new Map<string, KafkaTopic>();
  private readonly users: KafkaSaslUser[];
  private readonly rackBindings: k8s.KubeClusterRoleBinding[] = [];
  private readonly bound: kplus.Workload[] = [];

  constructor(scope: Construct, id: string, props: KafkaClusterProps = {}) {
    super(scope, id);
    this.props = props;
    this.name = Names.stable(this, props.name, 40);
    this.version = props.version ?? KafkaVersion.V4_1_2;
    this.image = kafkaImage(this.version);
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    const l = props.listeners ?? {};
    this.clientPort = l.clientPort ?? 9092;
    this.controllerPort = l.controllerPort ?? 9093;
    this.internalPort = l.internalPort ?? 9094;
    this.authentication = l.authentication ?? KafkaAuthentication.NONE;
    this.tls = l.tls;
    this.users = [...(l.users ?? [])];
    this.clusterId = props.clusterId ?? deriveClusterId(this.node.path);
    this.validateProps();

    if (props.controllers) {
      const c = props.controllers;
      this.controllerPool = this.createPool('controller', {
        replicas: c.replicas ?? 3,
        roles: [KafkaNodeRole.CONTROLLER],
        storage: c.storage,
        resources: c.resources,
        heap: c.heap,
        placement: c.placement,
      });
      this.createPool('broker', {
        replicas: props.replicas ?? 3,
        roles: [KafkaNodeRole.BROKER],
        storage: props.storage,
        resources: props.resources,
        heap: props.heap,
        placement: props.placement,
      });
    } else {
      this.controllerPool = this.createPool('combined', {
        name: this.name,
        replicas: props.replicas ?? 3,
        roles: [KafkaNodeRole.BROKER, KafkaNodeRole.CONTROLLER],
        storage: props.storage,
        resources: props.resources,
        heap: props.heap,
        placement: props.placement,
      });
    }
    const voters = this.controllerPool.replicas;
    if (voters % 2 === 0) {
      throw new ValidationError(
        `the KRaft quorum has ${voters} controllers; use an odd number (3 or 5): ${voters} voters tolerate no more failures than ${voters - 1}`,
        this,
      );
    }
    if (voters === 1) {
      Warnings.of(this).add('@cdk8s-stateful/kafka:singleController',
        'the KRaft quorum has a single controller: losing it (or its disk) stops the cluster; use 3 controllers for production');
    }

    this.bootstrapService = new k8s.KubeService(this, 'BootstrapService', {
      metadata: { name: `${this.name}-bootstrap`, labels: this.clusterLabels() },
      spec: {
        selector: { [CLUSTER_LABEL]: this.name, [BROKER_LABEL]: 'true' },
        ports: [{ name: 'client', port: this.clientPort, targetPort: k8s.IntOrString.fromString('client'), protocol: 'TCP' }],
      },
    });

    if (props.rackAwareness) {
      const ns = Chart.of(this).namespace!;
      this.rackClusterRole = clusterScoped(new k8s.KubeClusterRole(this, 'RackClusterRole', {
        metadata: { name: `${ns}-${this.name}-node-reader`, labels: this.clusterLabels() },
        rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }],
      }));
      for (const p of this.pools) if (p.isBroker) this.addRackAwareness(p);
    }

    this.node.addValidation({ validate: () => { this.validateRelationships(); return []; } });
  }

  // ---------------------------------------------------------------- public API

  /** Node pools, in creation order. */
  public get nodePools(): KafkaNodePool[] {
    return [...this.pools];
  }

  /** The ClusterRoleBindings of the broker pools' ServiceAccounts (rack awareness only). */
  public get rackClusterRoleBindings(): k8s.KubeClusterRoleBinding[] {
    return [...this.rackBindings];
  }

  /** Number of brokers over all pools. */
  public get brokers(): number {
    return this.pools.filter((p) => p.isBroker).reduce((n, p) => n + p.replicas, 0);
  }

  /** `default.replication.factor`. */
  public get defaultReplicationFactor(): number {
    return this.props.defaultReplicationFactor ?? Math.max(1, Math.min(3, this.brokers));
  }

  /** `min.insync.replicas`. */
  public get minInsyncReplicas(): number {
    return this.props.minInsyncReplicas ?? Math.max(1, this.defaultReplicationFactor - 1);
  }

  /** `num.partitions`: partitions of topics created without a count. */
  public get defaultPartitions(): number {
    return this.props.defaultPartitions ?? 3;
  }

  /** `host:port` of the bootstrap Service, qualified when the chart has a namespace. */
  public get bootstrapServers(): string {
    const ns = Chart.of(this).namespace;
    const host = ns ? `${this.bootstrapService.name}.${ns}.svc.${this.clusterDomain}` : this.bootstrapService.name;
    return `${host}:${this.clientPort}`;
  }

  /**
   * DNS names the TLS certificate must cover: every pod of every pool (a wildcard per headless
   * Service) and the bootstrap Service, fully qualified. Throws when the chart has no namespace
   * (the names nodes use are then only known at run time).
   */
  public get tlsDnsNames(): string[] {
    const ns = Chart.of(this).namespace;
    if (!ns) {
      // Nodes reach each other at `<pod>.<headless>.$(POD_NAMESPACE).svc.<domain>` (voters,
      // advertised listeners): a certificate for unqualified names (`*.<headless>`) fails
      // hostname verification, and the namespace is only known at run time.
      throw new ValidationError(
        "tlsDnsNames needs the chart's namespace: nodes connect to each other by fully qualified pod names " +
          '(<pod>.<headless>.<namespace>.svc.<clusterDomain>); set `namespace` on the Chart',
        this,
      );
    }
    const q = (h: string) => `${h}.${ns}.svc.${this.clusterDomain}`;
    return [...this.pools.map((p) => `*.${q(p.workload.headlessService.name)}`), q(this.bootstrapService.name)];
  }

  /**
   * Add a pool of brokers (its own StatefulSet, PDB and node ids). Controllers are fixed:
   * a static quorum cannot change its voters.
   */
  public addNodePool(id: string, options: KafkaNodePoolOptions = {}): KafkaNodePool {
    const roles = options.roles ?? [KafkaNodeRole.BROKER];
    if (roles.includes(KafkaNodeRole.CONTROLLER)) {
      throw new ValidationError(
        `node pool '${id}' asks for the controller role; the controllers of a static KRaft quorum are fixed when the cluster is created ` +
          '(set `controllers` or `replicas` on the cluster) — add pools with roles [KafkaNodeRole.BROKER]',
        this,
      );
    }
    const pool = this.createPool(id, { ...options, roles });
    if (this.props.rackAwareness) this.addRackAwareness(pool);
    return pool;
  }

  /** A pool by id (`combined`, `controller`, `broker` or an `addNodePool` id). */
  public nodePool(id: string): KafkaNodePool {
    const p = this.node.tryFindChild(id);
    if (!(p instanceof KafkaNodePool)) {
      throw new ValidationError(`no node pool '${id}'; pools are: ${this.pools.map((x) => x.node.id).join(', ')}`, this);
    }
    return p;
  }

  /** Add a topic, created by an idempotent Job once the cluster answers. */
  public addTopic(id: string, options: KafkaTopicOptions): KafkaTopic {
    if (this.topics.has(id)) throw new ValidationError(`a topic with id '${id}' exists already; give each topic its own id`, this);
    const name = options.name ?? id;
    for (const t of this.topics.values()) {
      if (t.topicName === name) throw new ValidationError(`topic '${name}' is added twice (ids '${t.node.id}' and '${id}'); add it once`, this);
    }
    // Topics live under their own scope: a topic id may equal a pool id ('broker').
    const scope = (this.node.tryFindChild('Topics') as Construct | undefined) ?? new Construct(this, 'Topics');
    let topic: KafkaTopic;
    try {
      topic = new KafkaTopic(scope, id, { ...options, cluster: this });
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
    }
    this.topics.set(id, topic);
    return topic;
  }

  /** Topics, in the order they were added. */
  public get topicList(): KafkaTopic[] {
    return [...this.topics.values()];
  }

  /**
   * Connect a cdk8s-plus workload: env `KAFKA_BOOTSTRAP_SERVERS` (and `KAFKA_SECURITY_PROTOCOL`,
   * SASL credentials and the CA when on) in every container, and a NetworkPolicy rule
   * letting its pods reach the client port.
   */
  public bind(workload: kplus.Workload, options: KafkaBindOptions = {}): void {
    if (this.bound.includes(workload)) {
      throw new ValidationError(`workload '${workload.node.path}' is bound to this cluster already; bind it once`, this);
    }
    const env: { [k: string]: kplus.EnvValue } = {
      KAFKA_BOOTSTRAP_SERVERS: kplus.EnvValue.fromValue(this.bootstrapServers),
      KAFKA_SECURITY_PROTOCOL: kplus.EnvValue.fromValue(this.clientProtocol),
    };
    if (this.authentication === KafkaAuthentication.SASL_PLAIN) {
      const user = this.pickUser(options.user);
      env.KAFKA_SASL_MECHANISM = kplus.EnvValue.fromValue('PLAIN');
      env.KAFKA_SASL_USERNAME = kplus.EnvValue.fromValue(user.username);
      env.KAFKA_SASL_PASSWORD = kplus.EnvValue.fromSecretValue({ secret: user.passwordSecret, key: user.passwordKey ?? 'password' });
    } else if (options.user !== undefined) {
      throw new ValidationError(`bind() got user '${options.user}' but the client listener has no SASL; leave out 'user'`, this);
    }
    let caVolume: kplus.Volume | undefined;
    if (this.tls) {
      // Only the CA: the Secret also holds the brokers' private key, which clients must not get.
      caVolume = kplus.Volume.fromSecret(workload, `${this.node.id}-kafka-ca`, this.tls.secret, {
        name: `${this.name}-kafka-ca`,
        items: { 'ca.crt': { path: 'ca.crt' }, 'truststore.p12': { path: 'truststore.p12' } },
      });
      env.KAFKA_SSL_CA_LOCATION = kplus.EnvValue.fromValue('/etc/kafka-client/ca.crt');
      env.KAFKA_SSL_TRUSTSTORE_LOCATION = kplus.EnvValue.fromValue('/etc/kafka-client/truststore.p12');
      env.KAFKA_SSL_TRUSTSTORE_PASSWORD = kplus.EnvValue.fromSecretValue({ secret: this.tls.passwordSecret, key: this.tls.passwordKey });
    }
    for (const c of workload.containers) {
      for (const [k, v] of Object.entries(env)) c.env.addVariable(k, v);
      if (caVolume) c.mount('/etc/kafka-client', caVolume, { readOnly: true });
    }
    this.bound.push(workload);
    for (const p of this.brokerPools()) p.workload.connections.allowFrom(workload, ['client']);
  }

  /** The security protocol clients use on the client listener. */
  public get clientProtocol(): string {
    const sasl = this.authentication === KafkaAuthentication.SASL_PLAIN;
    if (this.tls) return sasl ? 'SASL_SSL' : 'SSL';
    return sasl ? 'SASL_PLAINTEXT' : 'PLAINTEXT';
  }

  /** @internal Protocol of the INTERNAL listener (topic Jobs use it). */
  public get _internalProtocol(): string {
    return this.tls ? 'SSL' : 'PLAINTEXT';
  }

  /** @internal Bootstrap list over the INTERNAL listener: every broker pod's stable name. */
  public get _internalBootstrap(): string {
    const hosts: string[] = [];
    for (const p of this.brokerPools()) for (const id of p.nodeIds) hosts.push(`${this.hostOf(p, id)}:${this.internalPort}`);
    return hosts.join(',');
  }

  // ---------------------------------------------------------------- pools

  private brokerPools(): KafkaNodePool[] {
    return this.pools.filter((p) => p.isBroker);
  }

  private clusterLabels(): { [k: string]: string } {
    return {
      [LabelKeys.NAME]: 'kafka',
      [LabelKeys.INSTANCE]: this.name,
      [LabelKeys.PART_OF]: this.name,
      [LabelKeys.MANAGED_BY]: 'cdk8s-stateful',
      [LabelKeys.VERSION]: this.version,
    };
  }

  private createPool(id: string, options: KafkaNodePoolOptions): KafkaNodePool {
    if (this.node.tryFindChild(id)) throw new ValidationError(`a node pool with id '${id}' exists already; give each pool its own id`, this);
    const firstNodeId = options.firstNodeId ?? this.pools.length * 100;
    const pool = this.removeOnError(id, () => new KafkaNodePool(this, id, {
      ...options,
      image: this.image,
      poolName: options.name ?? `${this.name}-${id}`,
      firstNodeIdValue: firstNodeId,
      clusterName: this.name,
      version: this.version,
      clusterDomain: this.props.clusterDomain,
      networkPolicy: this.props.networkPolicy,
      probePort: (options.roles ?? []).includes(KafkaNodeRole.BROKER) ? this.clientPort : this.controllerPort,
    }));
    const a = pool.nodeIds;
    for (const other of this.pools) {
      const b = other.nodeIds;
      if (a[0] <= b[b.length - 1] && b[0] <= a[a.length - 1]) {
        this.node.tryRemoveChild(id);
        throw new ValidationError(
          `node ids ${a[0]}-${a[a.length - 1]} of pool '${id}' overlap ids ${b[0]}-${b[b.length - 1]} of pool '${other.node.id}'; ` +
            `set firstNodeId to ${Math.ceil((Math.max(...this.pools.flatMap((x) => x.nodeIds)) + 1) / 100) * 100} or more`,
          this,
        );
      }
    }
    this.pools.push(pool);
    this.configurePool(pool);
    return pool;
  }

  /** A failed addX leaves no half-built child behind, so the id can be used again. */
  private removeOnError<T>(id: string, create: () => T): T {
    try {
      return create();
    } catch (e) {
      this.node.tryRemoveChild(id);
      throw e;
    }
  }

  /** Stable DNS name of a node: namespace from the chart, or from the pod's env at run time. */
  private hostOf(pool: KafkaNodePool, nodeId: number): string {
    const w = pool.workload;
    return w.namespace ? w.podDnsName(nodeId) : w.runtimeDnsName(w.podName(nodeId));
  }

  private configurePool(pool: KafkaNodePool): void {
    const w = pool.workload;
    const tls = this.tls;
    const sasl = this.authentication === KafkaAuthentication.SASL_PLAIN;
    w.addPodLabel(CLUSTER_LABEL, this.name);
    if (pool.isBroker) w.addPodLabel(BROKER_LABEL, 'true');
    if (pool.isBroker) w.addPort({ name: 'client', port: this.clientPort });
    if (pool.isBroker) w.addPort({ name: 'internal', port: this.internalPort });
    if (pool.isController) w.addPort({ name: 'controller', port: this.controllerPort });
    // Every node of the cluster talks to every other (quorum, replication), across pools.
    w.connections.allowFromLabels({ [CLUSTER_LABEL]: this.name });
    if (pool.isBroker) {
      w.connections.allowFromLabels(KafkaTopic._jobLabels(this.name), ['internal']);
      for (const b of this.bound) w.connections.allowFrom(b, ['client']);
    }

    const env = (k: string, v: string) => w.addEnv(k, kplus.EnvValue.fromValue(v));
    const lazy = (k: string, f: () => string) => w.addEnv(k, kplus.EnvValue.fromValue(Lazy.any({ produce: f }) as unknown as string));
    w.addEnv('POD_NAME', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME));
    w.addEnv('POD_NAMESPACE', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE));
    // node.id is the pod index: the ordinal parsed from the pod name, so it includes the pool's
    // spec.ordinals.start (kubernetes pkg/controller/statefulset/stateful_set_utils.go updateIdentity).
    w.addEnv('KAFKA_NODE_ID', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_LABEL, { key: LabelKeys.POD_INDEX }));
    // Without it the image formats with its built-in id 5L6g3nShT-eMCtK--X86sw (docker/resources/common-scripts/configureDefaults).
    env('CLUSTER_ID', this.clusterId);
    env('KAFKA_PROCESS_ROLES', pool.roles.join(','));

    const listeners: string[] = [];
    if (pool.isBroker) listeners.push(`${LISTENER_CLIENT}://:${this.clientPort}`, `${LISTENER_INTERNAL}://:${this.internalPort}`);
    if (pool.isController) listeners.push(`${LISTENER_CONTROLLER}://:${this.controllerPort}`);
    env('KAFKA_LISTENERS', listeners.join(','));
    if (pool.isBroker) {
      // Each broker advertises its own stable name (controller-only nodes must not advertise:
      // the image's `configure` exits then).
      const host = w.namespace ? w.qualify(`$(POD_NAME).${w.headlessService.name}`) : w.runtimeDnsName();
      env('KAFKA_ADVERTISED_LISTENERS', `${LISTENER_CLIENT}://${host}:${this.clientPort},${LISTENER_INTERNAL}://${host}:${this.internalPort}`);
    }
    const nodeProtocol = tls ? 'SSL' : 'PLAINTEXT';
    env('KAFKA_LISTENER_SECURITY_PROTOCOL_MAP',
      `${LISTENER_CLIENT}:${this.clientProtocol},${LISTENER_INTERNAL}:${nodeProtocol},${LISTENER_CONTROLLER}:${nodeProtocol}`);
    env('KAFKA_CONTROLLER_LISTENER_NAMES', LISTENER_CONTROLLER);
    env('KAFKA_INTER_BROKER_LISTENER_NAME', LISTENER_INTERNAL);
    // Static quorum: the image's entrypoint formats with `--cluster-id -c` only (recipes §1).
    // The first pool is the voters' pool itself (combined, or the dedicated controllers).
    env('KAFKA_CONTROLLER_QUORUM_VOTERS', this.votersOf((this.controllerPool as KafkaNodePool | undefined) ?? pool));
    // A subdirectory: the volume root may hold lost+found, which Kafka would take for a log dir.
    env('KAFKA_LOG_DIRS', `${DATA_DIR}/logs`);

    if (pool.isBroker) {
      lazy('KAFKA_DEFAULT_REPLICATION_FACTOR', () => String(this.defaultReplicationFactor));
      lazy('KAFKA_MIN_INSYNC_REPLICAS', () => String(this.minInsyncReplicas));
      env('KAFKA_NUM_PARTITIONS', String(this.defaultPartitions));
      env('KAFKA_AUTO_CREATE_TOPICS_ENABLE', String(this.props.autoCreateTopics ?? false));
    }
    // Internal topics: RF min(3, brokers), min ISR one less (at least 1).
    lazy('KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR', () => String(this.internalRf()));
    lazy('KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR', () => String(this.internalRf()));
    lazy('KAFKA_TRANSACTION_STATE_LOG_MIN_ISR', () => String(Math.max(1, this.internalRf() - 1)));
    if (isKafka4(this.version)) {
      lazy('KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR', () => String(this.internalRf()));
      lazy('KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR', () => String(Math.max(1, this.internalRf() - 1)));
    }

    if (tls) {
      w.volumes.add('tls', WorkloadVolume.fromSecret(tls.secret));
      w.addMount({ volume: 'tls', mountPath: TLS_DIR, readOnly: true });
      // Names without "SSL://" keep the image's own SSL helper (which wants files in
      // /etc/kafka/secrets) out of the way: docker/resources/common-scripts/configure.
      w.addEnv('TLS_STORE_PASSWORD', kplus.EnvValue.fromSecretValue({ secret: tls.passwordSecret, key: tls.passwordKey }));
      env('KAFKA_SSL_KEYSTORE_TYPE', 'PKCS12');
      env('KAFKA_SSL_KEYSTORE_LOCATION', `${TLS_DIR}/keystore.p12`);
      env('KAFKA_SSL_KEYSTORE_PASSWORD', '$(TLS_STORE_PASSWORD)');
      env('KAFKA_SSL_TRUSTSTORE_TYPE', 'PKCS12');
      env('KAFKA_SSL_TRUSTSTORE_LOCATION', `${TLS_DIR}/truststore.p12`);
      env('KAFKA_SSL_TRUSTSTORE_PASSWORD', '$(TLS_STORE_PASSWORD)');
      // Nodes authenticate each other by certificate; clients only check the brokers'.
      env('KAFKA_LISTENER_NAME_INTERNAL_SSL_CLIENT_AUTH', 'required');
      env('KAFKA_LISTENER_NAME_CONTROLLER_SSL_CLIENT_AUTH', 'required');
    }
    if (sasl && pool.isBroker) {
      // Passwords enter through env vars defined first, expanded by the kubelet in the JAAS line.
      const entries: string[] = [];
      this.users.forEach((u, i) => {
        w.addEnv(`SASL_PASSWORD_${i}`, kplus.EnvValue.fromSecretValue({ secret: u.passwordSecret, key: u.passwordKey ?? 'password' }));
        entries.push(`user_${u.username}="$(SASL_PASSWORD_${i})"`);
      });
      env('KAFKA_LISTENER_NAME_CLIENT_SASL_ENABLED_MECHANISMS', 'PLAIN');
      env('KAFKA_LISTENER_NAME_CLIENT_PLAIN_SASL_JAAS_CONFIG',
        `org.apache.kafka.common.security.plain.PlainLoginModule required ${entries.join(' ')};`);
    }

    for (const [k, v] of Object.entries(this.props.config ?? {})) env(propertyToEnv(k), v);

    // JVM and logging: excluded from server.properties by KafkaDockerWrapper (ExcludeServerPropsEnv
    // lists KAFKA_HEAP_OPTS and KAFKA_LOG4J_OPTS in every pinned release; the "KAFKA_HEAP_OPT" typo
    // was fixed in apache/kafka#15345, before 3.8).
    const heapMi = mebibytes(pool.heap);
    env('KAFKA_HEAP_OPTS', `-Xms${heapMi}m -Xmx${heapMi}m`);
    const log = log4jConfig(this.version);
    w.volumes.addConfigFiles('log-config', { mountPath: '/etc/kafka/log-config', files: { [log.fileName]: log.content } });
    env('KAFKA_LOG4J_OPTS', log.opts);
    // kafka-server-start.sh defaults to `-loggc` (10 × 100M files in LOG_DIR); GC logs go nowhere.
    env('EXTRA_ARGS', '-name kafkaServer');
    // kafka-run-class.sh mkdirs LOG_DIR whenever KAFKA_LOG4J_OPTS is set; its default
    // (/opt/kafka/logs) is on the read-only root.
    env('LOG_DIR', '/tmp/kafka-logs');
    // Writable paths under a read-only root: KafkaDockerWrapper writes server.properties and
    // log configs to /opt/kafka/config (docker/jvm/launch `--final-configs-dir`), the JVM /tmp.
    w.volumes.addScratch('/opt/kafka/config', { sizeLimit: Size.mebibytes(16) });
    w.volumes.addScratch('/tmp', { sizeLimit: Size.mebibytes(256) });
  }

  private votersOf(pool: KafkaNodePool): string {
    return pool.nodeIds.map((id) => `${id}@${this.hostOf(pool, id)}:${this.controllerPort}`).join(',');
  }

  private internalRf(): number {
    return Math.max(1, Math.min(3, this.brokers));
  }

  private addRackAwareness(pool: KafkaNodePool): void {
    const ra = this.props.rackAwareness!;
    const w = pool.workload;
    const ns = Chart.of(this).namespace!;
    const key = ra.topologyKey ?? 'topology.kubernetes.io/zone';
    w.volumes.add('rack', WorkloadVolume.emptyDir({ sizeLimit: Size.mebibytes(1) }));
    // The image appends env properties to /mnt/shared/config/server.properties when it exists
    // (KafkaDockerWrapper.prepareServerConfigs), so the init container writes broker.rack there.
    w.addMount({ volume: 'rack', mountPath: RACK_DIR, readOnly: true });
    const escaped = key.replace(/[.]/g, '\\.');
    w.addInitContainer({
      name: 'rack',
      image: ra.image ?? DEFAULT_RACK_IMAGE,
      command: ['sh', '-ec', [
        'SA=/var/run/secrets/kubernetes.io/serviceaccount',
        'curl -sSf --cacert $SA/ca.crt -H "Authorization: Bearer $(cat $SA/token)" \\',
        '  "https://kubernetes.default.svc/api/v1/nodes/$NODE_NAME" > /tmp/node.json',
        `RACK=$(tr -d '\\n' < /tmp/node.json | grep -o '"${escaped}": *"[^"]*"' | sed 's/.*: *"\\(.*\\)"/\\1/')`,
        `[ -n "$RACK" ] || { echo "node $NODE_NAME has no label ${key}" >&2; exit 1; }`,
        'echo "broker.rack=$RACK" > /rack/server.properties',
      ].join('\n')],
      env: { NODE_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME) },
      mounts: [{ volume: 'rack', mountPath: '/rack' }, { volume: 'rack-tmp', mountPath: '/tmp' }],
      resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(16), limit: Size.mebibytes(64) } },
    });
    w.volumes.add('rack-tmp', WorkloadVolume.emptyDir({ sizeLimit: Size.mebibytes(1) }));
    // The token is needed by the init container only; the pod-level switch is all there is.
    ApiObject.of(w.statefulSet).addJsonPatch(JsonPatch.add('/spec/template/spec/automountServiceAccountToken', true));
    this.rackBindings.push(clusterScoped(new k8s.KubeClusterRoleBinding(this, `RackBinding-${pool.node.id}`, {
      metadata: { name: `${ns}-${pool.name}-node-reader`, labels: this.clusterLabels() },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: this.rackClusterRole!.name },
      subjects: [{ kind: 'ServiceAccount', name: w.serviceAccount.name, namespace: ns }],
    })));
  }

  private pickUser(name: string | undefined): KafkaSaslUser {
    if (name === undefined) {
      if (this.users.length === 1) return this.users[0];
      throw new ValidationError(
        `bind() needs a SASL user: pass { user: '...' } with one of ${this.users.map((u) => `'${u.username}'`).join(', ')}`,
        this,
      );
    }
    const u = this.users.find((x) => x.username === name);
    if (!u) throw new ValidationError(`bind() got unknown user '${name}'; users are: ${this.users.map((x) => x.username).join(', ')}`, this);
    return u;
  }

  // ---------------------------------------------------------------- validation

  private validateProps(): void {
    const p = this.props;
    if (!isValidClusterId(this.clusterId)) {
      throw new ValidationError(
        `clusterId '${this.clusterId}' is not a Kafka cluster id: give 22 base64url characters (16 bytes), e.g. from \`kafka-storage.sh random-uuid\`, or leave it out to derive one`,
        this,
      );
    }
    if (this.clusterId === '5L6g3nShT-eMCtK--X86sw') {
      throw new ValidationError("clusterId '5L6g3nShT-eMCtK--X86sw' is the apache/kafka image's built-in default, shared by every careless cluster; leave clusterId out to derive one", this);
    }
    const ports: Array<[string, number]> = [['clientPort', this.clientPort], ['controllerPort', this.controllerPort], ['internalPort', this.internalPort]];
    for (const [k, v] of ports) {
      if (!Number.isInteger(v) || v < 1 || v > 65535) throw new ValidationError(`listeners.${k} ${v} is not a port; use 1-65535`, this);
    }
    for (let i = 0; i < ports.length; i++) {
      for (let j = i + 1; j < ports.length; j++) {
        if (ports[i][1] === ports[j][1]) {
          throw new ValidationError(`listeners.${ports[i][0]} and listeners.${ports[j][0]} are both ${ports[i][1]}; give each listener its own port`, this);
        }
      }
    }
    if (this.authentication === KafkaAuthentication.SASL_PLAIN) {
      if (!this.users.length) {
        throw new ValidationError('listeners.authentication is SASL_PLAIN but listeners.users is empty; add at least one user with a password Secret', this);
      }
      const seen = new Set<string>();
      for (const u of this.users) {
        if (!/^[A-Za-z0-9._-]+$/.test(u.username)) {
          throw new ValidationError(`SASL user name '${u.username}' may only hold letters, digits, '.', '_' and '-' (it becomes a JAAS option name)`, this);
        }
        if (seen.has(u.username)) throw new ValidationError(`SASL user '${u.username}' is listed twice; list each user once`, this);
        seen.add(u.username);
      }
      if (!this.tls) {
        Warnings.of(this).add('@cdk8s-stateful/kafka:plainWithoutTls',
          'SASL/PLAIN without TLS sends passwords in clear text over the network; set listeners.tls');
      }
    } else if (this.users.length) {
      throw new ValidationError('listeners.users is set but authentication is not SASL_PLAIN; set listeners.authentication: KafkaAuthentication.SASL_PLAIN or drop the users', this);
    }
    for (const k of Object.keys(p.config ?? {})) {
      if (MANAGED_KEYS.has(k)) {
        throw new ValidationError(`config sets '${k}', which the construct manages; use its prop (listeners, controllers, defaultReplicationFactor, minInsyncReplicas, rackAwareness...)`, this);
      }
      if (!/^[a-z0-9][a-z0-9._-]*$/.test(k)) {
        throw new ValidationError(`config key '${k}' cannot be passed to the apache/kafka image: it lower-cases KAFKA_* env names, so keys must be lower-case letters, digits, '.', '_' and '-'`, this);
      }
      // The image decodes env names lossily: it strips every "KAFKA_" (so `kafka.metrics.reporters`
      // would become `metrics.reporters`) and cannot tell `_.`/`._`/`..` apart from `-`/`_`
      // (KafkaDockerWrapper.getServerConfigsFromEnv). Only keys that survive the round trip work.
      const decoded = envToProperty(propertyToEnv(k));
      if (decoded !== k) {
        throw new ValidationError(
          `config key '${k}' cannot be passed to the apache/kafka image: its env var ${propertyToEnv(k)} is read back as '${decoded}' ` +
            "(the image strips every 'KAFKA_' and maps '_'→'.', '__'→'_', '___'→'-'), so the image cannot set this key from env vars",
          this,
        );
      }
    }
    if (p.defaultPartitions !== undefined && (!Number.isInteger(p.defaultPartitions) || p.defaultPartitions < 1)) {
      throw new ValidationError(`defaultPartitions must be a whole number ≥ 1, got ${p.defaultPartitions}`, this);
    }
    if (p.rackAwareness?.topologyKey !== undefined && !/^([a-z0-9.-]+\/)?[A-Za-z0-9._-]+$/.test(p.rackAwareness.topologyKey)) {
      throw new ValidationError(`rackAwareness.topologyKey '${p.rackAwareness.topologyKey}' is not a label key; use e.g. 'topology.kubernetes.io/zone' (the default)`, this);
    }
    if (p.rackAwareness && !Chart.of(this).namespace) {
      throw new ValidationError(
        "rackAwareness needs the chart's namespace: the ClusterRoleBinding that lets brokers read their node must name the ServiceAccount's namespace; set `namespace` on the Chart",
        this,
      );
    }
  }

  /** Relationships that depend on every pool: checked when the app synthesizes. */
  private validateRelationships(): void {
    const brokers = this.brokers;
    const rf = this.defaultReplicationFactor;
    const isr = this.minInsyncReplicas;
    if (!Number.isInteger(rf) || rf < 1) throw new ValidationError(`defaultReplicationFactor must be a whole number ≥ 1, got ${rf}`, this);
    if (rf > brokers) {
      throw new ValidationError(`defaultReplicationFactor ${rf} is more than the ${brokers} broker(s); topic creation would fail — use at most ${brokers} or add brokers`, this);
    }
    if (!Number.isInteger(isr) || isr < 1) throw new ValidationError(`minInsyncReplicas must be a whole number ≥ 1, got ${isr}`, this);
    if (rf > 1 && isr >= rf) {
      throw new ValidationError(
        `minInsyncReplicas ${isr} is not below defaultReplicationFactor ${rf}: losing one broker would stop acks=all producers; use ${rf - 1}`,
        this,
      );
    }
    if (rf === 1 && isr > 1) throw new ValidationError(`minInsyncReplicas ${isr} with replication factor 1 can never be met; use 1`, this);
    if (brokers === 1) {
      Warnings.of(this).add('@cdk8s-stateful/kafka:singleBroker', 'the cluster has a single broker: every partition has one copy and is lost with its disk; use 3 brokers for production');
    }
    for (const t of this.topics.values()) t._validate(brokers);
  }
}
