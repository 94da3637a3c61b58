/**
 * An etcd release, pinned to the official image `gcr.io/etcd-development/etcd:v<version>` (the
 * image etcd's release process publishes; distroless: no shell).
 *
 * 3.5 and 3.6 serve `/livez` and `/readyz`, and every flag `EtcdCluster` sets. Upgrading one
 * minor at a time (3.5 → 3.6) is a rolling restart; a downgrade across a minor is not supported
 * by etcd.
 *
 * The constants are the releases this library is tested with; `EtcdVersion.of('3.5.22')` pins a
 * release it does not list yet.
 * @see https://etcd.io/docs/v3.5/upgrades/
 */
export class EtcdVersion {
  /** etcd 3.5.21. */
  public static readonly V3_5_21 = EtcdVersion.of('3.5.21');
  /** etcd 3.6.6. */
  public static readonly V3_6_6 = EtcdVersion.of('3.6.6');

  /**
   * Any release the image is published for, e.g. a patch release this library does not list
   * yet. The cluster checks the form (3.5.x or later) when it is created.
   * @param version the release without the `v`, e.g. '3.5.22'
   */
  public static of(version: string): EtcdVersion {
    return new EtcdVersion(version);
  }

  /** The release, e.g. '3.5.21'. */
  public readonly version: string;
  /** The pinned official image, `gcr.io/etcd-development/etcd:v<version>`. */
  public readonly image: string;

  private constructor(version: string) {
    this.version = version;
    this.image = `gcr.io/etcd-development/etcd:v${version}`;
  }

  /** Whether `version` is a release this library can run: x.y.z with 3.5 or later. */
  public get supported(): boolean {
    const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(this.version);
    if (!m) return false;
    const major = Number(m[1]);
    return major > 3 || (major === 3 && Number(m[2]) >= 5);
  }

  /** The release, e.g. '3.5.21'. */
  public toString(): string {
    return this.version;
  }
}
