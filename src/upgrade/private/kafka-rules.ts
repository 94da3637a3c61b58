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
