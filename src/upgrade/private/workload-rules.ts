// Internal: upgrade-safety rules about a StatefulSet's identity and membership that hold for any
// system (ordinals, quorums) and for PostgreSQL's data-directory version. Not re-exported from
// index.ts.
import { UpgradeRisk } from '../upgrade-finding';
import { isRedisClusterNode } from './coordination-rules';
import { isKafkaNode } from './kafka-rules';
import { isMongoMember } from './mongodb-rules';
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
  // ---- mariadb (issue 15): a primary with asynchronous replicas publishes not-ready addresses so
  // an empty primary can see whether replicas hold data; removing a replica is safe.
  if (labelOf(x.o, 'app.kubernetes.io/name') === 'mariadb') return false;
  // ---- end mariadb
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

/**
 * A quorum losing members (Kafka, MongoDB and Redis Cluster have their own rules:
 * kafkaQuorumChanged, kafkaBrokerScaleIn, mongoScaleDown, redisClusterScaleIn).
 */
export function quorumShrinkRule(out: Outputs, b: Obj, a: Obj): Draft[] {
  const from = replicasOf(b.o);
  const to = replicasOf(a.o);
  if (to >= from || isKafkaNode(b, out.before) || isMongoMember(b) || isRedisClusterNode(b) || !isQuorum(out, b, out.before)) return [];
  const removed = ordinals(b.o).filter((i) => !ordinals(a.o).includes(i)).map((i) => `${b.name}-${i}`);
  return [{
    id: 'quorumShrink',
    risk: UpgradeRisk.UNAVAILABLE,
    message: `replicas ${from} → ${to} of a quorum (its pods find each other as peers): ${list(removed)} stop, but stay members of the ensemble ` +
      `(etcd member list, ZooKeeper server list), so a majority of ${from} is still needed with only ${to} running — ` +
      `${to >= Math.floor(from / 2) + 1 ? 'one more failure stops it' : 'the quorum is lost at once'}; members with different static peer lists can split during the roll`,
    migration: [
      'remove the members from the ensemble first, one at a time, highest ordinal first (etcd: etcdctl member remove <id>; ZooKeeper 3.5+: reconfig -remove <id>; ' +
        'CockroachDB: cockroach node decommission <id>; Cassandra: nodetool decommission; Consul: consul leave)',
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

/**
 * The annotation PostgresCluster writes on its major-upgrade Job (`<from>-to-<to>`;
 * src/postgres/private/major-upgrade.ts UPGRADE_ANNOTATION).
 */
const PG_UPGRADE_ANNOTATION = 'cdk8s-stateful/postgres-major-upgrade';

/** The major-upgrade Job of a PostgresCluster StatefulSet for exactly this pair, if `after` has one. */
function postgresUpgradeJob(out: Outputs, a: Obj, from: string, to: string): Obj | undefined {
  return [...out.after.values()].find((x) => x.kind === 'Job' && x.namespace === a.namespace
    && labelOf(x.o, 'app.kubernetes.io/instance') === a.name
    && x.o.metadata?.annotations?.[PG_UPGRADE_ANNOTATION] === `${from}-to-${to}`);
}

/**
 * A PostgreSQL major version change: the data directory keeps the old format unless an upgrade
 * Job for exactly this pair comes with it (PostgresCluster `upgradeFrom`); a downgrade never works.
 */
export function postgresMajorRule(out: Outputs, b: Obj, a: Obj): Draft[] {
  const from = postgresMajor(b);
  const to = postgresMajor(a);
  if (!from || !to || from === to) return [];
  const ns = nsFlag(a);
  if (Number(to) < Number(from)) {
    return [{
      id: 'postgresMajorDowngrade',
      risk: UpgradeRisk.REJECTED,
      message: `PostgreSQL major version ${from} → ${to}: a downgrade. The data directories are in the ${from} format and PostgreSQL cannot read them with ` +
        `${to} binaries, nor convert them back; Patroni (Spilo) keeps running ${from}, the official image (streaming mode) crash-loops`,
      migration: [
        `keep version at major ${from}`,
        `to go back to ${to}: dump the databases (pg_dump, the cluster's backup), create a new cluster (new name) at ${to} and restore into it`,
      ],
    }];
  }
  const job = postgresUpgradeJob(out, a, from, to);
  if (job) {
    return [{
      id: 'postgresMajorUpgrade',
      risk: UpgradeRisk.UNAVAILABLE,
      message: `PostgreSQL major version ${from} → ${to} with the upgrade Job ${job.name}: the pods first roll out with PGVERSION=${to} ` +
        `(still running ${from} from their data), then the Job runs Spilo's inplace_upgrade.py in the primary: it checks that every member streams, ` +
        'pauses Patroni, stops the primary, runs pg_upgrade --link and rsyncs the replicas, then restarts and runs ANALYZE. Writes stop while ' +
        'pg_upgrade and the rsync run (seconds to minutes, growing with the number of files, not the data size); unlogged tables are truncated. ' +
        `If pg_upgrade --check fails, the cluster stays on ${from} and the Job fails (docs/postgres.md#upgrade-the-major-version)`,
      migration: [
        'take a backup you have restored once, and plan a maintenance window for the short write stop',
        `follow it: kubectl logs -f job/${job.name}${ns}; acknowledge this finding (@cdk8s-stateful/policy:postgresMajorUpgrade) to deploy`,
        'after the Job has succeeded, keep upgradeFrom as it is (the Job stays complete) or remove it together with the next change',
      ],
    }];
  }
  return [{
    id: 'postgresMajorVersionChanged',
    risk: UpgradeRisk.REJECTED,
    message: `PostgreSQL major version ${from} → ${to}: the data directories on the existing claims stay in the ${from} format. ` +
      `Patroni (Spilo) keeps running ${from} from them while the labels say ${to}; the official image (streaming mode) crash-loops on them ` +
      '("database files are incompatible with server"), and no upgrade Job for this pair comes with the change ' +
      '(docs/upgrade-safety.md#postgresql-major-versions)',
    migration: [
      `PostgresCluster in Patroni mode: set upgradeFrom: PostgresVersion.V${from} (the major the data has) next to version, which adds the in-place upgrade Job`,
      `or keep version at major ${from} (patch releases of ${from} are safe: PostgresVersion.of('<${from}.x>', '${from}'))`,
      `streaming mode or another image: create a new cluster (new name) at ${to}, restore a dump of the old one into it (PostgresBackup, pg_dumpall) ` +
        'or replicate logically, switch the clients, then remove the old cluster',
    ],
  }];
}
