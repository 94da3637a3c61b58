import { App } from 'cdk8s';
import { immutableFieldDraft } from './private/claim-templates';
import { redisClusterRules, zookeeperRules } from './private/coordination-rules';
import { formatFindings } from './private/format';
import { kafkaStatefulSetRules, kafkaTopicRules } from './private/kafka-rules';
import { mariadbSeriesRule } from './private/mariadb-rules';
import { mongoScaleDownRule } from './private/mongodb-rules';
import { Draft, index, key, list, nsFlag, Obj } from './private/objects';
import { postgresBootstrapRules } from './private/postgres-rules';
import { differs, parseQuantity } from './private/quantity';
import { ordinalsRule, postgresMajorRule, quorumShrinkRule } from './private/workload-rules';
import { UnsafeUpgradeError } from './unsafe-upgrade-error';
import { UpgradeCheckOptions, UpgradeFinding, UpgradeRisk } from './upgrade-finding';

const ID = '@cdk8s-stateful/policy';
/** The StatefulSet spec fields an update may change (apps/v1 validation). */
const STS_MUTABLE = new Set(['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']);
const SC_IMMUTABLE = ['provisioner', 'parameters', 'reclaimPolicy', 'volumeBindingMode'];
/** PersistentVolume fields that cannot change once created (the volume source and placement). */
const PV_IMMUTABLE = ['local', 'hostPath', 'csi', 'nfs', 'nodeAffinity', 'volumeMode'];

/**
 * Compares two synth outputs (the one deployed and the new one) and reports, before deploy,
 * every change the API server would reject, that would delete or orphan data, or that the
 * running system cannot carry out: StatefulSet fields outside the mutable set, renamed pods
 * (`ordinals.start`), shrinking claims, immutable StorageClass, PersistentVolume and Job
 * fields, removed or renamed stateful objects, a shrinking quorum, Kafka voter, node id,
 * cluster id, broker scale-in and topic changes, a PostgreSQL major version change, and a
 * MongoDB replica set losing members.
 * Every finding id is listed in docs/upgrade-safety.md.
 *
 * ```ts
 * const before = Yaml.load('deployed/app.k8s.yaml');
 * UpgradeSafety.assertSafe(before, UpgradeSafety.objectsOf(app));
 * ```
 */
export class UpgradeSafety {
  /** Every object an app synthesizes, in output order (validates the app first, as synth does). */
  public static objectsOf(app: App): any[] {
    app.synthYaml();
    return app.charts.flatMap((c) => c.toJson());
  }

  /** The unsafe changes from `before` to `after`, in `before`'s object order then `after`'s. */
  public static check(before: any[], after: any[], options: UpgradeCheckOptions = {}): UpgradeFinding[] {
    const findings = new Checker(index(before), index(after)).run();
    const acks = new Set(options.acknowledge ?? []);
    return findings.filter((f) => !acks.has(f.id) && !acks.has(`${f.id}:${f.kind}/${f.name}`));
  }

  /**
   * Throws an error listing every finding with its migration steps, if there is one
   * (TypeScript: `UnsafeUpgradeError` from `cdk8s-stateful/lib/upgrade/unsafe-upgrade-error`,
   * with the findings; any language: the message).
   */
  public static assertSafe(before: any[], after: any[], options: UpgradeCheckOptions = {}): void {
    const findings = UpgradeSafety.check(before, after, options);
    if (findings.length) throw new UnsafeUpgradeError(findings);
  }

  /** Findings as readable text, one block each, with their migration steps. */
  public static format(findings: UpgradeFinding[]): string {
    return formatFindings(findings);
  }

  private constructor() {}
}

/**
 * A claim or PV spec as the API server stores it: `volumeMode` left out is defaulted to
 * Filesystem (SetDefaults_PersistentVolumeClaimSpec, SetDefaults_PersistentVolume; also inside
 * StatefulSet volumeClaimTemplates), so writing it out later is no change.
 */
function withVolumeModeDefault(spec: any): any {
  return spec && typeof spec === 'object' ? { ...spec, volumeMode: spec.volumeMode ?? 'Filesystem' } : spec;
}

/** A StatefulSet spec with the server defaults the comparison must not trip over. */
function defaultedStatefulSetSpec(spec: any): any {
  const s = { podManagementPolicy: 'OrderedReady', ...spec };
  if (Array.isArray(s.volumeClaimTemplates)) {
    s.volumeClaimTemplates = s.volumeClaimTemplates.map((t: any) => (t && typeof t === 'object' ? { ...t, spec: withVolumeModeDefault(t.spec) } : t));
  }
  return s;
}

function storageOf(spec: any): number | undefined {
  return parseQuantity(spec?.resources?.requests?.storage);
}

class Checker {
  private readonly findings: UpgradeFinding[] = [];

  constructor(private readonly before: Map<string, Obj>, private readonly after: Map<string, Obj>) {}

  public run(): UpgradeFinding[] {
    for (const [k, b] of this.before) {
      const a = this.after.get(k);
      switch (b.kind) {
        case 'StatefulSet':
          if (a) this.statefulSet(b, a); else this.statefulSetRemoved(b);
          break;
        case 'PersistentVolumeClaim':
          if (a) this.claim(b, a); else this.claimRemoved(b);
          break;
        case 'StorageClass':
          if (a) this.storageClass(b, a); else this.storageClassRemoved(b);
          break;
        case 'PersistentVolume':
          if (a) this.persistentVolume(b, a); else this.persistentVolumeRemoved(b);
          break;
        case 'Job':
          if (a) this.job(b, a);
          break;
        default:
          break;
      }
    }
    for (const t of kafkaTopicRules(this.outputs)) this.addDraft(t.job, t.draft);
    return this.findings;
  }

  private get outputs() {
    return { before: this.before, after: this.after };
  }

  private add(x: Obj, id: string, risk: UpgradeRisk, message: string, migration: string[]): void {
    this.findings.push({ id: `${ID}:${id}`, risk, kind: x.kind, name: x.name, namespace: x.namespace, message, migration });
  }

  private addDraft(x: Obj, d: Draft): void {
    this.add(x, d.id, d.risk, d.message, d.migration);
  }

  private ns(x: Obj): string {
    return nsFlag(x);
  }

  // ------------------------------------------------------------ StatefulSet

  private statefulSet(b: Obj, a: Obj): void {
    // Left out means the server default: writing the default explicitly is no change.
    const bs = defaultedStatefulSetSpec(b.o.spec);
    const as = defaultedStatefulSetSpec(a.o.spec);
    const changed = [...new Set([...Object.keys(bs), ...Object.keys(as)])]
      .filter((f) => !STS_MUTABLE.has(f) && differs(bs[f], as[f]))
      .sort();
    if (changed.length) this.addDraft(b, immutableFieldDraft(this.outputs, b, bs, as, changed, [...STS_MUTABLE]));
    const br = bs.persistentVolumeClaimRetentionPolicy ?? {};
    const ar = as.persistentVolumeClaimRetentionPolicy ?? {};
    if ((br.whenDeleted ?? 'Retain') === 'Retain' && ar.whenDeleted === 'Delete') {
      this.add(b, 'retentionDelete', UpgradeRisk.DATA_LOSS,
        'persistentVolumeClaimRetentionPolicy.whenDeleted changed to Delete: deleting the StatefulSet will delete its claims (and, with a Delete reclaim policy, the disks)',
        ['keep RetentionPolicy.RETAIN unless the data is disposable', 'acknowledge this finding only after a backup you have restored once']);
    }
    const scaledDown = (as.replicas ?? 1) < (bs.replicas ?? 1);
    if (scaledDown && ar.whenScaled === 'Delete') {
      this.add(b, 'scaleDownDeletesClaims', UpgradeRisk.DATA_LOSS,
        `replicas ${bs.replicas ?? 1} → ${as.replicas ?? 1} with whenScaled Delete deletes the claims of the removed ordinals`,
        ['set whenScaled to RetentionPolicy.RETAIN before scaling down, or back up the removed members first']);
    }
    const drafts = [
      ...ordinalsRule(this.outputs, b, a),
      ...kafkaStatefulSetRules(this.outputs, b, a),
      ...quorumShrinkRule(this.outputs, b, a),
      ...postgresMajorRule(this.outputs, b, a),
      ...postgresBootstrapRules(b, a),
      ...mongoScaleDownRule(b, a),
      ...mariadbSeriesRule(b, a),
      ...zookeeperRules(b, a),
      ...redisClusterRules(this.outputs, b, a),
    ];
    for (const d of drafts) this.addDraft(b, d);
  }

  private statefulSetRemoved(b: Obj): void {
    const claims = (b.o.spec?.volumeClaimTemplates ?? []).map((t: any) => t.metadata?.name).filter((n: any) => n);
    // A new StatefulSet with the same claim templates in the same namespace is most likely a rename.
    const templateNames = (x: Obj) => (x.o.spec?.volumeClaimTemplates ?? []).map((t: any) => t.metadata?.name);
    const renamedTo = claims.length ? [...this.after.values()].find((a) =>
      a.kind === 'StatefulSet' && !this.before.has(key(a)) && a.namespace === b.namespace && !differs(templateNames(a), claims)) : undefined;
    const deletes = b.o.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete';
    const risk = claims.length && deletes ? UpgradeRisk.DATA_LOSS : UpgradeRisk.ORPHANED;
    const what = claims.length
      ? (deletes ? 'its claims are deleted with it (whenDeleted Delete)' : `its claims (${claims.map((c: string) => `${c}-${b.name}-*`).join(', ')}) stay behind, unused`)
      : 'its pods are deleted';
    if (renamedTo) {
      this.add(b, 'statefulSetRenamed', risk,
        `renamed to ${renamedTo.name}: the new StatefulSet starts with new, empty claims (<template>-${renamedTo.name}-<ordinal>) and ${what}`,
        [`keep the name: set the workload's 'name' prop to '${b.name}'`,
          'or migrate the data (backup and restore, or replication) into the new StatefulSet before removing the old one']);
    } else {
      this.add(b, 'statefulSetRemoved', risk, `removed: ${what}`,
        ['back up the data first', `after the StatefulSet is gone, delete its claims by hand if the data is no longer needed: kubectl delete pvc -l <selector>${this.ns(b)}`]);
    }
  }

  // ------------------------------------------------------------ PersistentVolumeClaim

  private claim(b: Obj, a: Obj): void {
    const bs = withVolumeModeDefault(b.o.spec ?? {});
    const as = withVolumeModeDefault(a.o.spec ?? {});
    const sb = storageOf(bs);
    const sa = storageOf(as);
    if (sb !== undefined && sa !== undefined && sa < sb) {
      this.add(b, 'claimShrink', UpgradeRisk.REJECTED,
        `storage request ${bs.resources.requests.storage} → ${as.resources.requests.storage}: a PersistentVolumeClaim can never shrink`,
        ['keep the size (volumes only grow)',
          'to really shrink: create a new, smaller volume under a new name, copy the data (backup/restore or replication), then switch the workload to it']);
    }
    const changed = ['accessModes', 'storageClassName', 'volumeMode', 'selector', 'volumeName', 'dataSource', 'dataSourceRef']
      .filter((f) => as[f] !== undefined && differs(bs[f], as[f]));
    if (changed.length) {
      this.add(b, 'claimImmutableField', UpgradeRisk.REJECTED,
        `spec.${changed.join(', spec.')} changed; after creation a claim may only change its storage request`,
        ['keep these fields as they are', 'to move the data to another class or mode: create a new claim, copy the data, then switch the workload to it']);
    }
    if (sb !== undefined && sa !== undefined && sa > sb) {
      const cls = [...this.after.values()].find((x) => x.kind === 'StorageClass' && x.name === as.storageClassName);
      if (cls && cls.o.allowVolumeExpansion !== true) {
        this.add(b, 'claimExpansionNotAllowed', UpgradeRisk.REJECTED,
          `storage request grows to ${as.resources.requests.storage} but StorageClass ${cls.name} does not allow volume expansion`,
          [`set allowVolumeExpansion: true on StorageClass ${cls.name} (it may change) if the driver supports expansion`, 'or keep the size']);
      }
    }
  }

  private claimRemoved(b: Obj): void {
    const ann = b.o.metadata?.annotations ?? {};
    const keeps = [
      ann['helm.sh/resource-policy'] === 'keep' ? 'Helm (helm.sh/resource-policy: keep)' : undefined,
      /(^|,)\s*Prune=false\s*(,|$)/.test(ann['argocd.argoproj.io/sync-options'] ?? '') ? 'Argo CD (sync-options Prune=false)' : undefined,
      ann['kustomize.toolkit.fluxcd.io/prune'] === 'disabled' ? 'Flux (kustomize.toolkit.fluxcd.io/prune: disabled)' : undefined,
    ].filter((k): k is string => k !== undefined);
    const deleters = ['Helm', 'Argo CD', 'Flux'].filter((t) => !keeps.some((k) => k.startsWith(t)));
    const migration = [
      'keep the claim in the output while its data matters (scale down first, then remove the claim on purpose)',
      `or back up its data, then acknowledge this finding and delete the claim by hand: kubectl delete pvc ${b.name}${this.ns(b)}`,
    ];
    if (keeps.length === 3) {
      this.add(b, 'claimRemoved', UpgradeRisk.ORPHANED,
        `removed from the output: the claim carries keep annotations, so ${list(keeps)} leave it and its disk in place, unused; ` +
          'only a pruning kubectl apply (--prune, which has no opt-out) deletes it, and with a Delete reclaim policy the disk',
        migration);
    } else {
      this.add(b, 'claimRemoved', UpgradeRisk.DATA_LOSS,
        `removed from the output: a pruning apply (kubectl --prune, ${list(deleters)}) deletes the claim, and with a Delete reclaim policy the disk` +
          (keeps.length ? ` (only ${list(keeps)} ${keeps.length === 1 ? 'keeps' : 'keep'} it)` : ''),
        migration);
    }
  }

  // ------------------------------------------------------------ StorageClass

  private storageClass(b: Obj, a: Obj): void {
    // Left out, reclaimPolicy is Delete and volumeBindingMode Immediate (SetDefaults_StorageClass);
    // no parameters and an empty map are the same.
    const norm = (o: any) => ({
      provisioner: o.provisioner,
      parameters: o.parameters && Object.keys(o.parameters).length ? o.parameters : undefined,
      reclaimPolicy: o.reclaimPolicy ?? 'Delete',
      volumeBindingMode: o.volumeBindingMode ?? 'Immediate',
    } as { [k: string]: unknown });
    const bn = norm(b.o);
    const an = norm(a.o);
    const changed = SC_IMMUTABLE.filter((f) => differs(bn[f], an[f]));
    if (changed.length) {
      this.add(b, 'storageClassImmutableField', UpgradeRisk.REJECTED,
        `${changed.join(', ')} changed; StorageClass ${SC_IMMUTABLE.join(', ')} are immutable (only allowVolumeExpansion, mountOptions and allowedTopologies may change)`,
        ['give the new settings a new class name; existing volumes keep the old class',
          `or: kubectl delete storageclass ${b.name}, then apply (existing volumes are unaffected, new ones get the new settings)`]);
    }
    if (b.o.allowVolumeExpansion === true && a.o.allowVolumeExpansion !== true) {
      const claims = [...this.after.values()].filter((x) => x.kind === 'PersistentVolumeClaim' && x.o.spec?.storageClassName === b.name).map((x) => x.name);
      this.add(b, 'storageClassExpansionDisabled', UpgradeRisk.BLOCKS_LATER_CHANGES,
        'allowVolumeExpansion turned off: the API server accepts this and existing volumes keep their size, but growing any claim of this class ' +
          `later is rejected${claims.length ? ` (claims of this class in the output: ${list(claims)})` : ''}`,
        ['keep allowVolumeExpansion: true while any workload may need to grow volumes of this class',
          'if you mean it, acknowledge this finding: turn expansion back on before growing a claim of this class']);
    }
  }

  private storageClassRemoved(b: Obj): void {
    const users = [...this.after.values()].filter((x) => x.kind === 'PersistentVolumeClaim' && x.o.spec?.storageClassName === b.name ||
      x.kind === 'StatefulSet' && (x.o.spec?.volumeClaimTemplates ?? []).some((t: any) => t.spec?.storageClassName === b.name));
    this.add(b, 'storageClassRemoved', UpgradeRisk.ORPHANED,
      `removed or renamed${users.length ? `, but ${users.map((u) => `${u.kind}/${u.name}`).join(', ')} still use(s) it` : ''}: existing volumes keep their data, ` +
        'new claims of the class stay Pending, and a renamed class means new claims land on new, empty disks',
      ['keep the class (and its name) while volumes of it exist', 'to change class: create the new one beside it, migrate the data, then remove the old one']);
  }

  // ------------------------------------------------------------ Job

  /** A Job's pod template is immutable: the same name with another template is rejected. */
  private job(b: Obj, a: Obj): void {
    if (!differs(b.o.spec?.template, a.o.spec?.template)) return;
    this.add(b, 'jobTemplateImmutable', UpgradeRisk.REJECTED,
      'spec.template changed under the same name; a Job\'s pod template is immutable, so the apply is rejected',
      ['give the Job a new name whenever its pod template changes (e.g. a hash of the template in the name)',
        `or delete the finished Job before applying: kubectl delete job ${b.name}${this.ns(b)}`]);
  }

  // ------------------------------------------------------------ PersistentVolume

  private persistentVolume(b: Obj, a: Obj): void {
    const bs = withVolumeModeDefault(b.o.spec ?? {});
    const as = withVolumeModeDefault(a.o.spec ?? {});
    const changed = [...PV_IMMUTABLE, 'storageClassName', 'accessModes'].filter((f) => differs(bs[f], as[f]));
    if (changed.length) {
      this.add(b, 'persistentVolumeImmutableField', UpgradeRisk.REJECTED,
        `spec.${changed.join(', spec.')} changed; a PersistentVolume's source, node affinity, mode and class are fixed once it exists`,
        ['describe a different disk as a new PersistentVolume (new name) instead of editing this one',
          `once no claim is bound to it: kubectl delete pv ${b.name}, then apply (deleting a PV object does not wipe the disk)`]);
    }
    if ((bs.persistentVolumeReclaimPolicy ?? 'Retain') === 'Retain' && as.persistentVolumeReclaimPolicy === 'Delete') {
      this.add(b, 'persistentVolumeReclaimDelete', UpgradeRisk.DATA_LOSS,
        'persistentVolumeReclaimPolicy changed to Delete: releasing the claim destroys the volume',
        ['keep Retain for data you cannot recreate']);
    }
  }

  private persistentVolumeRemoved(b: Obj): void {
    this.add(b, 'persistentVolumeRemoved', UpgradeRisk.ORPHANED,
      'removed from the output: a pruning apply deletes the PV object; the data stays on the disk but no claim can reach it',
      ['keep the PersistentVolume in the output while its disk holds data', `to retire the disk: move the data off, delete the claim, then kubectl delete pv ${b.name} and wipe the disk on the node`]);
  }
}
