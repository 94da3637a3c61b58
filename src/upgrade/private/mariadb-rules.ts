// Internal: upgrade-safety rules for MariaDB StatefulSets (the official image's tag). Not
// re-exported from index.ts.
import { UpgradeRisk } from '../upgrade-finding';
import { Draft, Obj } from './objects';
import { containersOf } from './pod';

/** The MariaDB release series (major.minor) of a StatefulSet's official mariadb image, e.g. [11, 4]. */
export function mariadbSeries(x: Obj): [number, number] | undefined {
  for (const c of containersOf(x.o)) {
    const m = /^(?:.*\/)?mariadb:(\d+)\.(\d+)/.exec(typeof c.image === 'string' ? c.image : '');
    if (m) return [Number(m[1]), Number(m[2])];
  }
  return undefined;
}

/**
 * A MariaDB series downgrade (11.4 → 10.11): the data files and system tables of the newer
 * series are not readable by an older one, and a replica older than its primary may not parse
 * its binary log. Patch releases within a series, and upgrades, are not flagged: a StatefulSet
 * rolls the highest ordinal first, so the replicas are upgraded before the primary, the order
 * MariaDB replication supports.
 */
export function mariadbSeriesRule(b: Obj, a: Obj): Draft[] {
  const from = mariadbSeries(b);
  const to = mariadbSeries(a);
  if (!from || !to || to[0] > from[0] || (to[0] === from[0] && to[1] >= from[1])) return [];
  return [{
    id: 'mariadbSeriesDowngrade',
    risk: UpgradeRisk.REJECTED,
    message: `MariaDB ${from.join('.')} → ${to.join('.')}: MariaDB does not support downgrading across release series; the ${to.join('.')} server cannot ` +
      `be trusted with data files and system tables written by ${from.join('.')}, and replicas older than the primary may not read its binary log`,
    migration: [
      `keep version at ${from.join('.')} (any patch release of it: MariaDBVersion.of('${from.join('.')}.<patch>'))`,
      `to go back: create a new cluster at ${to.join('.')}, load a logical dump (mariadb-dump) of the old one, switch the clients, then remove the old cluster`,
    ],
  }];
}
