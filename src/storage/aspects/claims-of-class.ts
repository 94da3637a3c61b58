// The claims of one StorageClass anywhere in the app, for the checks that need volume sizes (the
// LocalVolumePool inventory, per-volume driver rules). Not re-exported from index.ts.
import { ApiObject, Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { kibibytes, sizeToQuantity } from '../../core/units';
import { StatefulWorkload } from '../../core/workload/stateful-workload';
import { AccessMode, VolumeMode } from '../../core/workload/volumes';

/** Claims of one class that one construct makes: a workload's data volume, or a standalone claim. */
export interface ClaimsOfClass {
  /** `<workload path>: data volume 'data'` or `<path>: PersistentVolumeClaim 'backup'`, for messages. */
  readonly where: string;
  /** The data volume or claim name. */
  readonly volume: string;
  /** Requested size in KiB (NaN when the request is not a quantity). */
  readonly kib: number;
  /** The request as written, e.g. `10Gi`. */
  readonly quantity: string;
  /** How many claims: the replicas of a workload, 1 for a standalone claim. */
  readonly count: number;
  readonly accessModes: string[];
  readonly volumeMode: VolumeMode;
  /** Whether the claims' pods must run on distinct nodes (hard anti-affinity). */
  readonly hardAntiAffinity: boolean;
  /** The workload's path, for messages about its replicas. @default - a standalone claim */
  readonly workloadPath?: string;
}

/**
 * Visits the tree (pre-order) and collects every claim of `className`: the data volumes of each
 * StatefulWorkload (one claim per replica; their per-ordinal `expandable` claims are the same
 * claims, not counted twice), and every other PersistentVolumeClaim object (a backup claim, a
 * user's `k8s.KubePersistentVolumeClaim`). With `includeDefault`, claims that name no class (the
 * cluster's default class) too.
 */
export class ClaimsOfClassVisitor {
  /** The claims of `className` under `root`. */
  public static run(root: IConstruct, className: string, includeDefault: boolean = false): ClaimsOfClass[] {
    const v = new ClaimsOfClassVisitor(className, includeDefault);
    const all = root.node.findAll();
    for (const c of all) if (c instanceof StatefulWorkload) for (const claim of c.volumes.claims) v.owned.add(claim);
    for (const c of all) v.visit(c);
    return v.found;
  }

  private readonly found: ClaimsOfClass[] = [];
  private readonly owned = new Set<ApiObject>();

  private constructor(private readonly className: string, private readonly includeDefault: boolean) {}

  private matches(name: string | undefined): boolean {
    return name === undefined ? this.includeDefault : name === this.className;
  }

  private visit(node: IConstruct): void {
    if (node instanceof StatefulWorkload) {
      for (const v of node.volumes.data) {
        if (!this.matches(v.storageClass?.storageClassName)) continue;
        this.found.push({
          where: `${node.node.path}: data volume '${v.name}'`,
          volume: v.name,
          kib: kibibytes(v.size),
          quantity: quantityText(v.size),
          count: node.replicas,
          accessModes: [v.accessMode ?? AccessMode.READ_WRITE_ONCE],
          volumeMode: v.volumeMode ?? VolumeMode.FILESYSTEM,
          hardAntiAffinity: node.scheduling.hardAntiAffinity,
          workloadPath: node.node.path,
        });
      }
      return;
    }
    if (!ApiObject.isApiObject(node) || node.kind !== 'PersistentVolumeClaim' || this.owned.has(node)) return;
    const spec = node.toJson().spec ?? {};
    if (!this.matches(spec.storageClassName)) return;
    const quantity = String(spec.resources?.requests?.storage ?? '');
    this.found.push({
      where: `${node.node.path}: PersistentVolumeClaim '${node.name}'`,
      volume: node.name,
      kib: quantityKib(quantity),
      quantity,
      count: 1,
      accessModes: spec.accessModes ?? [],
      volumeMode: spec.volumeMode === VolumeMode.BLOCK ? VolumeMode.BLOCK : VolumeMode.FILESYSTEM,
      hardAntiAffinity: false,
    });
  }
}

function quantityText(size: Size): string {
  const kib = kibibytes(size);
  return Number.isFinite(kib) ? sizeToQuantity(size) : String(kib);
}

const BINARY: { [suffix: string]: number } = { '': 1 / 1024, 'Ki': 1, 'Mi': 1024, 'Gi': 1024 ** 2, 'Ti': 1024 ** 3, 'Pi': 1024 ** 4, 'Ei': 1024 ** 5 };
const DECIMAL: { [suffix: string]: number } = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** KiB of a storage quantity (`10Gi`, `500M`, `1e9`); NaN when it is not one. */
export function quantityKib(q: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|[eE][0-9]+)?$/.exec(q);
  if (!m) return NaN;
  const n = Number(m[1]);
  const s = m[2] ?? '';
  if (s in BINARY) return n * BINARY[s];
  if (s in DECIMAL) return (n * DECIMAL[s]) / 1024;
  return Number(q) / 1024;
}
