import { k8s } from 'cdk8s-plus-28';

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

/**
 * Where a workload's pods run, rendered from `PlacementProps`: anti-affinity by hostname and
 * spread over zones (soft by default), node selector and tolerations (dedicated nodes), priority.
 */
export class WorkloadScheduling {
  /** How strongly pods avoid sharing a node. */
  public readonly antiAffinity: AntiAffinity;
  /** How pods spread over zones. */
  public readonly zoneSpread: ZoneSpread;

  /**
   * @param selector the workload's selector labels (the anti-affinity and spread terms match them)
   * @param placement the placement props
   */
  constructor(private readonly selector: { [key: string]: string }, private readonly placement: PlacementProps = {}) {
    this.antiAffinity = placement.antiAffinity ?? AntiAffinity.SOFT;
    this.zoneSpread = placement.zoneSpread ?? ZoneSpread.SOFT;
  }

  /** Whether pods are kept on different nodes (hard anti-affinity). */
  public get hardAntiAffinity(): boolean {
    return this.antiAffinity === AntiAffinity.HARD;
  }

  /** @internal The scheduling fields of the pod spec. */
  public _toKube(): Pick<k8s.PodSpec, 'priorityClassName' | 'nodeSelector' | 'tolerations' | 'affinity' | 'topologySpreadConstraints'> {
    const p = this.placement;
    const nodeSelector: { [k: string]: string } = { ...(p.nodeSelector ?? {}) };
    const tolerations: k8s.Toleration[] = (p.tolerations ?? []).map(tolerationToKube);
    if (p.dedicatedNodes) {
      const d = p.dedicatedNodes;
      nodeSelector[d.key] = d.value;
      tolerations.push({ key: d.key, operator: 'Equal', value: d.value, effect: d.effect ?? TaintEffect.NO_SCHEDULE });
    }
    return {
      priorityClassName: p.priorityClassName,
      nodeSelector: Object.keys(nodeSelector).length ? nodeSelector : undefined,
      tolerations: tolerations.length ? tolerations : undefined,
      affinity: this.affinity(),
      topologySpreadConstraints: this.spread(),
    };
  }

  private affinity(): k8s.Affinity | undefined {
    const term: k8s.PodAffinityTerm = {
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: this.selector },
    };
    switch (this.antiAffinity) {
      case AntiAffinity.HARD:
        return { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };
      case AntiAffinity.SOFT:
        return { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } };
      default:
        return undefined;
    }
  }

  private spread(): k8s.TopologySpreadConstraint[] | undefined {
    if (this.zoneSpread === ZoneSpread.NONE) return undefined;
    return [{
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: this.zoneSpread === ZoneSpread.HARD ? 'DoNotSchedule' : 'ScheduleAnyway',
      labelSelector: { matchLabels: this.selector },
    }];
  }
}

/** Toleration → k8s.Toleration: no value means "any value" (operator Exists). */
export function tolerationToKube(t: Toleration): k8s.Toleration {
  return { key: t.key, operator: t.value === undefined ? 'Exists' : 'Equal', value: t.value, effect: t.effect };
}
