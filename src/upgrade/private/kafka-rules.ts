// Kafka-specific upgrade rules, as pure functions over two synthesized StatefulSets (the one
// deployed and the new one). Kept apart from the generic checker: UpgradeSafety calls them for
// every StatefulSet present in both outputs.
import { canonical } from './quantity';
import { UpgradeFinding, UpgradeRisk } from '../upgrade-finding';

const ID = '@cdk8s-stateful/policy';

/** Every `CLUSTER_ID` env entry of a pod template, by container, in a comparable form. */
function clusterIds(sts: any): Map<string, string> {
  const spec = sts?.spec?.template?.spec ?? {};
  const out = new Map<string, string>();
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const e = (c?.env ?? []).find((x: any) => x?.name === 'CLUSTER_ID');
    if (e) out.set(String(c.name), e.value !== undefined ? e.value : canonical(e.valueFrom));
  }
  return out;
}

/**
 * A changed (or removed) `CLUSTER_ID` of a Kafka StatefulSet. The API server accepts it and
 * nothing fails at once: nodes keep the id they were formatted with, but any node formatted
 * later (a scale-out, a new pool, a replaced disk) gets the new id and cannot join, so its
 * partitions cannot be re-replicated.
 */
export function kafkaClusterIdFindings(before: any, after: any): UpgradeFinding[] {
  if (before?.kind !== 'StatefulSet' || after?.kind !== 'StatefulSet') return [];
  const b = clusterIds(before);
  const a = clusterIds(after);
  const findings: UpgradeFinding[] = [];
  for (const [container, old] of b) {
    const now = a.get(container);
    if (now === old) continue;
    const name = before.metadata?.name;
    const namespace = before.metadata?.namespace;
    findings.push({
      id: `${ID}:kafkaClusterIdChanged`,
      risk: UpgradeRisk.DATA_LOSS,
      kind: 'StatefulSet',
      name,
      namespace,
      message: `container ${container}: CLUSTER_ID ${old} → ${now ?? '(removed)'}: the nodes keep the id they were formatted with, ` +
        'but any node formatted later (a scale-out, a new pool, a replaced disk) gets the new id and cannot join the cluster',
      migration: [
        `keep the id: set clusterId: '${old}' on the KafkaCluster (ids are derived from namespace and name; older releases used the construct path)`,
        'a Kafka cluster cannot change its id: to really start a new cluster, create it under a new name and migrate the topics (MirrorMaker 2)',
      ],
    });
  }
  return findings;
}

/** A topic Job's spec, read from its env (TOPIC, PARTITIONS, REPLICATION_FACTOR). */
interface TopicSpec {
  readonly job: any;
  readonly cluster: string;
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
}

function topicSpecs(objs: any[]): Map<string, TopicSpec> {
  const out = new Map<string, TopicSpec>();
  for (const o of objs ?? []) {
    const l = o?.metadata?.labels ?? {};
    if (o?.kind !== 'Job' || l['app.kubernetes.io/name'] !== 'kafka' || l['app.kubernetes.io/component'] !== 'topic') continue;
    const c = o.spec?.template?.spec?.containers?.[0];
    const env = new Map<string, string>((c?.env ?? []).filter((e: any) => typeof e?.value === 'string').map((e: any) => [e.name, e.value]));
    const topic = env.get('TOPIC');
    const cluster = o.metadata?.labels?.['app.kubernetes.io/part-of'] ?? o.metadata?.labels?.['app.kubernetes.io/instance'];
    if (!topic || !env.has('PARTITIONS') || !env.has('REPLICATION_FACTOR')) continue;
    out.set(`${o.metadata?.namespace ?? ''}|${cluster}|${topic}`, {
      job: o, cluster, topic, partitions: Number(env.get('PARTITIONS')), replicationFactor: Number(env.get('REPLICATION_FACTOR')),
    });
  }
  return out;
}

/**
 * Topic changes the topic Job cannot apply (its Job fails and says so): fewer partitions, or
 * another replication factor. Topic Jobs are matched by namespace, cluster and topic name (the
 * Job name carries a hash of the spec, so it changes with every change).
 */
export function kafkaTopicFindings(before: any[], after: any[]): UpgradeFinding[] {
  const a = topicSpecs(after);
  const findings: UpgradeFinding[] = [];
  for (const [k, b] of topicSpecs(before)) {
    const x = a.get(k);
    if (!x) continue;
    const add = (what: string, message: string, migration: string[]) => findings.push({
      id: `${ID}:${what}`, risk: UpgradeRisk.REJECTED, kind: 'Job', name: x.job.metadata?.name, namespace: x.job.metadata?.namespace, message, migration,
    });
    if (x.partitions < b.partitions) {
      add('kafkaTopicPartitionsDecrease', `topic ${b.topic}: partitions ${b.partitions} → ${x.partitions}; Kafka cannot remove partitions, the topic Job fails`,
        [`keep partitions: ${b.partitions} (or more)`, 'to really have fewer: create a new topic with the new count, move producers and consumers to it, then delete the old one']);
    }
    if (x.replicationFactor !== b.replicationFactor) {
      add('kafkaTopicReplicationFactorChange', `topic ${b.topic}: replication factor ${b.replicationFactor} → ${x.replicationFactor}; kafka-topics.sh cannot change it, the topic Job fails`,
        ['move the replicas first: kafka-reassign-partitions.sh --execute with a plan of the new factor (kafka-reassign-partitions.sh --generate lists the current one)',
          `then set replicationFactor: ${x.replicationFactor} (or keep ${b.replicationFactor})`]);
    }
  }
  return findings;
}
