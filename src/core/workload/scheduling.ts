/** How strongly pods of one workload avoid sharing a node. */
export enum AntiAffinity {
  /** Prefer different nodes (the scheduler may co-locate when it must). */
  SOFT = 'soft',
  /** Require different nodes: with fewer nodes than replicas some pods stay Pending. */
  HARD = 'hard',
  /** No anti-affinity. */
  NONE = 'none',
}

/** How pods spread over zones (`topology.kubernetes.io/zone`). */
export enum ZoneSpread {
  /** Prefer an even spread (whenUnsatisfiable: ScheduleAnyway). */
  SOFT = 'soft',
  /** Require an even spread, max skew 1 (whenUnsatisfiable: DoNotSchedule). */
  HARD = 'hard',
  /** No zone spread constraint. */
  NONE = 'none',
}

/** Taint effect a toleration matches. */
export enum TaintEffect {
  NO_SCHEDULE = 'NoSchedule',
  PREFER_NO_SCHEDULE = 'PreferNoSchedule',
  NO_EXECUTE = 'NoExecute',
}

/** A toleration of a node taint. */
export interface Toleration {
  /** Taint key. */
  readonly key: string;
  /** Taint value; when left out the toleration matches any value (operator Exists). @default - any value */
  readonly value?: string;
  /** @default - every effect */
  readonly effect?: TaintEffect;
}

/** Run only on nodes set aside for this workload: a node label to select and a taint to tolerate. */
export interface DedicatedNodes {
  /** Node label key, e.g. `workload`. Nodes carry `key=value` and the taint `key=value`. */
  readonly key: string;
  /** Node label and taint value, e.g. `postgres`. */
  readonly value: string;
  /** @default TaintEffect.NO_SCHEDULE */
  readonly effect?: TaintEffect;
}

/** Where pods run. */
export interface PlacementProps {
  /** @default AntiAffinity.SOFT (by kubernetes.io/hostname) */
  readonly antiAffinity?: AntiAffinity;
  /** @default ZoneSpread.SOFT */
  readonly zoneSpread?: ZoneSpread;
  /** Extra node selector labels. @default - none */
  readonly nodeSelector?: { [key: string]: string };
  /** Extra tolerations. @default - none */
  readonly tolerations?: Toleration[];
  /** Dedicated nodes: nodeSelector plus a toleration of the matching taint. @default - none */
  readonly dedicatedNodes?: DedicatedNodes;
  /** PriorityClass name. @default - none */
  readonly priorityClassName?: string;
}
