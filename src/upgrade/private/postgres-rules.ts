// Internal: upgrade-safety rules for Spilo's bootstrap-time env (PostgresCluster `bootstrap` and
// `standby`). configure_spilo.py renders CLONE_* into Patroni's bootstrap.method and STANDBY_*
// into bootstrap.dcs.standby_cluster; Patroni reads the bootstrap section only when it creates
// the cluster (no initialize key in the DCS yet), so changing either on a running cluster does
// nothing. Not re-exported from index.ts.
import { UpgradeRisk } from '../upgrade-finding';
import { Draft, nsFlag, Obj } from './objects';
import { containersOf, envValue } from './pod';

/** The literal env values with a prefix, of every container, as one comparable string. */
function envWithPrefix(x: Obj, prefix: string): string {
  const pairs = containersOf(x.o).flatMap((c) => (c.env ?? [])
    .filter((e: any) => typeof e?.name === 'string' && e.name.startsWith(prefix))
    .map((e: any) => `${e.name}=${typeof e.value === 'string' ? e.value : JSON.stringify(e.valueFrom ?? null)}`));
  return pairs.sort().join('\n');
}

/** `bootstrap` (CLONE_*) or `standby` (STANDBY_*) added or changed on an existing Patroni cluster. */
export function postgresBootstrapRules(b: Obj, a: Obj): Draft[] {
  // Spilo pods: Spilo reads these names (SPILO_CONFIGURATION, or its SCOPE with a PGVERSION).
  const spilo = (x: Obj) => envValue(x.o, 'SPILO_CONFIGURATION') !== undefined || (envValue(x.o, 'SCOPE') !== undefined && envValue(x.o, 'PGVERSION') !== undefined);
  if (!spilo(b) || !spilo(a)) return [];
  const drafts: Draft[] = [];
  const cloneBefore = envWithPrefix(b, 'CLONE_');
  const cloneAfter = envWithPrefix(a, 'CLONE_');
  if (cloneAfter && cloneAfter !== cloneBefore) {
    drafts.push({
      id: 'postgresBootstrapChanged',
      risk: UpgradeRisk.REJECTED,
      message: `bootstrap ${cloneBefore ? 'changed' : 'added'} on the existing cluster ${a.name}: Patroni runs a bootstrap (restore or clone) only when it creates a cluster, ` +
        'so the running cluster keeps its data and nothing is restored or cloned',
      migration: [
        `to restore or clone: create a new cluster under a new name with the bootstrap (its sourceCluster '${a.name}'), check it, switch the clients, then remove the old one`,
        'or leave the bootstrap out of this cluster (removing it from a cluster it created is safe)',
      ],
    });
  }
  const standbyBefore = envWithPrefix(b, 'STANDBY_');
  const standbyAfter = envWithPrefix(a, 'STANDBY_');
  if (standbyBefore !== standbyAfter) {
    const removed = standbyBefore && !standbyAfter;
    drafts.push({
      id: 'postgresStandbyChanged',
      risk: UpgradeRisk.REJECTED,
      message: removed
        ? `standby removed from ${a.name}: Patroni keeps standby_cluster in its DCS configuration (the bootstrap section applies only at creation), ` +
          'so the cluster stays a read-only standby; removing the prop does not promote it'
        : `standby ${standbyBefore ? 'changed' : 'added'} on the existing cluster ${a.name}: standby_cluster is written to the DCS only when the cluster is created, ` +
          'so the running cluster does not follow the new source',
      migration: removed
        ? [`promote it first: kubectl exec ${a.name}-0 -c postgres${nsFlag(a)} -- patronictl edit-config --force -s standby_cluster=null (docs/postgres.md, "Run a standby in a second region"), then remove the prop`]
        : [
          `change the running cluster with patronictl edit-config (the standby_cluster section), e.g. kubectl exec -it ${a.name}-0 -c postgres${nsFlag(a)} -- patronictl edit-config`,
          'or create a new standby cluster under a new name',
        ],
    });
  }
  return drafts;
}
