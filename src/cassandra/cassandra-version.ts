/**
 * An Apache Cassandra release, pinned to a tag of the official image `docker.io/library/cassandra`
 * (docker-library/cassandra: Eclipse Temurin JRE, user `cassandra` uid/gid 999, CASSANDRA_CONF
 * /etc/cassandra, `cassandra -f` on the PATH, `nodetool` and `cqlsh` included).
 *
 * The constants are the releases this library lists; `CassandraVersion.of('5.0.4')` pins one it
 * does not list yet (4.1 or later).
 */
export class CassandraVersion {
  /** Cassandra 4.1.8. */
  public static readonly V4_1_8 = CassandraVersion.of('4.1.8');
  /** Cassandra 5.0.3. */
  public static readonly V5_0_3 = CassandraVersion.of('5.0.3');

  /** Any release the official image is published for, e.g. '5.0.4' (also the image tag). */
  public static of(version: string): CassandraVersion {
    return new CassandraVersion(version);
  }

  /** The release. */
  public readonly version: string;
  /** The pinned official image. */
  public readonly image: string;

  private constructor(version: string) {
    this.version = version;
    this.image = `docker.io/library/cassandra:${version}`;
  }

  /** The release. */
  public toString(): string {
    return this.version;
  }
}
