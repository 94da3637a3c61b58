import { IConstruct } from 'constructs';
import { KafkaVersion } from './kafka-version';
import { KafkaTls } from './listeners';

/**
 * What a topic, a node pool or a client needs to know of a Kafka cluster. `KafkaCluster`
 * implements it; taking the interface keeps those files independent of the cluster's.
 */
export interface IKafkaCluster extends IConstruct {
  /** The cluster name (prefix of every object). */
  readonly name: string;
  /** The Kafka release. */
  readonly version: KafkaVersion;
  /** The pinned image. */
  readonly image: string;
  /** The cluster DNS domain. */
  readonly clusterDomain: string;
  /** The client port. */
  readonly clientPort: number;
  /** The controller port. */
  readonly controllerPort: number;
  /** The inter-broker port. */
  readonly internalPort: number;
  /** TLS material, when TLS is on. */
  readonly tls?: KafkaTls;
  /** Number of brokers over all pools (grows as pools are added). */
  readonly brokers: number;
  /** `default.replication.factor`. */
  readonly defaultReplicationFactor: number;
  /** `num.partitions`: partitions of topics created without a count. */
  readonly defaultPartitions: number;
  /** `host:port` of the bootstrap Service, for clients. */
  readonly bootstrapServers: string;
  /** The security protocol clients use on the client listener. */
  readonly clientProtocol: string;
  /** The security protocol of the INTERNAL listener (`SSL` with TLS, else `PLAINTEXT`). */
  readonly internalProtocol: string;
  /**
   * Bootstrap list over the INTERNAL listener: every broker pod's stable name, built from
   * `$(POD_NAMESPACE)` at run time, so only usable in a pod of the cluster's namespace that
   * defines POD_NAMESPACE. Topic Jobs use it (the brokers' NetworkPolicy admits them on the
   * internal port).
   */
  /** The first node of each broker pool on the internal listener (stable when pools scale). */
  readonly internalSeedServers: string;
  readonly internalBootstrapServers: string;
}
