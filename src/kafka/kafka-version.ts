/**
 * Supported Apache Kafka releases, each pinned to an official `apache/kafka` image tag
 * (docker.io/apache/kafka, built from apache/kafka `docker/jvm/Dockerfile`).
 *
 * Every release runs KRaft with a static quorum through the image's own entrypoint
 * (`/etc/kafka/docker/run`). Upgrading is a rolling restart; downgrading across a
 * `metadata.version` bump is not supported by Kafka.
 */
export enum KafkaVersion {
  /** Kafka 3.9.2: the last 3.x line (log4j 1 configuration). */
  V3_9_2 = '3.9.2',
  /** Kafka 4.0.1: KRaft only (ZooKeeper removed), log4j 2. */
  V4_0_1 = '4.0.1',
  /** Kafka 4.1.2. */
  V4_1_2 = '4.1.2',
  /** Kafka 4.2.0. */
  V4_2_0 = '4.2.0',
}
