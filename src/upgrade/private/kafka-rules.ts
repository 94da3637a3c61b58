// Internal: upgrade-safety rules for Kafka (KRaft) StatefulSets and topic Jobs, read from the
// output alone (env of the apache/kafka image, `name=value` properties in args or mounted
// config). Not re-exported from index.ts.
import { UpgradeRisk } from '../upgrade-finding';
import { Draft, list, Obj, Outputs, show } from './objects';
import { containersOf, envEntry, envValue, entryDiffers, flagValue, labelOf, ordinals, ordinalsStart, propertyValue, replicasOf, templateNames } from './pod';

/** Must equal DRAINED_ANNOTATION of src/kafka/private/reassign.ts (upgrade/ does not import systems). */
const DRAINED_ANNOTATION = 'kafka.cdk8s-stateful.io/drained-brokers';

/** Whether the pods are Kafka KRaft nodes (the image turns KAFKA_* env into server properties). */
export function isKafkaNode(x: Obj, objs: Map<string, Obj>): boolean {
  return ['KAFKA_PROCESS_ROLES', 'KAFKA_CONTROLLER_QUORUM_VOTERS', 'KAFKA_NODE_ID'].some((n) => envEntry(x.o, n) !== undefined)
    || propertyValue(x, objs, 'process.roles') !== undefined;
}

/** `process.roles`, or undefined when the output does not say. */
function rolesOf(x: Obj, objs: Map<string, Obj>): string[] | undefined {
  const v = envValue(x.o, 'KAFKA_PROCESS_ROLES') ?? propertyValue(x, objs, 'process.roles');
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter((s) => s);
}

/** The voter ids of `controller.quorum.voters` (`0@host:9093,1@host:9093`), sorted; undefined when not set. */
export function voterIds(x: Obj, objs: Map<string, Obj>): string[] | undefined {
  const v = envValue(x.o, 'KAFKA_CONTROLLER_QUORUM_VOTERS') ?? propertyValue(x, objs, 'controller.quorum.voters');
  if (v === undefined) return undefined;
  return v.split(',').map((s) => s.trim().split('@')[0]).filter((s) => s).sort((p, q) => Number(p) - Number(q) || p.localeCompare(q));
}

/** How a node's `node.id` is defined: the KAFKA_NODE_ID env entry and any `node.id=` property. */
function nodeIdSource(x: Obj, objs: Map<string, Obj>): unknown {
  return [envEntry(x.o, 'KAFKA_NODE_ID') ?? null, propertyValue(x, objs, 'node.id') ?? null];
}

/** Node ids of the pods when `node.id` is the pod index (the pod-index label or the name's ordinal), else undefined. */
function nodeIds(x: Obj): number[] | undefined {
  const path: unknown = envEntry(x.o, 'KAFKA_NODE_ID')?.valueFrom?.fieldRef?.fieldPath;
  return typeof path === 'string' && /pod-index|metadata\.name/.test(path) ? ordinals(x.o) : undefined;
}

const range = (ids: number[]) => (ids.length > 2 && ids[ids.length - 1] - ids[0] === ids.length - 1 ? `${ids[0]}-${ids[ids.length - 1]}` : ids.join(', '));

/** CLUSTER_ID, node ids, the static quorum and broker scale-in of one Kafka StatefulSet. */
export function kafkaStatefulSetRules(out: Outputs, b: Obj, a: Obj): Draft[] {
  if (!isKafkaNode(b, out.before) && !isKafkaNode(a, out.after)) return [];
  const drafts: Draft[] = [];
  const bc = envEntry(b.o, 'CLUSTER_ID');
  const ac = envEntry(a.o, 'CLUSTER_ID');
  if (entryDiffers(bc ?? null, ac ?? null)) {
    const old = typeof bc?.value === 'string' ? bc.value : undefined;
    drafts.push({
      id: 'kafkaClusterIdChanged',
      risk: UpgradeRisk.UNAVAILABLE,
      message: `env CLUSTER_ID ${show(bc?.value ?? bc?.valueFrom)} → ${show(ac?.value ?? ac?.valueFrom)}: nodes already formatted keep the old id ` +
        '(meta.properties on their disks), while any node formatted later (scale-out, a new pool, a replaced disk) gets the new one and cannot join ' +
        '(InconsistentClusterIdException)',
      migration: [
        old ? `keep the id: set clusterId: '${old}' on the KafkaCluster (it is what the disks carry)` : 'keep the id the running nodes were formatted with (see meta.properties in their log dir)',
        'the cluster id identifies the data: it never changes for a running cluster; a new id means a new, empty cluster (mirror the topics into it)',
      ],
    });
  }

  const bIds = nodeIds(b);
  const aIds = nodeIds(a);
  const sourceChanged = entryDiffers(nodeIdSource(b, out.before), nodeIdSource(a, out.after));
  const startChanged = ordinalsStart(b.o) !== ordinalsStart(a.o);
  if (startChanged || sourceChanged) {
    const claims = templateNames(b.o);
    const gone = bIds && aIds ? bIds.filter((i) => !aIds.includes(i)) : undefined;
    drafts.push({
      id: 'kafkaNodeIdsChanged',
      risk: UpgradeRisk.ORPHANED,
      message: (startChanged ? `spec.ordinals.start ${ordinalsStart(b.o)} → ${ordinalsStart(a.o)} (the node pool's firstNodeId)` : 'the definition of node.id changed (KAFKA_NODE_ID)') +
        (bIds && aIds ? `: node ids ${range(bIds)} become ${range(aIds)}` : '') +
        `; pods are renamed with the ids and take the claims of their new names${claims.length ? ` (${claims.map((t) => `${t}-${a.name}-<id>`).join(', ')}), which are new and empty` : ''}` +
        (gone?.length ? `; brokers ${range(gone)} disappear with their partitions (offline until reassigned) and their claims stay behind unused` : ''),
      migration: [
        startChanged ? `keep the ids: set firstNodeId: ${ordinalsStart(b.o)} on the node pool (defaults depend on the order pools are added)` : 'keep the node.id definition as it was',
        'to renumber brokers: add a new pool with the new ids, move the partitions onto it (kafka-reassign-partitions.sh), then scale the old pool in (see kafkaBrokerScaleIn)',
      ],
    });
  }

  const roles = rolesOf(b, out.before) ?? rolesOf(a, out.after);
  const bv = voterIds(b, out.before);
  const av = voterIds(a, out.after);
  if ((roles === undefined || roles.includes('controller')) && bv && entryDiffers(bv, av ?? null)) {
    drafts.push({
      id: 'kafkaQuorumChanged',
      risk: UpgradeRisk.DATA_LOSS,
      message: `controller.quorum.voters changes from nodes ${list(bv)} to ${av ? list(av) : '(none)'}: a static KRaft quorum cannot change its voters; ` +
        'during the roll nodes disagree on the voter set, so two majorities can form (split brain) and the metadata log diverges, and new voters start with no metadata',
      migration: [
        'keep the voters: restore the controller count (`replicas` of a combined cluster, `controllers.replicas`) and the controller pool\'s firstNodeId',
        'add brokers with addNodePool instead: broker pools do not vote',
        'to change the quorum itself: build a new cluster with the new controllers and mirror the topics into it (MirrorMaker 2); ' +
          'a dynamic quorum (KIP-853, kafka-metadata-quorum.sh add-controller/remove-controller) is not configured by this library yet',
      ],
    });
  }

  const bver = kafkaRelease(b.o);
  const aver = kafkaRelease(a.o);
  if (bver && aver && (aver[0] < bver[0] || (aver[0] === bver[0] && aver[1] < bver[1]))) {
    const [from, to] = [bver.join('.'), aver.join('.')];
    drafts.push({
      id: 'kafkaVersionDowngrade',
      risk: UpgradeRisk.UNAVAILABLE,
      message: `Kafka ${from} → ${to} (the image): a node on ${to} refuses to start when the cluster's finalized metadata.version is above what ${to} supports ` +
        `(after kafka-features.sh upgrade --metadata ${bver.slice(0, 2).join('.')}, finalizeUpgrade); metadata.version cannot be lowered once versions between carry metadata changes`,
      migration: [
        'check the finalized level first: kafka-features.sh --bootstrap-server <bootstrap> describe (FinalizedVersionLevel of metadata.version)',
        `if it is still at or below ${to}'s level, the downgrade works: roll back with finalizeUpgrade off`,
        `if it is above, stay on ${from} (fix forward); a cluster on ${to} means a new cluster and mirroring the topics into it (MirrorMaker 2)`,
      ],
    });
  }

  const wasBroker = roles === undefined ? envEntry(b.o, 'KAFKA_ADVERTISED_LISTENERS') !== undefined : roles.includes('broker');
  if (wasBroker && replicasOf(a.o) < replicasOf(b.o)) {
    const removed = (bIds ?? ordinals(b.o)).filter((i) => !(aIds ?? ordinals(a.o)).includes(i));
    // KafkaCluster.drainBrokers() (src/kafka/private/reassign.ts) annotates the pool with the ids its Job empties:
    // removing only those is the second step of the documented scale-in.
    const drained = String(b.o?.metadata?.annotations?.[DRAINED_ANNOTATION] ?? '').split(',').filter((x) => x).map(Number);
    if (!removed.every((i) => drained.includes(i))) {
      drafts.push({
        id: 'kafkaBrokerScaleIn',
        risk: UpgradeRisk.UNAVAILABLE,
        message: `replicas ${replicasOf(b.o)} → ${replicasOf(a.o)} removes brokers ${range(removed)}: Kafka does not move their partitions; ` +
        'their replicas stay assigned to brokers that are gone (under-replicated, writes stop below min.insync.replicas) and partitions whose replicas were all on them go offline',
        migration: [
          `first move every partition replica off brokers ${range(removed)}: kafka-reassign-partitions.sh --bootstrap-server <bootstrap> ` +
          '--topics-to-move-json-file topics.json --broker-list <remaining ids> --generate, then --execute and --verify with the proposed plan',
          `check that kafka-topics.sh --describe lists no replica on ${range(removed)} (internal topics included)`,
          `then scale in, and unregister the removed brokers: kafka-cluster.sh unregister --bootstrap-server <bootstrap> --id <id> for each of ${range(removed)}`,
          'their claims stay (whenScaled Retain): delete them by hand once the data is no longer needed',
          `with KafkaCluster: call cluster.drainBrokers([${removed.join(', ')}]) and deploy with the old replicas; once its Job completed, lower the replicas and remove the call`,
        ],
      });
    }
  }
  return drafts;
}

/** [major, minor, patch] of the apache/kafka image a Kafka StatefulSet runs, or undefined. */
function kafkaRelease(o: any): number[] | undefined {
  for (const c of containersOf(o)) {
    const m = /apache\/kafka(?:-native)?:(\d+)\.(\d+)\.(\d+)/.exec(String(c.image ?? ''));
    if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  }
  return undefined;
}

/** What a topic Job asks for: args `--topic/--partitions/--replication-factor`, or env TOPIC/PARTITIONS/REPLICATION_FACTOR. */
interface TopicSpec {
  readonly job: Obj;
  readonly key: string;
  readonly topic: string;
  readonly partitions?: number;
  readonly replicationFactor?: number;
}

function topicSpec(x: Obj): TopicSpec | undefined {
  if (x.kind !== 'Job' || labelOf(x.o, 'app.kubernetes.io/name') !== 'kafka' || labelOf(x.o, 'app.kubernetes.io/component') !== 'topic') return undefined;
  const topic = flagValue(x.o, '--topic') ?? envValue(x.o, 'TOPIC') ?? envValue(x.o, 'TOPIC_NAME');
  if (!topic) return undefined;
  const num = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);
  return {
    job: x,
    key: `${x.namespace ?? ''}|${labelOf(x.o, 'app.kubernetes.io/instance') ?? ''}|${topic}`,
    topic,
    partitions: num(flagValue(x.o, '--partitions') ?? envValue(x.o, 'PARTITIONS')),
    replicationFactor: num(flagValue(x.o, '--replication-factor') ?? envValue(x.o, 'REPLICATION_FACTOR')),
  };
}

function topics(objs: Map<string, Obj>): Map<string, TopicSpec> {
  const m = new Map<string, TopicSpec>();
  for (const x of objs.values()) {
    const t = topicSpec(x);
    if (t) m.set(t.key, t);
  }
  return m;
}

/** Topic changes the topic Job cannot apply; each draft goes on the new Job. */
export function kafkaTopicRules(out: Outputs): Array<{ job: Obj; draft: Draft }> {
  const before = topics(out.before);
  const res: Array<{ job: Obj; draft: Draft }> = [];
  for (const [k, a] of topics(out.after)) {
    const b = before.get(k);
    if (!b) continue;
    if (b.partitions !== undefined && a.partitions !== undefined && a.partitions < b.partitions) {
      res.push({
        job: a.job,
        draft: {
          id: 'kafkaTopicPartitionsDecreased',
          risk: UpgradeRisk.REJECTED,
          message: `topic ${a.topic}: partitions ${b.partitions} → ${a.partitions}; Kafka can only add partitions, so the topic Job fails and the topic keeps ${b.partitions}`,
          migration: [
            `keep partitions: ${b.partitions} (or more)`,
            'to really have fewer: create a new topic with the partitions you want, move producers and consumers to it, then delete the old one',
          ],
        },
      });
    }
    if (b.replicationFactor !== undefined && a.replicationFactor !== undefined && a.replicationFactor !== b.replicationFactor) {
      res.push({
        job: a.job,
        draft: {
          id: 'kafkaTopicReplicationFactorChanged',
          risk: UpgradeRisk.REJECTED,
          message: `topic ${a.topic}: replication factor ${b.replicationFactor} → ${a.replicationFactor}; the topic Job cannot change it (kafka-topics.sh has no such operation), ` +
            `so it fails and the topic keeps ${b.replicationFactor} replicas`,
          migration: [
            `keep replicationFactor: ${b.replicationFactor} on the topic`,
            'to change it: kafka-reassign-partitions.sh with a plan listing the new replica set of every partition (--execute, then --verify), then set the new factor here',
          ],
        },
      });
    }
  }
  return res;
}
