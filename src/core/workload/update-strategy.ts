import { k8s } from 'cdk8s-plus-28';

/** How pods are created and deleted. */
export enum PodManagementPolicy {
  /** One at a time, in order, each Ready before the next. */
  ORDERED_READY = 'OrderedReady',
  /** All at once: required by quorum systems whose members must find each other to become Ready. */
  PARALLEL = 'Parallel',
}

/** How pod template changes roll out. */
export class UpdateStrategy {
  /**
   * Replace pods from the highest ordinal down, one at a time.
   * @param partition only pods with an ordinal ≥ partition are updated (staged rollouts).
   */
  public static rollingUpdate(partition?: number): UpdateStrategy {
    return new UpdateStrategy({ type: 'RollingUpdate', rollingUpdate: partition === undefined ? undefined : { partition } });
  }

  /** Pods are only replaced when you delete them (manual, e.g. replicas first, primary last). */
  public static onDelete(): UpdateStrategy {
    return new UpdateStrategy({ type: 'OnDelete' });
  }

  private constructor(private readonly spec: k8s.StatefulSetUpdateStrategy) {}

  /** The rolling-update partition, if any. */
  public get partition(): number | undefined {
    return this.spec.rollingUpdate?.partition;
  }

  /** Whether pods are replaced only when deleted. */
  public get isOnDelete(): boolean {
    return this.spec.type === 'OnDelete';
  }

  /** @internal The strategy as the Kubernetes API spells it. */
  public _toKube(): k8s.StatefulSetUpdateStrategy {
    return this.spec;
  }
}

/** The PodDisruptionBudget. Set at most one of minAvailable and maxUnavailable. */
export interface DisruptionBudgetProps {
  /** @default true */
  readonly enabled?: boolean;
  /** @default 1 (when minAvailable is not set) */
  readonly maxUnavailable?: number;
  /** @default - not set */
  readonly minAvailable?: number;
}
