import { Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KafkaAcl, KafkaAclOperation, KafkaAclPatternType } from './acl';
import { KafkaEndpoint } from './kafka-endpoint';
import { KafkaVersion } from './kafka-version';
import { KafkaAuthentication, KafkaTls } from './listeners';
import { CONFIG_DIR, connectContainer, connectVolumes, heapOf, KAFKA_UID } from './private/connect-pod';
import { admitOnCluster, clientWiring, ClientWiring, namespaceProblem, propertiesFile } from './private/endpoint-client';
import { KafkaTopic } from './topic';
import { KafkaUser } from './user';
import { ValidationError } from '../core/errors';
import { RecommendedLabels } from '../core/labels';
import { Names, shortHash } from '../core/naming';
import { registerObjects } from '../core/registry';
import { Warnings } from '../core/warnings';
import { Connections } from '../core/workload/connections';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../core/workload/private/security';

/** Where the plugin images' files are copied; the worker's `plugin.path`. */
const PLUGIN_DIR = '/opt/kafka/connect-plugins';
const REST_PORT = 8083;

/**
 * Connector plugins, copied by an init container from an image you build (e.g. `FROM busybox`
 * plus the plugin directories): its `cp` copies `path`'s contents into the worker's `plugin.path`,
 * where each subdirectory (or uber-jar) is one plugin. It runs as uid 1000: the files must be
 * world-readable.
 */
export class KafkaConnectPlugins {
  /**
   * @param image pinned image holding the plugins and a `cp` (busybox, coreutils)
   * @param path directory in the image whose contents are copied, e.g. '/plugins'
   */
  public static fromImage(image: string, path: string): KafkaConnectPlugins {
    return new KafkaConnectPlugins(image, path);
  }

  private constructor(
    /** The image. */
    public readonly image: string,
    /** The directory copied. */
    public readonly path: string,
  ) {}
}

/** Props of a KafkaConnect cluster of workers. */
export interface KafkaConnectProps {
  /** The Kafka cluster the workers store their state in and connectors use. */
  readonly cluster: KafkaEndpoint;
  /** Name of every object, and the default `group.id` and topic prefix. @default - derived from the construct path */
  readonly name?: string;
  /** Workers (a Deployment: they keep no state on disk). At least 2 for availability. @default 2 */
  readonly replicas?: number;
  /** The Kafka release of the workers' image. @default - the KafkaCluster's, else KafkaVersion.V4_1_2 */
  readonly version?: KafkaVersion;
  /** `group.id` of the workers. @default - the name */
  readonly groupId?: string;
  /**
   * Replication factor of the three internal topics (`*.storage.replication.factor`).
   * @default - 3, or the brokers of a smaller KafkaCluster
   */
  readonly replicationFactor?: number;
  /** Plugins copied into `plugin.path` by init containers. @default - none (the image's built-in connectors: MirrorMaker, FileStream) */
  readonly plugins?: KafkaConnectPlugins[];
  /** `key.converter`. @default 'org.apache.kafka.connect.json.JsonConverter' */
  readonly keyConverter?: string;
  /** `value.converter`. @default 'org.apache.kafka.connect.json.JsonConverter' */
  readonly valueConverter?: string;
  /** More worker properties (`key.converter.schemas.enable`, ...); they may not override the ones the construct sets. @default - none */
  readonly config?: { [key: string]: string };
  /**
   * mTLS clusters: the workers' client certificate (a PKCS#12 keystore whose subject CN is the
   * name), for the user `<name>` the construct creates with the workers' ACLs.
   * @default - none: on an mTLS KafkaCluster name a user with `KafkaEndpoint.fromCluster(cluster, { user })`
   */
  readonly certificate?: KafkaTls;
  /** Resources of each worker; the heap is half the memory limit. @default - 500m CPU and 1 GiB requested, 1 GiB limit */
  readonly resources?: kplus.ContainerResources;
}

const OWNED = ['bootstrap.servers', 'group.id', 'plugin.path', 'listeners', 'rest.advertised.host.name', 'rest.advertised.port', 'rest.advertised.listener'];

/**
 * Kafka Connect in distributed mode (`connect-distributed.sh` of the apache/kafka image): a
 * Deployment of workers that share their connectors and tasks through the three internal topics,
 * a REST API Service on 8083, a PodDisruptionBudget, and a NetworkPolicy. With a `KafkaCluster`
 * the internal topics are created by its topic Jobs (compacted, as Connect requires) and, when
 * the cluster authenticates clients, a user `<name>` gets the ACLs the workers need.
 * See docs/kafka.md, "Run Kafka Connect".
 */
export class KafkaConnect extends Construct {
  /** The name of every object. */
  public readonly name: string;
  /** `group.id`. */
  public readonly groupId: string;
  /** `config.storage.topic`: `<name>-configs` (one partition, compacted). */
  public readonly configTopic: string;
  /** `offset.storage.topic`: `<name>-offsets` (compacted). */
  public readonly offsetTopic: string;
  /** `status.storage.topic`: `<name>-status` (compacted). */
  public readonly statusTopic: string;
  /** Prefix of topic and group names the worker user may use for connectors (`<name>-`). */
  public readonly connectorPrefix: string;
  /** The worker properties (secrets as @@ENV@@ placeholders, filled in at start). */
  public readonly workerProperties: string;
  /** The ConfigMap with `connect-distributed.properties`. */
  public readonly configMap: k8s.KubeConfigMap;
  /** The workers' Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** The REST API Service (port 8083). */
  public readonly service: k8s.KubeService;
  /** At most one worker down by a voluntary disruption. */
  public readonly podDisruptionBudget: k8s.KubePodDisruptionBudget;
  /** Ingress into the workers: the REST port, from the workers and from `connections` peers. */
  public readonly networkPolicy: k8s.KubeNetworkPolicy;
  /** Ingress into the workers' REST API: `connect.connections.allowFrom(peer, ['rest'])`. */
  public readonly connections: Connections;
  /** The internal topics' Jobs (KafkaCluster only). */
  public readonly topics: KafkaTopic[] = [];
  /** The workers' user (a KafkaCluster that authenticates clients, when no user is named). */
  public readonly user?: KafkaUser;

  constructor(scope: Construct, id: string, props: KafkaConnectProps) {
    super(scope, id);
    const cluster = props.cluster._cluster;
    this.name = Names.stable(this, props.name, 52);
    const replicas = props.replicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 100) {
      throw new ValidationError('KafkaConnectReplicasInvalid', `KafkaConnect '${this.name}': replicas must be a whole number from 1 to 100 (2 or more for availability), got ${replicas}`, this);
    }
    const rf = props.replicationFactor ?? (cluster ? Math.min(3, cluster.brokers) : 3);
    if (!Number.isInteger(rf) || rf < 1 || (cluster && rf > cluster.brokers)) {
      throw new ValidationError('KafkaConnectReplicationFactorInvalid',
        `KafkaConnect '${this.name}': replicationFactor must be a whole number from 1 to the cluster's brokers${cluster ? ` (${cluster.brokers})` : ''}, got ${rf}`, this);
    }
    const clash = Object.keys(props.config ?? {}).find((k) => OWNED.includes(k) || k.endsWith('.storage.topic') || k.endsWith('.storage.replication.factor')
      || /^(producer\.|consumer\.|admin\.)?(security\.|sasl\.|ssl\.)/.test(k));
    if (clash) {
      throw new ValidationError('KafkaConnectConfigReserved',
        `KafkaConnect '${this.name}': config '${clash}' is set by the construct (cluster wiring, REST, internal topics); use the matching prop (cluster, groupId, replicationFactor)`, this);
    }
    const resources = props.resources ?? {
      cpu: { request: kplus.Cpu.millis(500) }, memory: { request: Size.gibibytes(1), limit: Size.gibibytes(1) },
    };
    const limitMi = resources.memory?.limit?.toMebibytes();
    if (limitMi !== undefined && limitMi < 512) {
      throw new ValidationError('KafkaConnectMemoryTooSmall',
        `KafkaConnect '${this.name}': the memory limit is ${limitMi} MiB; the JVM needs at least 512 MiB (half of it heap, the rest metaspace, buffers and /tmp)`, this);
    }
    this.groupId = props.groupId ?? this.name;
    this.configTopic = `${this.name}-configs`;
    this.offsetTopic = `${this.name}-offsets`;
    this.statusTopic = `${this.name}-status`;
    this.connectorPrefix = `${this.name}-`;
    const version = props.version ?? cluster?.version ?? KafkaVersion.V4_1_2;
    const labels = new RecommendedLabels({ appName: 'kafka-connect', instance: this.name, component: 'connect', version: version.version, partOf: this.name });

    const misplaced = namespaceProblem({ endpoint: props.cluster, scope: this, what: `KafkaConnect '${this.name}'`, side: 'KAFKA' });
    if (misplaced) {
      // Before the topics and the user are added to the cluster.
      const problem = misplaced;
      throw new ValidationError(problem.code, problem.message, this);
    }
    if (cluster) {
      // Connect's requirement: the three topics compacted; config has exactly one partition.
      // https://kafka.apache.org/documentation/#connect_running ("Kafka Connect ... topics ... compaction")
      const compact = { 'cleanup.policy': 'compact' };
      this.topics.push(
        cluster.addTopic(`${id}-configs`, { name: this.configTopic, partitions: 1, replicationFactor: rf, config: compact }),
        cluster.addTopic(`${id}-offsets`, { name: this.offsetTopic, partitions: 25, replicationFactor: rf, config: compact }),
        cluster.addTopic(`${id}-status`, { name: this.statusTopic, partitions: 5, replicationFactor: rf, config: compact }),
      );
      const auth = cluster.authentication;
      if (!props.cluster._user && auth === KafkaAuthentication.SCRAM_SHA_512) {
        this.user = cluster.addUser(this.name, { acls: this.acls() });
      } else if (!props.cluster._user && auth === KafkaAuthentication.MTLS && props.certificate) {
        this.user = cluster.addUser(this.name, { acls: this.acls(), certificate: props.certificate });
      }
    }
    const wired = clientWiring({ endpoint: props.cluster, scope: this, what: `KafkaConnect '${this.name}'`, side: 'KAFKA', ownUser: this.user });
    if ('code' in wired) {
      const problem = wired;
      throw new ValidationError(problem.code, problem.message, this);
    }
    const side = wired;

    this.workerProperties = this.render(props, side, rf);
    const file = 'connect-distributed.properties';
    this.configMap = new k8s.KubeConfigMap(this, 'Config', { metadata: { name: this.name, labels: labels.stable }, data: { [file]: this.workerProperties } });

    // GET /health (KIP-1017, Kafka 3.9+) answers 200 once the worker has joined the group; older releases: GET /.
    const health = version.major > 3 || /^3\.9\./.test(version.version) ? '/health' : '/';
    const probe = (failureThreshold: number, initialDelaySeconds: number): k8s.Probe => ({
      httpGet: { path: health, port: k8s.IntOrString.fromString('rest') }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold, initialDelaySeconds,
    });
    const pluginMounts = props.plugins?.length ? [{ name: 'plugins', mountPath: PLUGIN_DIR, readOnly: true }] : [];
    const worker = connectContainer({
      name: 'connect',
      image: version.image,
      file,
      start: 'connect-distributed.sh',
      sides: [side],
      heapMi: heapOf(resources, 512),
      resources,
      extraEnv: { POD_IP: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_IP) },
      extraMounts: pluginMounts,
      ports: [{ name: 'rest', containerPort: REST_PORT }],
      readinessProbe: probe(3, 10),
      livenessProbe: probe(6, 60),
    });
    const initContainers: k8s.Container[] = (props.plugins ?? []).map((p, n) => ({
      name: `plugins-${n}`,
      image: p.image,
      imagePullPolicy: 'IfNotPresent',
      command: ['cp', '-R', `${p.path.replace(/\/+$/, '')}/.`, `${PLUGIN_DIR}/`],
      resources: { requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') }, limits: { memory: k8s.Quantity.fromString('128Mi') } },
      securityContext: restrictedContainerSecurity(),
      volumeMounts: [{ name: 'plugins', mountPath: PLUGIN_DIR }],
    }));
    const volumes = connectVolumes(this.name, [side]);
    if (props.plugins?.length) volumes.push({ name: 'plugins', emptyDir: { sizeLimit: k8s.Quantity.fromString('2Gi') } });

    // A Deployment: a worker keeps nothing on disk (connectors, offsets and status are in the
    // three topics), so any pod can replace any other and no stable identity is needed.
    this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: this.name, labels: labels.stable },
      spec: {
        replicas,
        selector: { matchLabels: labels.selector },
        // One worker at a time, the new one ready first: each change is one group rebalance.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: {
          metadata: { labels: labels.stable, annotations: { 'checksum/config': shortHash(this.workerProperties, 16) } },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurity(KAFKA_UID, KAFKA_UID, KAFKA_UID),
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [{
                  weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels.selector } },
                }],
              },
            },
            initContainers: initContainers.length ? initContainers : undefined,
            containers: [worker],
            volumes,
          },
        },
      },
    });
    this.node.defaultChild = this.deployment;
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name: this.name, labels: labels.stable },
      spec: { selector: labels.selector, ports: [{ name: 'rest', port: REST_PORT, targetPort: k8s.IntOrString.fromString('rest') }] },
    });
    this.podDisruptionBudget = new k8s.KubePodDisruptionBudget(this, 'Pdb', {
      metadata: { name: this.name, labels: labels.stable },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: labels.selector } },
    });
    this.connections = new Connections(this, labels.selector, [{ name: 'rest', port: REST_PORT }]);
    // Workers forward REST requests to the leader at its advertised address (the pod IP).
    this.connections.allowFromLabels(labels.selector, ['rest']);
    this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: { name: this.name, labels: labels.stable },
      spec: Lazy.any({ produce: () => this.connections._toKube() }),
    });
    admitOnCluster(props.cluster, this, 'kafka-peer', labels.selector);
    registerObjects(this, this.configMap, this.deployment, this.service, this.podDisruptionBudget, this.networkPolicy);
    if (replicas === 1) {
      Warnings.of(this).add('@cdk8s-stateful/kafka:singleConnectWorker',
        `KafkaConnect '${this.name}': replicas is 1: a node drain or a restart stops every connector until the pod is back; use at least 2`);
    }
  }

  /**
   * What the workers need (Kafka docs, "Kafka Connect ... ACL requirements": group, internal
   * topics; connectors' own topics and groups under `<name>-`; source connectors create topics).
   */
  private acls() {
    const P = KafkaAclPatternType.PREFIXED;
    return [
      KafkaAcl.group(this.groupId).allow(KafkaAclOperation.READ, KafkaAclOperation.DESCRIBE),
      ...[this.configTopic, this.offsetTopic, this.statusTopic].map((t) => KafkaAcl.topic(t).allow(
        KafkaAclOperation.READ, KafkaAclOperation.WRITE, KafkaAclOperation.DESCRIBE, KafkaAclOperation.DESCRIBE_CONFIGS)),
      KafkaAcl.topic(this.connectorPrefix, P).allow(
        KafkaAclOperation.READ, KafkaAclOperation.WRITE, KafkaAclOperation.DESCRIBE, KafkaAclOperation.CREATE),
      // Sink connectors' consumer groups are `connect-<connector>`.
      KafkaAcl.group(`connect-${this.connectorPrefix}`, P).allow(KafkaAclOperation.READ, KafkaAclOperation.DESCRIBE),
      KafkaAcl.cluster().allow(KafkaAclOperation.DESCRIBE, KafkaAclOperation.DESCRIBE_CONFIGS),
    ];
  }

  private render(props: KafkaConnectProps, side: ClientWiring, rf: number): string {
    const json = 'org.apache.kafka.connect.json.JsonConverter';
    const props2: Array<[string, string]> = [
      ...side.props,
      // The connectors' clients do not inherit the worker's security settings: repeat them.
      ...['producer.', 'consumer.', 'admin.'].flatMap((p) => side.props.filter(([k]) => k !== 'bootstrap.servers').map(([k, v]): [string, string] => [`${p}${k}`, v])),
      ['group.id', this.groupId],
      ['config.storage.topic', this.configTopic],
      ['offset.storage.topic', this.offsetTopic],
      ['status.storage.topic', this.statusTopic],
      ['config.storage.replication.factor', String(rf)],
      ['offset.storage.replication.factor', String(rf)],
      ['status.storage.replication.factor', String(rf)],
      ['key.converter', props.keyConverter ?? json],
      ['value.converter', props.valueConverter ?? json],
      ['plugin.path', PLUGIN_DIR],
      ['listeners', `http://0.0.0.0:${REST_PORT}`],
      ['rest.advertised.host.name', '@@POD_IP@@'],
      ['rest.advertised.port', String(REST_PORT)],
      ['rest.advertised.listener', 'http'],
      ...Object.keys(props.config ?? {}).sort().map((k): [string, string] => [k, props.config![k]]),
    ];
    return propertiesFile([`Kafka Connect worker '${this.name}', rendered by cdk8s-stateful; placeholders between @@ pairs are filled from env at start (assets/connect-config.sh).`,
      `Mounted at ${CONFIG_DIR}.`], props2);
  }
}
