/**
 * A CockroachDB release, pinned to a tag of the official image `docker.io/cockroachdb/cockroach`
 * (the binary at /cockroach/cockroach, on the PATH; the image runs as any uid: the official Helm
 * chart runs it as 1000 with a read-only root).
 *
 * The constants are the releases this library lists; `CockroachVersion.of('25.4.4')` pins one it
 * does not list yet.
 */
export class CockroachVersion {
  /** CockroachDB 25.2.4 (a 25.2 patch release). */
  public static readonly V25_2_4 = CockroachVersion.of('25.2.4');
  /** CockroachDB 25.4.3. */
  public static readonly V25_4_3 = CockroachVersion.of('25.4.3');

  /**
   * Any release the official image is published for.
   * @param version the release without the `v`, e.g. '25.4.3' (the image tag is `v<version>`)
   */
  public static of(version: string): CockroachVersion {
    return new CockroachVersion(version);
  }

  /** The release, e.g. '25.4.3'. */
  public readonly version: string;
  /** The pinned official image, `docker.io/cockroachdb/cockroach:v<version>`. */
  public readonly image: string;

  private constructor(version: string) {
    this.version = version;
    this.image = `docker.io/cockroachdb/cockroach:v${version}`;
  }

  /** The release. */
  public toString(): string {
    return this.version;
  }
}
