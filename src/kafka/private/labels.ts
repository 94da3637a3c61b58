import { RecommendedLabels } from '../../core/labels';

/** Pod label naming the cluster: every node of every pool carries it (the NetworkPolicies admit it). */
export const CLUSTER_LABEL = 'kafka.cdk8s-stateful.io/cluster';
/** Pod label of brokers: the bootstrap Service selects it. */
export const BROKER_LABEL = 'kafka.cdk8s-stateful.io/broker';

/** Labels of the cluster-wide objects (bootstrap Service, rack RBAC). */
export function clusterLabels(clusterName: string, version: string): { [key: string]: string } {
  return new RecommendedLabels({ appName: 'kafka', instance: clusterName, partOf: clusterName, version }).all;
}

/** The recommended labels of a cluster's topic Jobs. */
export function topicJobLabels(clusterName: string, version?: string): RecommendedLabels {
  return new RecommendedLabels({ appName: 'kafka', instance: clusterName, component: 'topic', partOf: clusterName, version });
}
