/**
 * An Apache Kafka release, pinned to an official `apache/kafka` image tag
 * (docker.io/apache/kafka, built from apache/kafka `docker/jvm/Dockerfile`).
 *
 * Every release runs KRaft with a static quorum through the image's own entrypoint
 * (`/etc/kafka/docker/run`). Upgrading is a rolling restart; downgrading across a
 * `metadata.version` bump is not supported by Kafka.
 *
 * The constants are the releases this library is tested with; `KafkaVersion.of('4.1.3')`
 * pins a release it does not list yet.
 */
export class KafkaVersion {
  /** Kafka 3.9.2: the last 3.x line (log4j 1 configuration). */
  public static readonly V3_9_2 = KafkaVersion.of('3.9.2');
  /** Kafka 4.0.1: KRaft only (ZooKeeper removed), log4j 2. */
  public static readonly V4_0_1 = KafkaVersion.of('4.0.1');
  /** Kafka 4.1.2. */
  public static readonly V4_1_2 = KafkaVersion.of('4.1.2');
  /** Kafka 4.2.0. */
  public static readonly V4_2_0 = KafkaVersion.of('4.2.0');

  /**
   * Any release the `apache/kafka` image is published for (3.7.0 and later), e.g. a patch
   * release this library does not list yet. The cluster checks the form when it is created.
   * @param version the full release, e.g. '4.1.3': also the image tag
   */
  public static of(version: string): KafkaVersion {
    return new KafkaVersion(version);
  }

  /** The full release, e.g. '4.1.2'. */
  public readonly version: string;
  /** The pinned official image, `docker.io/apache/kafka:<version>`. */
  public readonly image: string;

  private constructor(version: string) {
    this.version = version;
    this.image = `docker.io/apache/kafka:${version}`;
  }

  /** The major release (3, 4, ...), or NaN when `version` is not of the form x.y.z. */
  public get major(): number {
    return Number(/^(\d+)\./.exec(this.version)?.[1] ?? NaN);
  }

  /** The release, e.g. '4.1.2'. */
  public toString(): string {
    return this.version;
  }
}
