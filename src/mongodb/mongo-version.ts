/**
 * A MongoDB Community Server release, pinned to a tag of the official image
 * `docker.io/library/mongo` (github.com/docker-library/mongo: Ubuntu, user `mongodb` uid/gid 999,
 * `mongod` and `mongosh` on the PATH, data in /data/db).
 *
 * The constants are the releases this library is tested with; `MongoVersion.of('8.0.18')` pins a
 * release it does not list yet.
 */
export class MongoVersion {
  /** MongoDB 7.0.28 (the 7.0 line). */
  public static readonly V7_0_28 = MongoVersion.of('7.0.28');
  /** MongoDB 8.0.17 (the 8.0 line). */
  public static readonly V8_0_17 = MongoVersion.of('8.0.17');

  /**
   * Any release the official image is published for, e.g. a patch release this library does not
   * list yet. The replica set checks the form (7.0.x or 8.0.x) when it is created.
   * @param version the full release, e.g. '8.0.18': also the image tag
   */
  public static of(version: string): MongoVersion {
    return new MongoVersion(version);
  }

  /** The full release, e.g. '8.0.17'. */
  public readonly version: string;
  /** The pinned official image, `docker.io/library/mongo:<version>`. */
  public readonly image: string;

  private constructor(version: string) {
    this.version = version;
    this.image = `docker.io/library/mongo:${version}`;
  }

  /** The release, e.g. '8.0.17'. */
  public toString(): string {
    return this.version;
  }
}
