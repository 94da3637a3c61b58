/**
 * A Redis release: the tag of the official image `docker.io/library/redis:<version>`. Use a
 * constant, or `RedisVersion.of('7.4.7')` to pin a patch release this library does not list yet.
 *
 * Valkey (`docker.io/valkey/valkey`) speaks the same protocol, configuration and Sentinel
 * commands: set `image` to it (its `redis-server`/`redis-cli` names are kept as links).
 */
export class RedisVersion {
  /** Redis 7.2 (the last release under the BSD licence). */
  public static readonly V7_2 = RedisVersion.of('7.2.11');
  /** Redis 7.4. */
  public static readonly V7_4 = RedisVersion.of('7.4.6');
  /** Redis 8.2 (RSALv2/SSPLv1/AGPLv3). */
  public static readonly V8_2 = RedisVersion.of('8.2.2');

  /**
   * Any release, e.g. `RedisVersion.of('7.4.7')`.
   * @param fullVersion the release as the official image tags it
   */
  public static of(fullVersion: string): RedisVersion {
    return new RedisVersion(fullVersion);
  }

  private constructor(
    /** The full version, e.g. `7.4.6`. */
    public readonly fullVersion: string,
  ) {}

  /** The major version, e.g. `7`. */
  public get majorVersion(): number {
    return Number(this.fullVersion.split('.')[0]);
  }
}
