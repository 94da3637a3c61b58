// The cross-tree check of a LocalVolumePool: the claims of the pool's class (workloads' data
// volumes and standalone claims), against the pool's disks. Not re-exported from index.ts.
import { IConstruct } from 'constructs';
import { ClaimsOfClass, ClaimsOfClassVisitor } from './claims-of-class';
import { sizeToQuantity } from '../../core/units';
import { AccessMode, VolumeMode } from '../../core/workload/volumes';
import { Disk } from '../private/local-disks';

/**
 * Visits the claims of the pool's class (data volumes of workloads, and standalone claims such as a
 * Postgres backup claim) and collects, by warning id, what cannot bind to the pool: an access mode
 * other than ReadWriteOnce, a volume larger than every disk, more hard-anti-affinity replicas than
 * nodes with a fitting disk, and (after every visit) more claims than disks.
 *
 * Shaped as an aspect (`visit(node)` over the tree), but run by the pool's validation: constructs
 * 10 has no `Aspects` (aws-cdk-lib keeps its own) and cdk8s 2.70 neither defines nor invokes any;
 * `App.synth()`, `Chart.toJson()` and `LinearApp` only run `node.validate()`, once the tree is
 * complete. So `LocalVolumePoolCheck.run` applies the visitor to the tree from that validation.
 */
export class LocalVolumePoolCheck {
  /** Applies a new check to every claim of the pool's class under `root`, and returns its findings. */
  public static run(root: IConstruct, className: string, disks: Disk[]): Map<string, string[]> {
    const check = new LocalVolumePoolCheck(className, disks);
    for (const c of ClaimsOfClassVisitor.run(root, className)) check.visit(c);
    return check.findings();
  }

  private readonly problems = new Map<string, string[]>();
  private readonly claims = new Map<VolumeMode, number>();

  private constructor(private readonly className: string, private readonly disks: Disk[]) {}

  /** Checks the claims of one data volume or one standalone claim of the pool's class. */
  private visit(c: ClaimsOfClass): void {
    // The pool's PVs offer ReadWriteOnce only, and a claim binds only to a PV that has every
    // access mode it asks for: any other mode leaves the claim (and the pod) Pending.
    const access = c.accessModes.find((m) => m !== AccessMode.READ_WRITE_ONCE);
    if (access !== undefined) {
      this.report('accessModeUnsupported', `${c.where} asks for access mode ${access}, but the pool's PersistentVolumes are ReadWriteOnce; ` +
        'use AccessMode.READ_WRITE_ONCE (a local disk is attached to one node)');
      return;
    }
    // Without declared disks (discovery mode) only the access mode can be checked.
    if (!this.disks.length || Number.isNaN(c.kib)) return;
    const mode = c.volumeMode;
    this.claims.set(mode, (this.claims.get(mode) ?? 0) + c.count);
    const fitting = this.disks.filter((d) => d.volumeMode === mode && d.kib >= c.kib);
    if (!fitting.length && c.count > 0) {
      const largest = this.disks.filter((d) => d.volumeMode === mode).sort((a, b) => b.kib - a.kib)[0];
      this.report('claimLargerThanDisks', `${c.where} asks for ${c.quantity} but ` +
        (largest ? `the largest ${mode} disk holds ${sizeToQuantity(largest.capacity)}` : `the pool has no ${mode} disks`) +
        '; lower the size or add larger disks');
      return;
    }
    const nodes = new Set(fitting.map((d) => d.node));
    if (c.workloadPath && c.hardAntiAffinity && c.count > nodes.size) {
      this.report('replicasExceedNodes', `${c.workloadPath}: ${c.count} replicas with hard anti-affinity need ${c.count} nodes, ` +
        `but only ${nodes.size} node(s) have a ${mode} disk of ${c.quantity} or more for '${c.volume}'; add disks on more nodes or lower replicas`);
    }
  }

  /** Messages by warning id, in the order found, with the claims-against-inventory totals last. */
  private findings(): Map<string, string[]> {
    for (const [mode, n] of this.claims) {
      const have = this.disks.filter((d) => d.volumeMode === mode).length;
      if (n > have) {
        this.report('claimsExceedInventory', `workloads claim ${n} ${mode} volume(s) of class '${this.className}' but the pool has ${have} ${mode} disk(s); ` +
          'add disks or lower replicas (extra pods stay Pending)');
      }
    }
    return this.problems;
  }

  private report(id: string, message: string): void {
    this.problems.set(id, [...(this.problems.get(id) ?? []), message]);
  }
}
