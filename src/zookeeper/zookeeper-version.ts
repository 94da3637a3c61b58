/**
 * An Apache ZooKeeper release, pinned to a tag of the official image `docker.io/library/zookeeper`
 * (built from github.com/31z4/zookeeper-docker: Eclipse Temurin 17 JRE, user `zookeeper` uid/gid
 * 1000, `zkServer.sh start-foreground` on the PATH).
 *
 * The constants are the releases this library is tested with; `ZooKeeperVersion.of('3.9.5')` pins
 * a release it does not list yet.
 */
export class ZooKeeperVersion {
  /** ZooKeeper 3.8.4 (the 3.8 line; Debian bookworm ships 3.8.0, which the runtime tier runs). */
  public static readonly V3_8_4 = ZooKeeperVersion.of('3.8.4');
  /** ZooKeeper 3.9.4. */
  public static readonly V3_9_4 = ZooKeeperVersion.of('3.9.4');

  /**
   * Any release the official image is published for, e.g. a patch release this library does not
   * list yet. The ensemble checks the form (3.x.y, x ≥ 5) when it is created.
   * @param version the full release, e.g. '3.9.5': also the image tag
   */
  public static of(version: string): ZooKeeperVersion {
    return new ZooKeeperVersion(version);
  }

  /** The full release, e.g. '3.9.4'. */
  public readonly version: string;
  /** The pinned official image, `docker.io/library/zookeeper:<version>`. */
  public readonly image: string;

  private constructor(version: string) {
    this.version = version;
    this.image = `docker.io/library/zookeeper:${version}`;
  }

  /** The release, e.g. '3.9.4'. */
  public toString(): string {
    return this.version;
  }
}
