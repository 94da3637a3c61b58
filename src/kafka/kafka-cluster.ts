import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KafkaClusterProps } from './kafka-cluster-props';
import { IKafkaCluster } from './kafka-cluster-ref';
import { KafkaVersion } from './kafka-version';
import { KafkaAuthentication, KafkaBindOptions, KafkaTls } from './listeners';
import { KafkaNodePool, KafkaNodePoolOptions, KafkaNodeRole } from './node-pool';
import { authProperties } from './private/auth';
import { wireClient } from './private/bind';
import { nodeIdsProblem, replicationProblems } from './private/checks';
import { bootstrapService, checkQuorum, tlsDnsNames, validateClusterProps } from './private/cluster-checks';
import { ClusterUsers } from './private/cluster-users';
import { ExternalAccess, externalProblem } from './private/external';
import { clusterLabels } from './private/labels';
import { ListenerSecurity } from './private/listener-security';
import { log4jConfig } from './private/log-config';
import { metadataJob } from './private/metadata-job';
import { monitorKafkaPool } from './private/monitoring';
import { configureNode } from './private/node-env';
import { Rebalancer } from './private/reassign';
import { Roller, roller } from './private/roller';
import { addKeystoreReload, adminCommonName, bindKafkaTls, issueKafkaCertificates } from './private/tls';
import { topicAddProblem } from './private/topic-add';
import { constructIdProblem, deriveClusterId, mebibytes } from './private/util';
import { RackAwareness } from './rack-awareness';
import { KafkaRollout } from './rollout';
import { KafkaTopic, KafkaTopicOptions } from './topic';
import { KafkaUser, KafkaUserOptions } from './user';
import { ValidationError } from '../core/errors';
import { MonitoredWorkload } from '../core/kit/monitoring';
import { IStatefulService, ServiceEndpoint } from '../core/kit/stateful-service';
import { TlsCertificate } from '../core/kit/tls';
import { Names } from '../core/naming';
import { Warnings } from '../core/warnings';
import { Connections } from '../core/workload/connections';


/**
 * Apache Kafka in KRaft mode on plain StatefulSets, with the official `apache/kafka` image
 * and its own entrypoint: a static controller quorum, combined or dedicated controllers,
 * broker pools, listeners with TLS and SASL/PLAIN, topics as idempotent Jobs and
 * NetworkPolicies that admit only bound clients. `ApiObject.of(cluster)` is the StatefulSet
 * of the controller pool.
 */
export class KafkaCluster extends Construct implements IKafkaCluster, IStatefulService {
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
  /** The cert-manager Certificates (nodes, topic Jobs), with `KafkaTls.certManager()`. */
  public readonly tlsCertificates: TlsCertificate[] = [];
  /** The pool of the quorum's voters (the combined pool, or the dedicated controllers). */
  public readonly controllerPool: KafkaNodePool;
  /** The Service clients bootstrap from: every broker of every pool, ready ones only. */
  public readonly bootstrapService: k8s.KubeService;
  /** The ClusterRole that lets brokers read their node's labels (rack awareness only). */
  public readonly rackClusterRole?: k8s.KubeClusterRole;
  /** The Job raising `metadata.version` (`finalizeUpgrade`), named by a hash of the release. */
  public readonly metadataJob?: k8s.KubeJob;
  /** Subject CN of the nodes' certificate: the super user with SCRAM or mTLS authentication. */
  public readonly nodeCommonName: string;

  private readonly props: KafkaClusterProps;
  private readonly security: ListenerSecurity;
  /** Ingress into every broker pool's pods (pools added later included): `cluster.connections.allowFrom(peer, ['client'])`. */
  public readonly connections: Connections;
  private readonly pools: KafkaNodePool[] = [];
  private readonly monitors: MonitoredWorkload[] = [];
  private readonly topics = new Map<string, KafkaTopic>();
  private readonly rack?: RackAwareness;
  /** NetworkPolicy peers of bound clients (pools added later admit them too). */
  private readonly bound: kplus.INetworkPolicyPeer[] = [];
  private readonly bindings: kplus.Workload[] = [];
  private readonly userSet: ClusterUsers;
  private rollerObjects?: Roller;
  private readonly rebalancer: Rebalancer; // issue 13 part 4: private/reassign.ts
  /** listeners.external (issue 13 part 2, private/external.ts). */
  private readonly externalAccess?: ExternalAccess;

  constructor(scope: Construct, id: string, props: KafkaClusterProps = {}) {
    super(scope, id);
    this.connections = Connections.of(this, []);
    this.props = props;
    this.name = Names.stable(this, props.name, 40);
    this.version = props.version ?? KafkaVersion.V4_1_2;
    this.image = this.version.image;
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    const l = props.listeners ?? {};
    this.clientPort = l.clientPort ?? 9092;
    this.controllerPort = l.controllerPort ?? 9093;
    this.internalPort = l.internalPort ?? 9094;
    this.authentication = l.authentication ?? KafkaAuthentication.NONE;
    this.tls = l.tls;
    if (l.tls) bindKafkaTls(this, l.tls, this.name); // TLS (issue 12): the Secrets of KafkaTls.certManager()
    this.security = new ListenerSecurity(l);
    this.nodeCommonName = l.nodeCommonName ?? `${this.name}-node`;
    // Not the construct path: moving the cluster into another chart or construct must not change it.
    this.clusterId = props.clusterId ?? deriveClusterId(`${Chart.of(this).namespace ?? ''}/${this.name}`);
    this.validateProps();
    // External access (issue 13 part 2): before the pools, which it configures.
    if (l.external) {
      const ns = Chart.of(this).namespace;
      const problem = externalProblem(l.external, { tls: !!l.tls, mode: this.authentication, ports: this.listenerPorts, namespace: ns });
      if (problem) throw new ValidationError(problem.code, problem.message, this);
      this.externalAccess = new ExternalAccess(this, l.external, this.name, clusterLabels(this.name, this.version.version), ns);
    }
    if (props.monitoring && !props.jmxExporter) {
      throw new ValidationError('KafkaMonitoringAgentMissing',
        "monitoring needs 'jmxExporter': JmxExporterAgent.fromImage('<an image you pin that contains jmx_prometheus_javaagent.jar>') (see docs/kafka.md, Monitor a cluster)", this);
    }

    const c = props.controllers;
    const first = { replicas: props.replicas ?? 3, storage: props.storage, resources: props.resources, heap: props.heap, placement: props.placement };
    if (c) {
      this.controllerPool = this.createPool('controller', { ...c, replicas: c.replicas ?? 3, roles: [KafkaNodeRole.CONTROLLER] });
      this.createPool('broker', { ...first, roles: [KafkaNodeRole.BROKER] });
    } else {
      this.controllerPool = this.createPool('combined', { ...first, name: this.name, roles: [KafkaNodeRole.BROKER, KafkaNodeRole.CONTROLLER] });
    }
    this.node.defaultChild = this.controllerPool.statefulSet;
    checkQuorum(this, this.controllerPool.replicas);
    this.bootstrapService = bootstrapService(this, this.name, this.version.version, this.clientPort);

    if (this.tls?._issuer) {
      void this.tlsDnsNames; // needs the namespace: thrown here, not at synthesis
      const labels = clusterLabels(this.name, this.version.version);
      this.tlsCertificates.push(...issueKafkaCertificates(this, this.tls, this.name, labels, () => this.tlsDnsNames, this.nodeCommonName));
    }

    if (props.rackAwareness) {
      this.rack = new RackAwareness(this, props.rackAwareness, Chart.of(this).namespace!, this.name, clusterLabels(this.name, this.version.version));
      this.rackClusterRole = this.rack.clusterRole;
      for (const p of this.brokerPools()) this.rack.addPool(p.node.id, p.name, p.workload);
    }

    this.userSet = new ClusterUsers(this, this.authentication, this.nodeCommonName);
    this.renderRoller();
    this.rebalancer = new Rebalancer(this, props.rebalance);
    this.rebalancer.render(this.pools);
    this.metadataJob = props.finalizeUpgrade ? metadataJob(this, this).job : undefined;
    this.node.addValidation({ validate: () => this.replicationProblems() });
  }

  // ---------------------------------------------------------------- public API

  /** The bootstrap Service clients connect to. */
  public get endpoint(): ServiceEndpoint {
    return { host: this.controllerPool.workload.qualify(this.bootstrapService.name), port: this.clientPort };
  }

  /** Node pools, in creation order. */
  public get nodePools(): KafkaNodePool[] {
    return [...this.pools];
  }

  /** The ClusterRoleBindings of the broker pools' ServiceAccounts (rack awareness only). */
  public get rackClusterRoleBindings(): k8s.KubeClusterRoleBinding[] {
    return [...(this.rack?.bindings ?? [])];
  }

  /** Number of brokers over all pools. */
  public get brokers(): number {
    return this.brokerPools().reduce((n, p) => n + p.replicas, 0);
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
    return `${this.controllerPool.workload.qualify(this.bootstrapService.name)}:${this.clientPort}`;
  }

  /** The security protocol clients use on the client listener. */
  public get clientProtocol(): string {
    return this.security.clientProtocol;
  }

  /** The security protocol of the INTERNAL and CONTROLLER listeners (`SSL` with TLS, else `PLAINTEXT`). */
  public get internalProtocol(): string {
    return this.security.nodeProtocol;
  }

  /**
   * The first node of each broker pool on the internal listener: enough to bootstrap a client
   * (it learns the rest from the metadata), and unchanged when pools scale, so a Job that names it
   * keeps its (immutable) pod template.
   */
  public get internalSeedServers(): string {
    return this.brokerPools().filter((p) => p.nodeIds.length).map((p) => `${this.hostOf(p, p.nodeIds[0])}:${this.internalPort}`).join(',');
  }

  public get internalBootstrapServers(): string {
    return this.brokerPools().flatMap((p) => p.nodeIds.map((id) => `${this.hostOf(p, id)}:${this.internalPort}`)).join(',');
  }

  /**
   * DNS names the TLS certificate must cover: every pod of every pool (a wildcard per headless
   * Service) and the bootstrap Service, fully qualified. Throws when the chart has no namespace
   * (the names nodes use are then only known at run time).
   */
  public get tlsDnsNames(): string[] {
    const external = this.externalAccess?.dnsNames ?? []; // listeners.external ingress host names
    return [...tlsDnsNames(this, this.pools.map((p) => p.workload), this.controllerPool.workload.qualify(this.bootstrapService.name)), ...external];
  }

  /** The per-broker Services of `listeners.external`, in pool and node id order. */
  public get externalServices(): k8s.KubeService[] {
    return [...(this.externalAccess?.services ?? [])];
  }

  /**
   * Add a pool of brokers (its own StatefulSet, PDB and node ids). Controllers are fixed:
   * a static quorum cannot change its voters.
   */
  public addNodePool(id: string, options: KafkaNodePoolOptions = {}): KafkaNodePool {
    const roles = options.roles ?? [KafkaNodeRole.BROKER];
    if (roles.includes(KafkaNodeRole.CONTROLLER)) {
      throw new ValidationError('KafkaNodePoolControllerRole',
        `node pool '${id}' asks for the controller role; the controllers of a static KRaft quorum are fixed when the cluster is created ` +
          '(set `controllers` or `replicas` on the cluster) — add pools with roles [KafkaNodeRole.BROKER]',
        this,
      );
    }
    const pool = this.createPool(id, { ...options, roles });
    this.rack?.addPool(id, pool.name, pool.workload);
    this.renderRoller();
    this.rebalancer.render(this.pools);
    return pool;
  }

  /** The scrape objects, alert rules and dashboard of each pool, when `monitoring` is set. */
  public get monitoring(): MonitoredWorkload[] {
    return [...this.monitors];
  }

  /** A pool by id (`combined`, `controller`, `broker` or an `addNodePool` id). */
  public nodePool(id: string): KafkaNodePool {
    const p = this.pools.find((x) => x.node.id === id);
    if (!p) throw new ValidationError('KafkaNodePoolNotFound', `no node pool '${id}'; pools are: ${this.pools.map((x) => x.node.id).join(', ')}`, this);
    return p;
  }

  /**
   * Add a topic, created (and later converged) by a Job once the cluster answers. Names that
   * collide in Kafka (`a.b` and `a_b`) are rejected; the replication factor is checked against
   * the brokers of every pool when the app synthesizes, so pools may be added after topics.
   */
  public addTopic(id: string, options: KafkaTopicOptions): KafkaTopic {
    // Topics live under their own scope: a topic id may equal a pool id ('broker').
    const scope = (this.node.tryFindChild('Topics') as Construct | undefined) ?? new Construct(this, 'Topics');
    // Checked before the topic is created, so a failed add leaves no child and the id can be used again.
    const problem = topicAddProblem(id, options.name ?? id, this.topicList.map((t) => [t.node.id, t.topicName]))
      ?? KafkaTopic._problem(id, { ...options, cluster: this });
    if (problem) throw new ValidationError(problem.code, problem.message, this);
    const topic = new KafkaTopic(scope, id, { ...options, cluster: this });
    this.topics.set(id, topic);
    return topic;
  }

  /**
   * Add a user (SCRAM-SHA-512 or mTLS authentication) with its ACLs: created, changed and removed
   * at run time by the users Job, without a broker restart (docs/kafka.md, Users and ACLs).
   */
  public addUser(id: string, options: KafkaUserOptions = {}): KafkaUser {
    const user = this.userSet.add(id, options);
    if ('code' in user) throw new ValidationError(user.code, user.message, this);
    return user;
  }

  /** Users added with `addUser`, in order. */
  public get users(): KafkaUser[] {
    return this.userSet.list;
  }

  /** The Job that makes users and ACLs converge (SCRAM or mTLS), named by a hash of its spec. */
  public get usersJob(): k8s.KubeJob | undefined {
    return this.userSet.current?.job.job;
  }

  /** The CronJob re-running it every 15 minutes (password rotations). */
  public get usersCronJob(): k8s.KubeCronJob | undefined {
    return this.userSet.current?.cronJob.cronJob;
  }

  /** Topics, in the order they were added. */
  public get topicList(): KafkaTopic[] {
    return [...this.topics.values()];
  }

  /**
   * Connect a cdk8s-plus workload: env `KAFKA_BOOTSTRAP_SERVERS` (and `KAFKA_SECURITY_PROTOCOL`,
   * SASL credentials and the CA when on) in every container, and a NetworkPolicy rule
   * letting its pods reach the client port. A client in the cluster's namespace gets the
   * bootstrap Service's short name (portable under a kustomize `namespace:`); one in another
   * namespace gets the qualified name, a rule naming its namespace, and needs
   * `clientSecrets` there when the cluster uses SASL or TLS. Both charts need a namespace
   * unless neither has one (then they are taken to share one).
   */
  public bind(workload: kplus.Workload, options: KafkaBindOptions = {}): void {
    if (this.bindings.includes(workload)) {
      throw new ValidationError('KafkaBindDuplicate', `workload '${workload.node.path}' is bound to this cluster already; bind it once`, this);
    }
    const bound = this.userSet.bindUser(options.user, this.security);
    if ('code' in bound) {
      const problem = bound;
      throw new ValidationError(problem.code, problem.message, this);
    }
    const taken = workload.containers.find((c) => 'KAFKA_BOOTSTRAP_SERVERS' in c.env.variables);
    if (taken) {
      throw new ValidationError('KafkaBindEnvConflict',
        `container '${taken.name}' of workload '${workload.node.path}' has KAFKA_BOOTSTRAP_SERVERS already (bound to another Kafka cluster, or set by hand); ` +
          'binding would overwrite it: bind one cluster per workload, and give a second one its settings by hand', this);
    }
    const plan = wireClient({
      workload,
      clusterId: this.node.id,
      clusterName: this.name,
      clusterNamespace: Chart.of(this).namespace,
      user: bound.sasl,
      certificate: bound.certificate,
      tls: this.tls,
      secrets: options.clientSecrets ?? {},
      localBootstrap: `${this.bootstrapService.name}:${this.clientPort}`,
      bootstrapServers: this.bootstrapServers,
      protocol: this.clientProtocol,
    });
    if ('code' in plan) {
      const problem = plan;
      throw new ValidationError(problem.code, problem.message, this);
    }
    // The same namespace: a bare pod selector (it follows a kustomize `namespace:`); another
    // namespace: named, since a bare pod selector only matches the cluster's own.
    const peer = kplus.Pods.select(workload, `${this.node.id}-kafka-peer`, {
      labels: workload.matchLabels,
      namespaces: plan.sameNamespace ? undefined : kplus.Namespaces.select(workload, `${this.node.id}-kafka-peer-ns`, { names: [plan.clientNamespace!] }),
    });
    this.bound.push(peer);
    this.bindings.push(workload);
    for (const p of this.brokerPools()) p.workload.connections.allowFrom(peer, ['client']);
  }

  /** The roller Job (KafkaRollout.safe), named by a hash of every pool's pod template. */
  public get rollerJob(): k8s.KubeJob | undefined {
    return this.rollerObjects?.job.job;
  }

  /**
   * Move every partition replica off these broker ids (a Job reassigning them to the other brokers),
   * the first step of a broker scale-in: deploy, wait for the Job, then lower the pool's replicas and
   * remove this call (docs/kafka.md, "Scale brokers and controllers"). Ids must be the highest of their pool.
   */
  public drainBrokers(ids: number[]): void {
    const rf = Math.max(this.defaultReplicationFactor, ...this.topicList.map((t) => t.replicationFactor));
    const problem = this.rebalancer.drain(ids, this.pools, rf);
    if (problem) throw new ValidationError(problem.code, problem.message, this);
  }

  /** The reassignment Job (`rebalance`, `drainBrokers`), named by a hash of the broker id set. */
  public get rebalanceJob(): k8s.KubeJob | undefined {
    return this.rebalancer.job?.job;
  }

  // ---------------------------------------------------------------- wiring

  private get rollout(): KafkaRollout {
    return this.props.rollout ?? KafkaRollout.safe();
  }

  /** Again after each pool: the Job's name hashes every template (the replication factors in them change too). */
  private renderRoller(): void {
    if (!this.rollout.usesRoller) return;
    this.node.tryRemoveChild('Roller');
    this.rollerObjects = roller(new Construct(this, 'Roller'), this, this.pools, this.rollout);
  }

  private brokerPools(): KafkaNodePool[] {
    return this.pools.filter((p) => p.isBroker);
  }

  /** Checks the id and node ids first, so a failed add leaves nothing behind and the id can be used again. */
  private createPool(id: string, options: KafkaNodePoolOptions): KafkaNodePool {
    const bad = constructIdProblem('node pool', id);
    if (bad) throw new ValidationError('KafkaNodePoolIdInvalid', bad, this);
    if (this.node.tryFindChild(id)) {
      throw new ValidationError('KafkaNodePoolIdDuplicate', `a node pool with id '${id}' exists already; give each pool its own id`, this);
    }
    const firstNodeId = options.firstNodeId ?? this.pools.length * 100;
    const pool = KafkaNodePool._create(this, id, this, { ...options, firstNodeId }, this.props.networkPolicy, this.rollout.usesRoller);
    const overlap = nodeIdsProblem(id, pool.nodeIds, this.pools.map((p) => [p.node.id, p.nodeIds]));
    if (overlap) {
      this.node.tryRemoveChild(id);
      throw new ValidationError(overlap.code, overlap.message, this);
    }
    this.pools.push(pool);
    // Clients talk to brokers; a controller-only pool has no client port.
    if (pool.isBroker) this.connections.addTarget(pool.workload);
    this.configurePool(pool);
    return pool;
  }

  /**
   * Stable DNS name of a node, its namespace taken from the pod's env at run time (never the
   * chart's): a kustomize `namespace:` overlay moves the pods, and the names follow.
   */
  private hostOf(pool: KafkaNodePool, nodeId: number): string {
    const w = pool.workload;
    return w.runtimeDnsName(w.podName(nodeId));
  }

  private configurePool(pool: KafkaNodePool): void {
    const w = pool.workload;
    const mon = this.props.monitoring;
    if (mon) {
      this.monitors.push(monitorKafkaPool(mon, this.props.jmxExporter!, { workload: w, broker: pool.isBroker, controller: pool.isController }));
    }
    const tls = this.tls;
    // Clients bound before the pool was added reach it too.
    if (pool.isBroker) for (const b of this.bound) w.connections.allowFrom(b, ['client']);

    const log = log4jConfig(this.version.major);
    const voterPool = (this.controllerPool as KafkaNodePool | undefined) ?? pool; // the first pool is the voters' pool itself
    configureNode(w, {
      broker: pool.isBroker,
      controller: pool.isController,
      clusterId: this.clusterId,
      clientPort: this.clientPort,
      internalPort: this.internalPort,
      controllerPort: this.controllerPort,
      advertisedHost: pool.isBroker ? w.runtimeDnsName() : undefined,
      clientProtocol: this.clientProtocol,
      nodeProtocol: this.internalProtocol,
      voters: voterPool.nodeIds.map((id) => `${id}@${this.hostOf(voterPool, id)}:${this.controllerPort}`).join(','),
      kafka4: this.version.major >= 4,
      defaultReplicationFactor: () => this.defaultReplicationFactor,
      minInsyncReplicas: () => this.minInsyncReplicas,
      internalReplicationFactor: () => Math.max(1, Math.min(3, this.brokers)),
      defaultPartitions: this.defaultPartitions,
      autoCreateTopics: this.props.autoCreateTopics ?? false,
      tlsPassword: tls ? { secret: tls.passwordSecret, key: tls.passwordKey } : undefined,
      saslUsers: this.security.nodeUsers(pool.isBroker),
      authProperties: authProperties(this.authentication, this.nodeCommonName, pool.isBroker, adminCommonName(this.name)),
      config: this.props.config ?? {},
      secretConfig: this.props.secretConfig ?? {},
      heapMi: mebibytes(pool.heap),
      log4jOpts: log.opts,
      external: pool.isBroker ? this.externalAccess?.nodeInput(this.authentication) : undefined,
    }, log, tls?.secret);
    if (pool.isBroker) this.externalAccess?.addPool(pool.node.id, w, pool.nodeIds);
    // TLS (issue 12): brokers load a renewed keystore without a restart (private/tls.ts).
    if (tls && pool.isBroker) {
      const password = { secret: tls.passwordSecret, key: tls.passwordKey };
      addKeystoreReload(w, { image: this.image, internalPort: this.internalPort, password, external: !!this.externalAccess });
    }
  }

  // ---------------------------------------------------------------- validation

  private get listenerPorts(): Array<[string, number]> {
    return [['clientPort', this.clientPort], ['controllerPort', this.controllerPort], ['internalPort', this.internalPort]];
  }

  private validateProps(): void {
    validateClusterProps(this, this.props, {
      version: this.version.version,
      clusterId: this.clusterId,
      ports: this.listenerPorts,
      security: this.security.problem,
    });
  }

  /** Relationships that depend on every pool: checked when the app synthesizes. */
  private replicationProblems(): string[] {
    const problems = replicationProblems(this.brokers, this.defaultReplicationFactor, this.minInsyncReplicas);
    if (!problems.length && this.brokers === 1) {
      Warnings.of(this).add('@cdk8s-stateful/kafka:singleBroker', 'the cluster has a single broker: every partition has one copy and is lost with its disk; use 3 brokers for production');
    }
    return problems;
  }
}
