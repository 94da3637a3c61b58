import { Duration } from 'cdk8s';

/** Options of the safe rollout. */
export interface KafkaSafeRolloutOptions {
  /**
   * How long the roller waits for one step (the cluster to be Ready, a partition to get back above
   * min ISR, a restarted pod to catch up) before it fails; the Job then retries from where it stopped.
   * @default Duration.minutes(30)
   */
  readonly stepTimeout?: Duration;
}

/**
 * How changes of the pods' template reach running nodes.
 * @see https://strimzi.io/docs/operators/latest/deploying#con-rolling-updates-str (the min-ISR rule)
 */
export class KafkaRollout {
  /**
   * `OnDelete` StatefulSets and a roller Job per template change: one pod at a time, only while
   * every pod is Ready and no partition would go under `min.insync.replicas`, brokers first,
   * controllers after them, the active controller last.
   */
  public static safe(options: KafkaSafeRolloutOptions = {}): KafkaRollout {
    return new KafkaRollout(true, options.stepTimeout ?? Duration.minutes(30));
  }

  /**
   * The StatefulSet controller's `RollingUpdate`: from the highest ordinal down, each pod Ready
   * (caught up) before the next; it does not look at min ISR or at which controller leads.
   */
  public static rollingUpdate(): KafkaRollout {
    return new KafkaRollout(false, undefined);
  }

  private constructor(
    /** Whether pods are replaced by the roller Job (OnDelete). */
    public readonly usesRoller: boolean,
    /** The roller's step timeout. */
    public readonly stepTimeout: Duration | undefined,
  ) {}
}
