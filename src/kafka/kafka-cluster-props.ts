import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { KafkaVersion } from './kafka-version';
import { KafkaListenersOptions } from './listeners';
import { KafkaControllersOptions, KafkaStorageOptions } from './node-pool';
import { KafkaRackAwarenessOptions } from './rack-awareness';
import { KafkaRebalanceOptions } from './rebalance';
import { KafkaRollout } from './rollout';
import { JmxExporterAgent, Monitoring } from '../core/kit/monitoring';
import { PlacementProps } from '../core/workload/scheduling';

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
   * Every node is formatted with it once; a node formatted later with another id (a scale-out,
   * a new pool, a lost disk) cannot join, so it must never change for a running cluster.
   * @default - derived from what identifies the cluster to Kubernetes, never from the construct
   * path: base64url of the first 16 bytes of sha256(`<chart namespace>/<name>`) (namespace empty
   * when the chart has none)
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
  /**
   * Broker properties whose values are secrets (`ssl.key.password`, `sasl.jaas.config`, ...),
   * each from a key of a Secret: passed as a `KAFKA_*` env var with a `secretKeyRef`, so the
   * value never appears in the manifests. A secret-looking key in `config` raises the warning
   * `@cdk8s-stateful/kafka:plaintextSecretInConfig` pointing here.
   * @default - none
   */
  readonly secretConfig?: { [key: string]: kplus.SecretValue };
  /** @default - off */
  readonly rackAwareness?: KafkaRackAwarenessOptions;
  /** @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** NetworkPolicies allowing only the cluster, its topic Jobs and bound clients. @default true */
  readonly networkPolicy?: boolean;
  /**
   * Metrics, alerts and a dashboard per node pool: the JMX exporter java agent (`jmxExporter`) in
   * every node. See docs/kafka.md, "Monitor a cluster".
   * @default - none
   */
  readonly monitoring?: Monitoring;
  /** Where the JMX exporter agent jar comes from; required with `monitoring`. @default - none */
  readonly jmxExporter?: JmxExporterAgent;
  /**
   * How template changes reach the nodes: a roller Job that never takes a partition under min ISR
   * (`OnDelete` StatefulSets), or the StatefulSet's `RollingUpdate`. See docs/kafka.md, "Roll brokers safely".
   * @default KafkaRollout.safe()
   */
  readonly rollout?: KafkaRollout;
  /**
   * Raise `metadata.version` to this release's level once every node runs it (a Job running
   * `kafka-features.sh upgrade --metadata <major.minor>`). Off by default: after it, going back to
   * the previous release is no longer possible (docs/kafka.md, "Upgrade Kafka").
   * @default false
   */
  readonly finalizeUpgrade?: boolean;
  /**
   * A Job that spreads partitions over every broker after a scale-out (`kafka-reassign-partitions.sh`,
   * throttled), keyed by the broker id set. `drainBrokers()` runs it for a scale-in without this.
   * See docs/kafka.md, "Scale brokers and controllers".
   * @default - no reassignment on scale-out
   */
  readonly rebalance?: KafkaRebalanceOptions;
}
