// Internal: upgrade-safety rules about a StatefulSet's identity and membership that hold for any
// system (ordinals, quorums) and for PostgreSQL's data-directory version. Not re-exported from
// index.ts.
import { UpgradeRisk } from '../upgrade-finding';
import { isRedisClusterNode } from './coordination-rules';
import { isKafkaNode } from './kafka-rules';
import { Draft, list, nsFlag, Obj, Outputs } from './objects';
import { commandLine, containersOf, envValue, labelOf, mountedConfigText, ordinals, ordinalsStart, replicasOf, sibling, templateNames } from './pod';

/** `spec.ordinals.start` changed (Kafka pools get kafkaNodeIdsChanged instead). */
export function ordinalsRule(out: Outputs, b: Obj, a: Obj): Draft[] {
  if (ordinalsStart(b.o) === ordinalsStart(a.o) || isKafkaNode(b, out.before) || isKafkaNode(a, out.after)) return [];
  const bo = ordinals(b.o);
  const ao = ordinals(a.o);
  const orphaned = bo.filter((i) => !ao.includes(i));
  const fresh = ao.filter((i) => !bo.includes(i));
  const claims = templateNames(b.o);
  const names = (t: string, ids: number[]) => ids.map((i) => `${t}-${a.name}-${i}`);
  return [{
    id: 'ordinalsStartChanged',
    risk: UpgradeRisk.ORPHANED,
    message: `spec.ordinals.start ${ordinalsStart(b.o)} → ${ordinalsStart(a.o)}: pods are renamed (${b.name}-${bo[0] ?? '?'} becomes ${a.name}-${ao[0] ?? '?'}, ...) ` +
      'and each pod uses the claims of its new name' +
      (claims.length && fresh.length ? `: ${list(claims.flatMap((t) => names(t, fresh)))} are new and empty` : '') +
      (claims.length && orphaned.length ? `, while ${list(claims.flatMap((t) => names(t, orphaned)))} stay behind unused` : ''),
    migration: [
      `keep the ordinals: set ordinalsStart back to ${ordinalsStart(b.o)}`,
      'to renumber: migrate the data into a new StatefulSet (new name) that starts at the new ordinal, then remove the old one',
    ],
  }];
}

/**
 * Whether a StatefulSet's pods form a quorum (etcd, ZooKeeper, Consul, ...): its governing
 * Service publishes not-ready addresses (members must find each other before any is Ready), or
 * its pods list at least two of their own pods by name (a static peer list in env, args or a
 * mounted ConfigMap).
 */
export function isQuorum(out: Outputs, x: Obj, objs: Map<string, Obj>): boolean {
  const svc = sibling(out, x, 'Service', x.o.spec?.serviceName);
  if (svc?.o.spec?.publishNotReadyAddresses === true) return true;
  const texts = [
    ...commandLine(x.o),
    ...containersOf(x.o).flatMap((c) => (c.env ?? []).map((e: any) => e?.value).filter((v: unknown) => typeof v === 'string')),
    ...mountedConfigText(x, objs),
  ];
  const escaped = x.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(?<![a-z0-9-])${escaped}-(\\d+)(?=[.=:])`, 'g');
  const peers = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(re)) peers.add(m[1]);
  return peers.size >= 2;
}

/** A quorum losing members (Kafka and Redis Cluster have their own rules: kafkaQuorumChanged, kafkaBrokerScaleIn, redisClusterScaleIn). */
export function quorumShrinkRule(out: Outputs, b: Obj, a: Obj): Draft[] {
  const from = replicasOf(b.o);
  const to = replicasOf(a.o);
  if (to >= from || isKafkaNode(b, out.before) || isRedisClusterNode(b) || !isQuorum(out, b, out.before)) return [];
  const removed = ordinals(b.o).filter((i) => !ordinals(a.o).includes(i)).map((i) => `${b.name}-${i}`);
  return [{
    id: 'quorumShrink',
    risk: UpgradeRisk.UNAVAILABLE,
    message: `replicas ${from} → ${to} of a quorum (its pods find each other as peers): ${list(removed)} stop, but stay members of the ensemble ` +
      `(etcd member list, ZooKeeper server list), so a majority of ${from} is still needed with only ${to} running — ` +
      `${to >= Math.floor(from / 2) + 1 ? 'one more failure stops it' : 'the quorum is lost at once'}; members with different static peer lists can split during the roll`,
    migration: [
      'remove the members from the ensemble first, one at a time, highest ordinal first (etcd: etcdctl member remove <id>; ZooKeeper 3.5+: reconfig -remove <id>; Consul: consul leave)',
      'change the static peer list (e.g. --initial-cluster, zoo.cfg servers) in the same change, then scale down by one and wait until the rest is healthy; repeat',
      `keep an odd size of 3 or more; the claims of ${list(removed)} stay (whenScaled Retain): delete them by hand afterwards${nsFlag(b) ? ` (kubectl delete pvc ...${nsFlag(b)})` : ''}`,
    ],
  }];
}

/** The PostgreSQL major version of a StatefulSet: PGVERSION (Spilo), the official image's tag, or the version label of a postgres workload. */
export function postgresMajor(x: Obj): string | undefined {
  const pgv = envValue(x.o, 'PGVERSION');
  if (pgv && /^\d+/.test(pgv)) return /^\d+/.exec(pgv)![0];
  for (const c of containersOf(x.o)) {
    const m = /^(?:.*\/)?postgres(?:ql)?:(\d+)/.exec(typeof c.image === 'string' ? c.image : '');
    if (m) return m[1];
  }
  const v = labelOf(x.o, 'app.kubernetes.io/name') === 'postgres' ? labelOf(x.o, 'app.kubernetes.io/version') : undefined;
  return v && /^\d+/.test(v) ? /^\d+/.exec(v)![0] : undefined;
}

/** A PostgreSQL major version change: the data directory keeps the old format. */
export function postgresMajorRule(b: Obj, a: Obj): Draft[] {
  const from = postgresMajor(b);
  const to = postgresMajor(a);
  if (!from || !to || from === to) return [];
  return [{
    id: 'postgresMajorVersionChanged',
    risk: UpgradeRisk.REJECTED,
    message: `PostgreSQL major version ${from} → ${to}: the data directories on the existing claims stay in the ${from} format. ` +
      `Patroni (Spilo) keeps running ${from} from them while the labels say ${to}; the official image (streaming mode) crash-loops on them ` +
      '("database files are incompatible with server"). This library has no major-upgrade path yet, so it rejects the change ' +
      '(docs/upgrade-safety.md#postgresql-major-versions)',
    migration: [
      `keep version at major ${from} (patch releases of ${from} are safe: PostgresVersion.of('<${from}.x>', '${from}'))`,
      `to upgrade: create a new cluster (new name) at ${to}, restore a dump of the old one into it (PostgresBackup, pg_dumpall) or replicate logically, ` +
        'switch the clients, then remove the old cluster',
    ],
  }];
}
