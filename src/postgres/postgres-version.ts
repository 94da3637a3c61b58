/**
 * A PostgreSQL release: the major version selects the data-directory format and Spilo's
 * binaries, the full version the tag of the official image. Use a constant, or
 * `PostgresVersion.of('17.7', '17')` to pin a patch release this library does not list yet.
 *
 * Spilo 4.0-p3 (`ghcr.io/zalando/spilo-17:4.0-p3`) ships the binaries of PostgreSQL 13 to 17 in
 * one image and picks the major with `PGVERSION` when it creates a cluster, so every version
 * uses the same Spilo tag (the full version matters in streaming mode and for the backup image).
 */
export class PostgresVersion {
  /** PostgreSQL 15 (community support until November 2027). */
  public static readonly V15 = PostgresVersion.of('15.14', '15');
  /** PostgreSQL 16 (community support until November 2028). */
  public static readonly V16 = PostgresVersion.of('16.10', '16');
  /** PostgreSQL 17 (community support until November 2029). */
  public static readonly V17 = PostgresVersion.of('17.6', '17');

  /**
   * Any release, e.g. `PostgresVersion.of('17.7', '17')`.
   * @param fullVersion the release as the official image tags it (`17.7`)
   * @param majorVersion its major version (`17`)
   */
  public static of(fullVersion: string, majorVersion: string): PostgresVersion {
    return new PostgresVersion(fullVersion, majorVersion);
  }

  private constructor(
    /** The full version, e.g. `17.6`. */
    public readonly fullVersion: string,
    /** The major version, e.g. `17`. */
    public readonly majorVersion: string,
  ) {}
}
