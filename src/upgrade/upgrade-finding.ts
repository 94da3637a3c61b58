// The finding types of the upgrade-safety check: a leaf module (imports nothing), so the check,
// its error and its formatter all import from here and not from each other.

/** Why a change is unsafe. */
export enum UpgradeRisk {
  /**
   * The change cannot be applied as it is: the API server rejects it (the apply fails half-way),
   * or the system cannot carry it out (a Job that fails, a data directory of the wrong version);
   * the message says which.
   */
  REJECTED = 'rejected',
  /** The change applies, and data is deleted. */
  DATA_LOSS = 'dataLoss',
  /** The change applies, and data is left behind where nothing uses it (new, empty disks take over). */
  ORPHANED = 'orphaned',
  /**
   * The change applies, and the system (or part of its data) stops serving until someone
   * repairs it by hand: a lost quorum, offline partitions, nodes that cannot join.
   */
  UNAVAILABLE = 'unavailable',
  /**
   * The change applies and breaks nothing now, but a later routine change will be rejected
   * (e.g. growing a volume once its class no longer allows expansion).
   */
  BLOCKS_LATER_CHANGES = 'blocksLaterChanges',
}

/** One unsafe change between two synth outputs. */
export interface UpgradeFinding {
  /** Stable id, e.g. `@cdk8s-stateful/policy:claimShrink`. */
  readonly id: string;
  /** What goes wrong. */
  readonly risk: UpgradeRisk;
  /** Kind of the object. */
  readonly kind: string;
  /** Name of the object. */
  readonly name: string;
  /** Namespace of the object. @default - cluster-scoped or the default namespace */
  readonly namespace?: string;
  /** What changed and why it is unsafe. */
  readonly message: string;
  /** How to make the change safely, step by step. */
  readonly migration: string[];
}

/** Options of the upgrade-safety check. */
export interface UpgradeCheckOptions {
  /**
   * Findings to accept, each as a finding id (`@cdk8s-stateful/policy:statefulSetRemoved`, for
   * every object) or `<id>:<Kind>/<name>` (for one object), after doing the migration by hand.
   * @default - none
   */
  readonly acknowledge?: string[];
}
