import { Duration } from 'cdk8s';

/** Options of `RedisMode.cluster()`: the shape of a Redis Cluster. */
export interface RedisClusterModeOptions {
  /**
   * Primaries; the 16384 hash slots are spread over them. Redis Cluster needs at least 3.
   * Growing it adds shards (the create Job adds the new pods and rebalances slots onto them);
   * shrinking it is not supported (UpgradeSafety: `redisClusterScaleIn`).
   * @default 3
   */
  readonly shards?: number;
  /** Replicas of each primary; a primary whose replicas are all lost cannot fail over. @default 1 */
  readonly replicasPerShard?: number;
  /**
   * `cluster-node-timeout`: after how long without an answer a node is considered failing; a
   * failed primary's replica is promoted about this long (plus up to a second) after the failure.
   * @default Duration.seconds(15)
   */
  readonly nodeTimeout?: Duration;
}

/**
 * How a RedisCluster is laid out: `RedisMode.SENTINEL` (one primary, replicas, Sentinel failover)
 * or `RedisMode.cluster({ shards, replicasPerShard })` (Redis Cluster, sharded).
 */
export class RedisMode {
  /** One primary, replicas and a Sentinel per pod that fail over automatically. */
  public static readonly SENTINEL = new RedisMode(false, 0, 0, Duration.seconds(15));

  /**
   * Redis Cluster: `shards` primaries with `replicasPerShard` replicas each, in one StatefulSet of
   * `shards × (1 + replicasPerShard)` pods; a Job forms the cluster and adds pods on scale-out.
   * Needs Redis 7 or later (hostname announcing).
   */
  public static cluster(options: RedisClusterModeOptions = {}): RedisMode {
    return new RedisMode(true, options.shards ?? 3, options.replicasPerShard ?? 1, options.nodeTimeout ?? Duration.seconds(15));
  }

  private constructor(
    /** Whether this is Redis Cluster (sharded) rather than Sentinel. */
    public readonly isCluster: boolean,
    /** Primaries of Redis Cluster (0 in Sentinel mode). */
    public readonly shards: number,
    /** Replicas of each primary of Redis Cluster (0 in Sentinel mode). */
    public readonly replicasPerShard: number,
    /** `cluster-node-timeout` of Redis Cluster. */
    public readonly nodeTimeout: Duration,
  ) {}
}
