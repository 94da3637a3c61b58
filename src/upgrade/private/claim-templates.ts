// Internal: what changed in a StatefulSet's volumeClaimTemplates, field by field, and what to do
// about each kind of change (the orphan-delete re-create adopts the existing claims by name, so
// it only ever changes claims created later). Not re-exported from index.ts.
import { Draft, list, nsFlag, Obj, Outputs, show } from './objects';
import { labelOf, ordinals, sibling } from './pod';
import { canonical, differs, parseQuantity } from './quantity';
import { UpgradeRisk } from '../upgrade-finding';

/** Claim fields fixed once a claim exists: the adopted claims keep their old values. */
const FIXED = ['storageClassName', 'accessModes', 'volumeMode', 'selector', 'dataSource', 'dataSourceRef', 'volumeName', 'volumeAttributesClassName'];

/** One template's change. */
interface TemplateChange {
  readonly name: string;
  readonly what: 'added' | 'removed' | 'changed';
  /** `spec.x a → b` parts. */
  readonly fields: string[];
  readonly grown: boolean;
  readonly shrunk: boolean;
  /** Fixed claim fields that changed. */
  readonly fixed: string[];
  /** Whether only labels/annotations or other fields that don't matter to existing claims changed. */
  readonly other: boolean;
}

function templates(spec: any): Map<string, any> {
  return new Map((spec?.volumeClaimTemplates ?? []).filter((t: any) => t && typeof t === 'object').map((t: any) => [t.metadata?.name, t]));
}

/** The changes of every template, in before's order then after's. */
export function templateChanges(bs: any, as: any): TemplateChange[] {
  const bt = templates(bs);
  const at = templates(as);
  const res: TemplateChange[] = [];
  for (const n of new Set([...bt.keys(), ...at.keys()])) {
    const x = bt.get(n);
    const y = at.get(n);
    if (!differs(x, y)) continue;
    if (!x || !y) {
      res.push({ name: n, what: x ? 'removed' : 'added', fields: [], grown: false, shrunk: false, fixed: [], other: false });
      continue;
    }
    const fields: string[] = [];
    const sx = parseQuantity(x.spec?.resources?.requests?.storage);
    const sy = parseQuantity(y.spec?.resources?.requests?.storage);
    const sizeChanged = sx !== sy;
    if (sizeChanged) fields.push(`spec.resources.requests.storage ${show(x.spec?.resources?.requests?.storage)} → ${show(y.spec?.resources?.requests?.storage)}`);
    const fixed = FIXED.filter((f) => differs(x.spec?.[f], y.spec?.[f]));
    for (const f of fixed) fields.push(`spec.${f} ${show(x.spec?.[f])} → ${show(y.spec?.[f])}`);
    const rest = (t: any) => {
      const requests = { ...t.spec?.resources?.requests, storage: undefined };
      const unfixed = Object.fromEntries(FIXED.map((f) => [f, undefined]));
      return canonical({ ...t, spec: { ...t.spec, ...unfixed, resources: { ...t.spec?.resources, requests } } });
    };
    const other = rest(x) !== rest(y);
    if (other) {
      const meta = differs(x.metadata, y.metadata);
      fields.push(meta ? 'metadata (labels/annotations)' : 'other spec fields');
    }
    res.push({
      name: n,
      what: 'changed',
      fields,
      grown: sizeChanged && sx !== undefined && sy !== undefined && sy > sx,
      shrunk: sizeChanged && sx !== undefined && sy !== undefined && sy < sx,
      fixed,
      other,
    });
  }
  return res;
}

/** `claim template 'data': spec.storageClassName gp3 → fast` for the message. */
export function describeTemplateChanges(changes: TemplateChange[]): string {
  return changes.map((c) => (c.what === 'changed' ? `claim template '${c.name}': ${c.fields.join(', ')}` : `claim template '${c.name}' ${c.what}`)).join('; ');
}

/** How to grow the claims next time, in the words of the construct that wrote the StatefulSet. */
function expandableHint(x: Obj): string {
  const ours = labelOf(x.o, 'app.kubernetes.io/managed-by') === 'cdk8s-stateful';
  const app = labelOf(x.o, 'app.kubernetes.io/name');
  if (ours && app === 'postgres') {
    return "or, once and for good: set 'expandable: true' in the cluster's storage (with claimTemplateSize and walClaimTemplateSize at the sizes it was created with) "
      + 'so the library writes the claims and grows them in place (docs/postgres.md#grow-the-volumes)';
  }
  if (ours && app === 'kafka') return "or, once and for good: set 'expandable: true' in the pool's storage options so the library writes the claims and grows them in place";
  return "or, once and for good: set 'expandable: true' on the data volume (StatefulWorkload dataVolumes) so the library writes the claims and grows them in place";
}

/** The migration steps for a StatefulSet whose fields outside the mutable set changed. */
export function immutableFieldMigration(out: Outputs, b: Obj, changed: string[], changes: TemplateChange[]): string[] {
  const ns = nsFlag(b);
  const steps = [
    `kubectl delete statefulset ${b.name}${ns} --cascade=orphan   # pods and claims keep running`,
    'kubectl apply the new output: the new StatefulSet adopts the pods and the claims <template>-<statefulset>-<ordinal> by name',
  ];
  const grown = changes.filter((c) => c.grown).map((c) => c.name);
  if (grown.length) {
    steps.unshift(`allow expansion on the class, then grow each existing claim: kubectl patch pvc <${grown.join('|')}>-${b.name}-<ordinal>${ns} ` +
      '-p \'{"spec":{"resources":{"requests":{"storage":"<size>"}}}}\'');
    steps.push(expandableHint(b));
  }
  // Claims the output carries as objects (expandable volumes) exist before the pods: the
  // controller adopts them by name and never creates one from the template.
  const a = sibling(out, b, 'StatefulSet', b.name);
  const carried = (t: string) => ordinals(a?.o ?? b.o).every((i) => out.after.has(`PersistentVolumeClaim|${b.namespace ?? ''}|${t}-${b.name}-${i}`));
  for (const c of changes.filter((x) => x.what !== 'added' && carried(x.name))) {
    steps.push(`claim template '${c.name}' ${c.what === 'removed' ? 'is removed' : 'changes'}, and the output now carries its claims ${c.name}-${b.name}-<ordinal> ` +
      'as objects (expandable): the apply adopts the existing claims by name, and the template is never used for them');
  }
  const shrunk = changes.filter((c) => c.shrunk && !carried(c.name)).map((c) => c.name);
  if (shrunk.length) {
    steps.push(`claim template(s) ${list(shrunk)} shrink: a claim never shrinks, so the adopted claims keep their size and only claims created later are smaller; ` +
      'keep the size, or move the data to new, smaller volumes under a new StatefulSet name');
  }
  const fixed = changes.filter((c) => c.fixed.length);
  if (fixed.length) {
    const fields = [...new Set(fixed.flatMap((c) => c.fixed))];
    const names = fixed.map((c) => `${c.name}-${b.name}-<ordinal>`);
    steps.push(`beware: steps 1-2 move no data and change no existing claim: the adopted claims ${list(names)} keep their old ${list(fields.map((f) => `spec.${f}`))}; ` +
      'only claims created later (new ordinals) get the new values, so the StatefulSet ends up mixed');
    steps.push('the real migration: deploy under a new StatefulSet name (the workload\'s \'name\'), copy the data into it (backup and restore, or join it as replicas and fail over), ' +
      'switch the clients, then remove the old StatefulSet and, once the data is safe, its claims');
    steps.push('or, for a replicated system, one member at a time after steps 1-2: delete the claim and the pod together ' +
      `(kubectl delete pvc ${fixed[0].name}-${b.name}-<n>${ns} --wait=false; kubectl delete pod ${b.name}-<n>${ns}) so the pod comes back on a new claim ` +
      'with the new values and resyncs from its peers; wait until it has caught up before the next');
  }
  for (const c of changes.filter((x) => x.what === 'added')) {
    steps.push(`claim template '${c.name}' is new: the controller creates ${c.name}-${b.name}-<ordinal> for each pod, and a pod mounts it only once recreated ` +
      '(delete the pods one at a time); data the container kept at that path before is not moved there');
  }
  for (const c of changes.filter((x) => x.what === 'removed' && !carried(x.name))) {
    steps.push(`claim template '${c.name}' is removed: its claims ${c.name}-${b.name}-* stay behind, unused (orphaned); delete them by hand once their data is no longer needed`);
  }
  if (changes.some((c) => c.other && !c.fixed.length && !c.grown && !c.shrunk)) {
    steps.push('template labels/annotations only reach claims created later; label or annotate the existing claims by hand if something selects them');
  }
  if (changed.includes('selector')) {
    steps.push('a new selector does not match the running pods: they are replaced after the orphan delete; keep the selector unless you mean to');
  }
  return steps;
}

/** The finding for a StatefulSet spec change outside the mutable fields. */
export function immutableFieldDraft(out: Outputs, b: Obj, bs: any, as: any, changed: string[], mutable: string[]): Draft {
  const changes = changed.includes('volumeClaimTemplates') ? templateChanges(bs, as) : [];
  const onlyGrowth = changed.length === 1 && changes.length > 0 && changes.every((c) => c.grown && !c.fixed.length && !c.other);
  const detail = changes.length ? ` (${describeTemplateChanges(changes)})` : '';
  const tail = changes.length ? '; volumeClaimTemplates are immutable' : '';
  return {
    id: onlyGrowth ? 'claimTemplateGrowth' : 'statefulSetImmutableField',
    risk: UpgradeRisk.REJECTED,
    message: `spec.${changed.join(', spec.')} changed${detail}; a StatefulSet update may only change ${mutable.join(', ')}${tail}`,
    migration: immutableFieldMigration(out, b, changed, changes),
  };
}
