// Internal: upgrade-safety rules for the membership of ZooKeeper ensembles and Redis Clusters,
// read from the output alone. etcd needs none of its own: its join script adds members on
// scale-up, and a scale-down is `quorumShrink`. Not re-exported from index.ts.
import { UpgradeRisk } from '../upgrade-finding';
import { Draft, list, nsFlag, Obj, Outputs } from './objects';
import { commandLine, containersOf, envValue, labelOf, ordinals, replicasOf } from './pod';

/** The `server.N` ids of a ZooKeeper StatefulSet (the official image's ZOO_SERVERS, or `server.N=` args); undefined when it has none. */
export function zooServerIds(x: Obj): number[] | undefined {
  const texts = [envValue(x.o, 'ZOO_SERVERS') ?? '', ...commandLine(x.o)];
  const ids = new Set<number>();
  for (const t of texts) for (const m of t.matchAll(/(?:^|[\s,])server\.(\d+)=/g)) ids.add(Number(m[1]));
  return ids.size ? [...ids].sort((p, q) => p - q) : undefined;
}

/** Whether the pods are Redis Cluster nodes: a Redis (or Valkey) pod with the cluster bus port 16379. */
export function isRedisClusterNode(x: Obj): boolean {
  const redis = labelOf(x.o, 'app.kubernetes.io/name') === 'redis'
    || containersOf(x.o).some((c) => /(^|\/)(redis|valkey)(:|@|$)/.test(typeof c.image === 'string' ? c.image : ''));
  return redis && containersOf(x.o).some((c) => (c.ports ?? []).some((p: any) => p?.containerPort === 16379));
}

/** The SHARDS of a RedisCluster's create Job (labels instance + component cluster-create) in one output. */
function redisShards(objs: Map<string, Obj>, x: Obj): number | undefined {
  const instance = labelOf(x.o, 'app.kubernetes.io/instance');
  for (const j of objs.values()) {
    if (j.kind !== 'Job' || j.namespace !== x.namespace) continue;
    const l = j.o.metadata?.labels ?? {};
    if (l['app.kubernetes.io/component'] !== 'cluster-create' || l['app.kubernetes.io/instance'] !== instance) continue;
    const v = envValue(j.o, 'SHARDS');
    if (v !== undefined && /^\d+$/.test(v)) return Number(v);
  }
  return undefined;
}

/**
 * A ZooKeeper ensemble that grows: its static server list changes, and during the roll members
 * with the old and the new list can each find a majority. (A shrink is `quorumShrink`.)
 */
export function zookeeperRules(b: Obj, a: Obj): Draft[] {
  const from = zooServerIds(b);
  const to = zooServerIds(a);
  if (!from || !to || to.length <= from.length) return [];
  const added = to.filter((i) => !from.includes(i));
  return [{
    id: 'zookeeperEnsembleGrown',
    risk: UpgradeRisk.DATA_LOSS,
    message: `the static server list grows from ${from.length} to ${to.length} members (new: server.${list(added)}): the new members start with ` +
      `${to.length} servers while the running ones keep ${from.length} until the roll restarts them, so members with the old list ` +
      `(majority ${Math.floor(from.length / 2) + 1} of ${from.length}) and members with the new one (majority ${Math.floor(to.length / 2) + 1} ` +
      `of ${to.length}) can each elect a leader: two leaders accept writes that one of them later discards`,
    migration: [
      'with reconfigEnabled (ZooKeeper 3.5+): start the new members as observers or with the new list, then run reconfig -add server.N=... from zkCli.sh, one member at a time',
      `without it: grow by one member at a time and let the roll finish (every member restarted with the new list, kubectl rollout status${nsFlag(b)}) before the next; ` +
        'or stop the ensemble (replicas 0), apply, and start it: a short outage, no second leader',
      'acknowledge this finding only for a change made one of these ways',
    ],
  }];
}

/** A Redis Cluster losing pods or shards: Redis does not move slots off a node that is removed. */
export function redisClusterRules(out: Outputs, b: Obj, a: Obj): Draft[] {
  if (!isRedisClusterNode(b)) return [];
  const from = replicasOf(b.o);
  const to = replicasOf(a.o);
  const bs = redisShards(out.before, b);
  const as = redisShards(out.after, a);
  const fewerShards = bs !== undefined && as !== undefined && as < bs;
  if (to >= from && !fewerShards) return [];
  const removed = ordinals(b.o).filter((i) => !ordinals(a.o).includes(i)).map((i) => `${b.name}-${i}`);
  return [{
    id: 'redisClusterScaleIn',
    risk: UpgradeRisk.DATA_LOSS,
    message: `Redis Cluster ${fewerShards ? `shards ${bs} → ${as}, ` : ''}pods ${from} → ${to}: ` +
      (removed.length ? `${list(removed)} stop, and any of them may be a primary (failovers move primaries): ` : '') +
      'the slots a removed primary owns are not moved, so the cluster stops serving them (cluster-require-full-coverage) and their keys are lost ' +
      'with the pod; removed nodes stay in every node\'s table as failed',
    migration: [
      'move every slot off the nodes to be removed: redis-cli --cluster reshard <any node>:6379 --cluster-from <their ids> --cluster-to <a kept primary> ' +
        '--cluster-slots <their count> --cluster-yes (or rebalance with --cluster-weight <id>=0), and make sure none of them is a primary (CLUSTER FAILOVER on a kept replica)',
      'then redis-cli --cluster del-node <any node>:6379 <id> for each, and only then lower shards / replicasPerShard',
      `the claims of the removed pods stay (whenScaled Retain): delete them by hand afterwards${nsFlag(b) ? ` (kubectl delete pvc ...${nsFlag(b)})` : ''}`,
    ],
  }];
}
