// Pure checks of the Kafka props: each returns the first problem (a stable code and the message)
// or undefined; the constructs throw them as ValidationErrors scoped to themselves.
import { envToProperty, isValidClusterId, MAX_TOPIC_NAME, propertyToEnv, TOPIC_NAME } from './util';
import { isConfigKey } from '../../core/api-rules';
import { isDns1123Subdomain } from '../../core/naming';

/** A problem with props: a stable code (see docs/errors.md) and what to do. */
export interface Problem {
  readonly code: string;
  readonly message: string;
}

const problem = (code: string, message: string): Problem => ({ code, message });

/** The apache/kafka image's built-in cluster id (docker/resources/common-scripts/configureDefaults). */
const IMAGE_DEFAULT_CLUSTER_ID = '5L6g3nShT-eMCtK--X86sw';

/** Properties set from props or derived; `config` may not set them. */
export const MANAGED_KEYS: ReadonlySet<string> = new Set([
  'node.id', 'process.roles', 'listeners', 'advertised.listeners', 'listener.security.protocol.map',
  'controller.listener.names', 'inter.broker.listener.name', 'controller.quorum.voters', 'controller.quorum.bootstrap.servers',
  'log.dirs', 'metadata.log.dir', 'broker.rack', 'default.replication.factor', 'min.insync.replicas', 'num.partitions',
  'auto.create.topics.enable', 'offsets.topic.replication.factor', 'transaction.state.log.replication.factor',
  'transaction.state.log.min.isr', 'share.coordinator.state.topic.replication.factor', 'share.coordinator.state.topic.min.isr',
]);

/** A release the apache/kafka image is published for: x.y.z (optionally -suffix), 3.7.0 or later. */
export function versionProblem(version: string): Problem | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)(-[A-Za-z0-9.]+)?$/.exec(version);
  if (!m || Number(m[1]) < 3 || (Number(m[1]) === 3 && Number(m[2]) < 7)) {
    return problem('KafkaVersionInvalid',
      `version '${version}' is not a release the apache/kafka image is published for: give major.minor.patch, 3.7.0 or later (e.g. KafkaVersion.of('4.1.2'))`);
  }
  return undefined;
}

export function clusterIdProblem(id: string): Problem | undefined {
  if (!isValidClusterId(id)) {
    return problem('KafkaClusterIdInvalid',
      `clusterId '${id}' is not a Kafka cluster id: give 22 base64url characters (16 bytes), e.g. from \`kafka-storage.sh random-uuid\`, or leave it out to derive one`);
  }
  if (id === IMAGE_DEFAULT_CLUSTER_ID) {
    return problem('KafkaClusterIdImageDefault',
      `clusterId '${IMAGE_DEFAULT_CLUSTER_ID}' is the apache/kafka image's built-in default, shared by every careless cluster; leave clusterId out to derive one`);
  }
  return undefined;
}

/** Ports by their prop name, e.g. `[['clientPort', 9092], ...]`: in range and distinct. */
export function portsProblem(ports: Array<[string, number]>): Problem | undefined {
  for (const [k, v] of ports) {
    if (!Number.isInteger(v) || v < 1 || v > 65535) return problem('KafkaPortInvalid', `listeners.${k} ${v} is not a port; use 1-65535`);
  }
  for (let i = 0; i < ports.length; i++) {
    for (let j = i + 1; j < ports.length; j++) {
      if (ports[i][1] === ports[j][1]) {
        return problem('KafkaPortConflict', `listeners.${ports[i][0]} and listeners.${ports[j][0]} are both ${ports[i][1]}; give each listener its own port`);
      }
    }
  }
  return undefined;
}

/** SASL users: present exactly when SASL is on, valid names, each once. */
export function usersProblem(sasl: boolean, usernames: string[]): Problem | undefined {
  if (!sasl) {
    return usernames.length
      ? problem('KafkaUsersWithoutSasl',
        'listeners.users is set but authentication is not SASL_PLAIN; set listeners.authentication: KafkaAuthentication.SASL_PLAIN or drop the users')
      : undefined;
  }
  if (!usernames.length) {
    return problem('KafkaSaslUsersMissing', 'listeners.authentication is SASL_PLAIN but listeners.users is empty; add at least one user with a password Secret');
  }
  const seen = new Set<string>();
  for (const u of usernames) {
    if (!/^[A-Za-z0-9._-]+$/.test(u)) {
      return problem('KafkaSaslUserNameInvalid', `SASL user name '${u}' may only hold letters, digits, '.', '_' and '-' (it becomes a JAAS option name)`);
    }
    if (seen.has(u)) return problem('KafkaSaslUserDuplicate', `SASL user '${u}' is listed twice; list each user once`);
    seen.add(u);
  }
  return undefined;
}

/** A broker property from `config`: not managed, and passable through the image's env mapping. */
export function configKeyProblem(k: string): Problem | undefined {
  if (MANAGED_KEYS.has(k)) {
    return problem('KafkaConfigKeyManaged',
      `config sets '${k}', which the construct manages; use its prop (listeners, controllers, defaultReplicationFactor, minInsyncReplicas, rackAwareness...)`);
  }
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(k)) {
    return problem('KafkaConfigKeyInvalid',
      `config key '${k}' cannot be passed to the apache/kafka image: it lower-cases KAFKA_* env names, so keys must be lower-case letters, digits, '.', '_' and '-'`);
  }
  // The image decodes env names lossily: it strips every "KAFKA_" (so `kafka.metrics.reporters`
  // would become `metrics.reporters`) and cannot tell `_.`/`._`/`..` apart from `-`/`_`
  // (KafkaDockerWrapper.getServerConfigsFromEnv). Only keys that survive the round trip work.
  const decoded = envToProperty(propertyToEnv(k));
  if (decoded !== k) {
    return problem('KafkaConfigKeyNotRoundTrip',
      `config key '${k}' cannot be passed to the apache/kafka image: its env var ${propertyToEnv(k)} is read back as '${decoded}' ` +
        "(the image strips every 'KAFKA_' and maps '_'→'.', '__'→'_', '___'→'-'), so the image cannot set this key from env vars");
  }
  return undefined;
}

export function defaultPartitionsProblem(n: number | undefined): Problem | undefined {
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
    return problem('KafkaDefaultPartitionsInvalid', `defaultPartitions must be a whole number ≥ 1, got ${n}`);
  }
  return undefined;
}

export function topologyKeyProblem(key: string | undefined): Problem | undefined {
  if (key !== undefined && !/^([a-z0-9.-]+\/)?[A-Za-z0-9._-]+$/.test(key)) {
    return problem('KafkaTopologyKeyInvalid', `rackAwareness.topologyKey '${key}' is not a label key; use e.g. 'topology.kubernetes.io/zone' (the default)`);
  }
  return undefined;
}

export function rackNamespaceProblem(rackAwareness: boolean, namespace: string | undefined): Problem | undefined {
  if (rackAwareness && !namespace) {
    return problem('KafkaRackAwarenessNeedsNamespace',
      "rackAwareness needs the chart's namespace: the ClusterRoleBinding that lets brokers read their node must name the ServiceAccount's namespace; set `namespace` on the Chart");
  }
  return undefined;
}

/** What a node pool is given, after defaults. */
export interface PoolNumbers {
  readonly roles: string[];
  readonly replicas: number;
  readonly firstNodeId: number;
  readonly heapMi: number;
  readonly memoryLimitMi?: number;
}

export function poolProblem(p: PoolNumbers): Problem | undefined {
  if (!p.roles.length) return problem('KafkaNodePoolRolesEmpty', 'roles must not be empty; use [KafkaNodeRole.BROKER]');
  if (!Number.isInteger(p.replicas) || p.replicas < 1) {
    return problem('KafkaNodePoolReplicasInvalid', `replicas must be a whole number ≥ 1, got ${p.replicas}`);
  }
  if (!Number.isInteger(p.firstNodeId) || p.firstNodeId < 0) {
    return problem('KafkaNodePoolFirstNodeIdInvalid', `firstNodeId must be a whole number ≥ 0, got ${p.firstNodeId}`);
  }
  if (p.memoryLimitMi !== undefined && p.heapMi >= p.memoryLimitMi) {
    return problem('KafkaHeapNotBelowLimit',
      `heap ${p.heapMi}Mi is not below the memory limit ${p.memoryLimitMi}Mi: the JVM also needs metaspace, ` +
        'thread stacks and direct buffers, and Kafka needs page cache; use at most half the limit, or raise resources.memory.limit');
  }
  if (p.heapMi < 128) return problem('KafkaHeapTooSmall', `heap ${p.heapMi}Mi is too small for Kafka; give at least Size.mebibytes(256)`);
  return undefined;
}

/** Node ids of a new pool against those of the existing pools (`[id, nodeIds]`, in creation order). */
export function nodeIdsProblem(id: string, ids: number[], pools: Array<[string, number[]]>): Problem | undefined {
  for (const [other, b] of pools) {
    if (ids[0] <= b[b.length - 1] && b[0] <= ids[ids.length - 1]) {
      const next = Math.ceil((Math.max(...pools.flatMap(([, x]) => x)) + 1) / 100) * 100;
      return problem('KafkaNodeIdsOverlap',
        `node ids ${ids[0]}-${ids[ids.length - 1]} of pool '${id}' overlap ids ${b[0]}-${b[b.length - 1]} of pool '${other}'; set firstNodeId to ${next} or more`);
    }
  }
  return undefined;
}

/** What a topic asks for, after defaults. */
export interface TopicNumbers {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: { [key: string]: string };
}

/** A topic's own settings (the broker count is checked by `topicBrokersProblem`). */
export function topicProblem(t: TopicNumbers): Problem | undefined {
  const n = t.name;
  if (!n || n.length > MAX_TOPIC_NAME || !TOPIC_NAME.test(n) || n === '.' || n === '..') {
    return problem('KafkaTopicNameInvalid',
      `topic name '${n}' is not legal in Kafka: use 1-${MAX_TOPIC_NAME} characters from [a-zA-Z0-9._-], and not '.' or '..'`);
  }
  if (n.startsWith('__')) {
    return problem('KafkaTopicNameReserved', `topic name '${n}' starts with '__', which Kafka reserves for internal topics; rename it`);
  }
  if (!Number.isInteger(t.partitions) || t.partitions < 1) {
    return problem('KafkaTopicPartitionsInvalid', `topic '${n}' has partitions ${t.partitions}; use a whole number ≥ 1`);
  }
  if (!Number.isInteger(t.replicationFactor) || t.replicationFactor < 1) {
    return problem('KafkaTopicReplicationFactorInvalid', `topic '${n}' has replicationFactor ${t.replicationFactor}; use a whole number ≥ 1`);
  }
  for (const [k, v] of Object.entries(t.config)) {
    if (!/^[a-z0-9][a-z0-9.]*$/.test(k)) {
      return problem('KafkaTopicConfigKeyInvalid', `topic '${n}' config key '${k}' is not a Kafka topic config name (e.g. 'retention.ms')`);
    }
    if (v === '' || /[\n\r]/.test(v)) return problem('KafkaTopicConfigValueInvalid', `topic '${n}' config '${k}' needs a one-line, non-empty value`);
  }
  const isr = t.config['min.insync.replicas'];
  if (isr !== undefined && t.replicationFactor > 1 && Number(isr) >= t.replicationFactor) {
    return problem('KafkaTopicMinInsyncNotBelowRf',
      `topic '${n}' sets min.insync.replicas ${isr}, not below its replicationFactor ${t.replicationFactor}: one broker down would stop acks=all producers; use ${t.replicationFactor - 1}`);
  }
  return undefined;
}

/** A topic's replication factor against the brokers of the cluster. */
export function topicBrokersProblem(name: string, replicationFactor: number, brokers: number): Problem | undefined {
  if (replicationFactor > brokers) {
    return problem('KafkaTopicReplicationFactorAboveBrokers',
      `topic '${name}' has replicationFactor ${replicationFactor} but the cluster has ${brokers} broker(s); use at most ${brokers} or add brokers`);
  }
  return undefined;
}

/**
 * Replication settings against the brokers of every pool: checked when the app synthesizes
 * (pools may still be added), so they are returned as validation messages.
 */
export function replicationProblems(brokers: number, rf: number, isr: number): string[] {
  if (!Number.isInteger(rf) || rf < 1) return [`defaultReplicationFactor must be a whole number ≥ 1, got ${rf}`];
  if (rf > brokers) {
    return [`defaultReplicationFactor ${rf} is more than the ${brokers} broker(s); topic creation would fail — use at most ${brokers} or add brokers`];
  }
  if (!Number.isInteger(isr) || isr < 1) return [`minInsyncReplicas must be a whole number ≥ 1, got ${isr}`];
  if (rf > 1 && isr >= rf) {
    return [`minInsyncReplicas ${isr} is not below defaultReplicationFactor ${rf}: losing one broker would stop acks=all producers; use ${rf - 1}`];
  }
  if (rf === 1 && isr > 1) return [`minInsyncReplicas ${isr} with replication factor 1 can never be met; use 1`];
  return [];
}

/** Keys of broker properties that hold secrets (passwords, JAAS lines with passwords, private keys). */
const SECRET_KEY = /(password|jaas\.config|secret|credentials?|\.key)$/;

/**
 * `config` keys whose values look like secrets written in plain text: a secret-looking key with a
 * value that refers to no env var (`$(VAR)`, which the kubelet expands from a Secret-backed var).
 */
export function plaintextSecretKeys(config: { [key: string]: string }): string[] {
  return Object.keys(config).filter((k) => SECRET_KEY.test(k) && !/\$\([A-Za-z_][A-Za-z0-9_]*\)/.test(config[k])).sort();
}

/** `secretConfig`: keys like `config` keys, not given twice, Secret keys the API server accepts. */
export function secretConfigProblem(
  config: { [key: string]: string },
  secretConfig: { [key: string]: { readonly key: string } },
): Problem | undefined {
  for (const [k, v] of Object.entries(secretConfig)) {
    const p = configKeyProblem(k);
    if (p) return { code: p.code, message: p.message.replace(/^config /, 'secretConfig ') };
    if (k in config) return problem('KafkaConfigKeyDuplicate', `'${k}' is set in both config and secretConfig; set it in one of them`);
    if (typeof v?.key !== 'string' || !isConfigKey(v.key)) {
      return problem('KafkaSecretConfigKeyInvalid', `secretConfig '${k}' names Secret key '${v?.key}', which is not a valid Secret key: use 1-253 characters from [-._a-zA-Z0-9]`);
    }
  }
  return undefined;
}

/** Every Secret reference (what, Secret name, key) names a Secret and a key the API server accepts. */
export function secretRefsProblem(refs: Array<[string, string, string]>): Problem | undefined {
  for (const [what, name, key] of refs) {
    if (!isDns1123Subdomain(name)) {
      return problem('KafkaSecretRefInvalid', `${what}: Secret name '${name}' is not a Secret name (a DNS-1123 subdomain: lower-case letters, digits, '-' and '.')`);
    }
    if (!isConfigKey(key)) {
      return problem('KafkaSecretRefInvalid', `${what}: key '${key}' of Secret '${name}' is not a Secret key (letters, digits, '-', '_' and '.')`);
    }
  }
  return undefined;
}
