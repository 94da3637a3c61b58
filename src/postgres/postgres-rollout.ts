import { Duration } from 'cdk8s';

/** Options of a primary-aware rollout. */
export interface PostgresPrimaryAwareRolloutOptions {
  /**
   * A restarted replica counts as caught up once Patroni reports it streaming with at most this
   * replication lag, in bytes (`GET /replica?lag=<bytes>` on its REST API).
   * @default 16777216 (16 MiB, one WAL segment)
   */
  readonly maxLagBytes?: number;
  /**
   * How long the rollout Job waits for each step (a pod to come back caught up, the switchover)
   * before it fails; the Job's deadline is this times the number of instances plus three.
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
}

/**
 * How a change of the pod template reaches the pods of a `PostgresCluster`.
 *
 * `primaryAware()` (the default in Patroni mode): the StatefulSet uses `OnDelete`, and a rollout
 * Job named after a hash of the pod template restarts the replicas one at a time, switches over
 * once to an updated replica and restarts the old primary last: at most one primary change per
 * rollout. `rollingUpdate()`: the StatefulSet controller replaces the pods from the highest
 * ordinal down, which moves the primary each time it restarts it (up to instances − 1 times).
 */
export class PostgresRollout {
  /** OnDelete plus a rollout Job: replicas first, one switchover, the old primary last. */
  public static primaryAware(options: PostgresPrimaryAwareRolloutOptions = {}): PostgresRollout {
    return new PostgresRollout(true, options.maxLagBytes ?? 16 * 1024 * 1024, options.timeout ?? Duration.minutes(10));
  }

  /** The StatefulSet controller's RollingUpdate (streaming mode always rolls out this way). */
  public static rollingUpdate(): PostgresRollout {
    return new PostgresRollout(false, 0, Duration.minutes(10));
  }

  private constructor(
    /** Whether the rollout Job drives the restarts (OnDelete). */
    public readonly isPrimaryAware: boolean,
    /** Replication lag a restarted replica may have, in bytes (primary-aware only). */
    public readonly maxLagBytes: number,
    /** Wait per step (primary-aware only). */
    public readonly timeout: Duration,
  ) {}
}
