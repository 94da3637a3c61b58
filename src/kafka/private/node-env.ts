// The environment of a Kafka node: the apache/kafka image turns every KAFKA_* variable into a
// server property (KafkaDockerWrapper.getServerConfigsFromEnv). A pure table, in the order the
// container lists it (a variable may refer to earlier ones as `$(NAME)`).
import { Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { LOG_CONFIG_DIR, LogConfig } from './log-config';
import { propertyToEnv } from './util';
import { LabelKeys } from '../../core/labels';
import { StatefulWorkload } from '../../core/workload/stateful-workload';
import { WorkloadVolume } from '../../core/workload/volumes';

export const LISTENER_CLIENT = 'CLIENT';
export const LISTENER_INTERNAL = 'INTERNAL';
export const LISTENER_CONTROLLER = 'CONTROLLER';
/** Access from outside Kubernetes (listeners.external, private/external.ts). */
export const LISTENER_EXTERNAL = 'EXTERNAL';
export const DATA_DIR = '/var/lib/kafka/data';
export const TLS_DIR = '/etc/kafka/tls';

/** A SASL/PLAIN user whose password comes from a Secret. */
export interface NodeUser {
  readonly username: string;
  readonly passwordSecret: kplus.ISecret;
  readonly passwordKey: string;
}

/** Everything a node's environment depends on. Values that depend on pools added later are functions. */
export interface NodeEnvInput {
  readonly broker: boolean;
  readonly controller: boolean;
  readonly clusterId: string;
  readonly clientPort: number;
  readonly internalPort: number;
  readonly controllerPort: number;
  /** The name a broker advertises (a DNS name, possibly built from `$(POD_NAME)`). Brokers only. */
  readonly advertisedHost?: string;
  readonly clientProtocol: string;
  /** Protocol of INTERNAL and CONTROLLER. */
  readonly nodeProtocol: string;
  /** `controller.quorum.voters`. */
  readonly voters: string;
  /** Kafka 4.x: share groups. */
  readonly kafka4: boolean;
  readonly defaultReplicationFactor: () => number;
  readonly minInsyncReplicas: () => number;
  /** Replication factor of the internal topics. */
  readonly internalReplicationFactor: () => number;
  readonly defaultPartitions: number;
  readonly autoCreateTopics: boolean;
  /** The keystore password, when TLS is on. */
  readonly tlsPassword?: { readonly secret: kplus.ISecret; readonly key: string };
  /** SASL/PLAIN users of the client listener (brokers with SASL only). */
  readonly saslUsers: NodeUser[];
  /** Properties of the authentication mode (SCRAM or mTLS clients, the authorizer: private/auth.ts). @default - none */
  readonly authProperties?: Array<[string, string]>;
  /**
   * The EXTERNAL listener (brokers only, private/external.ts): its port, the advertised `host:port`
   * when known at synth (else external-start.sh appends it at start) and its authentication properties.
   * @default - none
   */
  readonly external?: { readonly port: number; readonly advertised?: string; readonly properties: Array<[string, string]> };
  /** More broker properties. */
  readonly config: { [key: string]: string };
  /** More broker properties, from Secrets. */
  readonly secretConfig: { [key: string]: kplus.SecretValue };
  readonly heapMi: number;
  /** `-Dlog4j...` selecting the mounted log configuration. */
  readonly log4jOpts: string;
}

/** The node's env vars, in order. */
export function nodeEnv(i: NodeEnvInput): Array<[string, kplus.EnvValue]> {
  const out: Array<[string, kplus.EnvValue]> = [];
  const env = (k: string, v: string) => out.push([k, kplus.EnvValue.fromValue(v)]);
  const lazy = (k: string, f: () => number) => out.push([k, kplus.EnvValue.fromValue(Lazy.any({ produce: () => String(f()) }) as unknown as string)]);
  out.push(['POD_NAME', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME)]);
  out.push(['POD_NAMESPACE', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE)]);
  // node.id is the pod index: the ordinal parsed from the pod name, so it includes the pool's
  // spec.ordinals.start (kubernetes pkg/controller/statefulset/stateful_set_utils.go updateIdentity).
  out.push(['KAFKA_NODE_ID', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_LABEL, { key: LabelKeys.POD_INDEX })]);
  // Without it the image formats with its built-in id 5L6g3nShT-eMCtK--X86sw (docker/resources/common-scripts/configureDefaults).
  env('CLUSTER_ID', i.clusterId);
  const roles = [...(i.broker ? ['broker'] : []), ...(i.controller ? ['controller'] : [])];
  env('KAFKA_PROCESS_ROLES', roles.join(','));

  const listeners: string[] = [];
  if (i.broker) listeners.push(`${LISTENER_CLIENT}://:${i.clientPort}`, `${LISTENER_INTERNAL}://:${i.internalPort}`);
  if (i.controller) listeners.push(`${LISTENER_CONTROLLER}://:${i.controllerPort}`);
  const ext = i.broker ? i.external : undefined;
  if (ext) listeners.push(`${LISTENER_EXTERNAL}://:${ext.port}`);
  env('KAFKA_LISTENERS', listeners.join(','));
  if (i.broker) {
    // Each broker advertises its own stable name (controller-only nodes must not advertise:
    // the image's `configure` exits then).
    const host = i.advertisedHost;
    const external = ext?.advertised ? `,${LISTENER_EXTERNAL}://${ext.advertised}` : '';
    env('KAFKA_ADVERTISED_LISTENERS', `${LISTENER_CLIENT}://${host}:${i.clientPort},${LISTENER_INTERNAL}://${host}:${i.internalPort}${external}`);
  }
  // EXTERNAL authenticates like CLIENT (private/external.ts refuses it without TLS and authentication).
  env('KAFKA_LISTENER_SECURITY_PROTOCOL_MAP',
    `${LISTENER_CLIENT}:${i.clientProtocol},${LISTENER_INTERNAL}:${i.nodeProtocol},${LISTENER_CONTROLLER}:${i.nodeProtocol}` +
      (ext ? `,${LISTENER_EXTERNAL}:${i.clientProtocol}` : ''));
  env('KAFKA_CONTROLLER_LISTENER_NAMES', LISTENER_CONTROLLER);
  env('KAFKA_INTER_BROKER_LISTENER_NAME', LISTENER_INTERNAL);
  // Static quorum: the image's entrypoint formats with `--cluster-id -c` only (recipes §1).
  env('KAFKA_CONTROLLER_QUORUM_VOTERS', i.voters);
  // A subdirectory: the volume root may hold lost+found, which Kafka would take for a log dir.
  env('KAFKA_LOG_DIRS', `${DATA_DIR}/logs`);

  if (i.broker) {
    lazy('KAFKA_DEFAULT_REPLICATION_FACTOR', i.defaultReplicationFactor);
    lazy('KAFKA_MIN_INSYNC_REPLICAS', i.minInsyncReplicas);
    env('KAFKA_NUM_PARTITIONS', String(i.defaultPartitions));
    env('KAFKA_AUTO_CREATE_TOPICS_ENABLE', String(i.autoCreateTopics));
  }
  // Internal topics: RF min(3, brokers), min ISR one less (at least 1).
  const internalIsr = () => Math.max(1, i.internalReplicationFactor() - 1);
  lazy('KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR', i.internalReplicationFactor);
  lazy('KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR', i.internalReplicationFactor);
  lazy('KAFKA_TRANSACTION_STATE_LOG_MIN_ISR', internalIsr);
  if (i.kafka4) {
    lazy('KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR', i.internalReplicationFactor);
    lazy('KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR', internalIsr);
  }

  if (i.tlsPassword) {
    // Names without "SSL://" keep the image's own SSL helper (which wants files in
    // /etc/kafka/secrets) out of the way: docker/resources/common-scripts/configure.
    out.push(['TLS_STORE_PASSWORD', kplus.EnvValue.fromSecretValue(i.tlsPassword)]);
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
  if (i.saslUsers.length) {
    // Passwords enter through env vars defined first, expanded by the kubelet in the JAAS line.
    const entries: string[] = [];
    i.saslUsers.forEach((u, n) => {
      out.push([`SASL_PASSWORD_${n}`, kplus.EnvValue.fromSecretValue({ secret: u.passwordSecret, key: u.passwordKey })]);
      entries.push(`user_${u.username}="$(SASL_PASSWORD_${n})"`);
    });
    env('KAFKA_LISTENER_NAME_CLIENT_SASL_ENABLED_MECHANISMS', 'PLAIN');
    env('KAFKA_LISTENER_NAME_CLIENT_PLAIN_SASL_JAAS_CONFIG',
      `org.apache.kafka.common.security.plain.PlainLoginModule required ${entries.join(' ')};`);
    if (ext) {
      env('KAFKA_LISTENER_NAME_EXTERNAL_SASL_ENABLED_MECHANISMS', 'PLAIN');
      env('KAFKA_LISTENER_NAME_EXTERNAL_PLAIN_SASL_JAAS_CONFIG',
        `org.apache.kafka.common.security.plain.PlainLoginModule required ${entries.join(' ')};`);
    }
  }
  for (const [k, v] of ext?.properties ?? []) env(propertyToEnv(k), v);

  for (const [k, v] of i.authProperties ?? []) env(propertyToEnv(k), v);
  for (const [k, v] of Object.entries(i.config)) env(propertyToEnv(k), v);
  for (const [k, v] of Object.entries(i.secretConfig)) out.push([propertyToEnv(k), kplus.EnvValue.fromSecretValue(v)]);

  // JVM and logging: excluded from server.properties by KafkaDockerWrapper (ExcludeServerPropsEnv
  // lists KAFKA_HEAP_OPTS and KAFKA_LOG4J_OPTS in every pinned release; the "KAFKA_HEAP_OPT" typo
  // was fixed in apache/kafka#15345, before 3.8).
  env('KAFKA_HEAP_OPTS', `-Xms${i.heapMi}m -Xmx${i.heapMi}m`);
  env('KAFKA_LOG4J_OPTS', i.log4jOpts);
  // kafka-server-start.sh defaults to `-loggc` (10 × 100M files in LOG_DIR); GC logs go nowhere.
  env('EXTRA_ARGS', '-name kafkaServer');
  // kafka-run-class.sh mkdirs LOG_DIR whenever KAFKA_LOG4J_OPTS is set; its default
  // (/opt/kafka/logs) is on the read-only root.
  env('LOG_DIR', '/tmp/kafka-logs');
  return out;
}

/**
 * Gives a node pool's workload its environment, the keystores (with TLS), the log configuration
 * and the writable paths the image needs under a read-only root.
 */
export function configureNode(w: StatefulWorkload, env: NodeEnvInput, log: LogConfig, tls?: kplus.ISecret): void {
  for (const [k, v] of nodeEnv(env)) w.addEnv(k, v);
  if (tls) {
    w.volumes.add('tls', WorkloadVolume.fromSecret(tls));
    w.addMount({ volume: 'tls', mountPath: TLS_DIR, readOnly: true });
  }
  w.volumes.addConfigFiles('log-config', { mountPath: LOG_CONFIG_DIR, files: { [log.fileName]: log.content } });
  // KafkaDockerWrapper writes server.properties and log configs to /opt/kafka/config
  // (docker/jvm/launch `--final-configs-dir`), the JVM writes to /tmp.
  w.volumes.addScratch('/opt/kafka/config', { sizeLimit: Size.mebibytes(16) });
  w.volumes.addScratch('/tmp', { sizeLimit: Size.mebibytes(256) });
}
