/**
 * A MariaDB release, pinned to the official image `docker.io/library/mariadb:<version>`
 * (MariaDB/mariadb-docker: Ubuntu noble, uid/gid 999 `mysql`, ships `mariadb-backup` and `socat`).
 *
 * `MariaDBCluster` uses the image's entrypoint (docker-entrypoint.sh) to initialize the primary
 * and its flags, all present since 10.6; 11.4 is the current long-term-support series. A patch
 * upgrade within a series is a rolling restart; across series run `mariadb-upgrade` (the
 * entrypoint does it when `MARIADB_AUTO_UPGRADE` is set, which this library leaves off).
 *
 * The constants are the releases this library is tested with; `MariaDBVersion.of('11.4.13')`
 * pins a release it does not list yet.
 * The tags are the image's `org.opencontainers.image.version` labels in MariaDB/mariadb-docker
 * (commit c3bba22, "MariaDB Q2 2026 corrective release": 11.4/Dockerfile 11.4.12,
 * 10.11/Dockerfile 10.11.18), which generate-stackbrew-library.sh publishes as `<version>` tags.
 * @see https://github.com/MariaDB/mariadb-docker/blob/master/11.4/Dockerfile
 */
export class MariaDBVersion {
  /** MariaDB 11.4.12 (LTS). */
  public static readonly V11_4_12 = MariaDBVersion.of('11.4.12');
  /** MariaDB 10.11.18 (LTS). */
  public static readonly V10_11_18 = MariaDBVersion.of('10.11.18');

  /**
   * Any release the official image is published for. The cluster checks the form (x.y.z,
   * 10.6 or later) when it is created.
   * @param version the release, e.g. '11.4.12'
   */
  public static of(version: string): MariaDBVersion {
    return new MariaDBVersion(version);
  }

  /** The release, e.g. '11.4.12'. */
  public readonly version: string;
  /** The pinned official image, `docker.io/library/mariadb:<version>`. */
  public readonly image: string;

  private constructor(version: string) {
    this.version = version;
    this.image = `docker.io/library/mariadb:${version}`;
  }

  /** Whether `version` is a release this library can run: x.y.z with 10.6 or later. */
  public get supported(): boolean {
    const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(this.version);
    if (!m) return false;
    const major = Number(m[1]);
    return major > 10 || (major === 10 && Number(m[2]) >= 6);
  }

  /** The release, e.g. '11.4.12'. */
  public toString(): string {
    return this.version;
  }
}
