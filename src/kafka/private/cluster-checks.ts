import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  clusterIdProblem, configKeyProblem, defaultPartitionsProblem, plaintextSecretKeys, portsProblem, Problem, rackNamespaceProblem,
  secretConfigProblem, topologyKeyProblem, versionProblem,
} from './checks';
import { BROKER_LABEL, CLUSTER_LABEL, clusterLabels } from './labels';
import { rebalanceProblem } from './reassign';
import { ValidationError } from '../../core/errors';
import { Warnings } from '../../core/warnings';
import { StatefulWorkload } from '../../core/workload/stateful-workload';
import { KafkaClusterProps } from '../kafka-cluster-props';

/** What the cluster derived from its props before checking them. */
export interface DerivedProps {
  readonly version: string;
  readonly clusterId: string;
  readonly ports: Array<[string, number]>;
  /** The listeners' first problem (ListenerSecurity.problem). */
  readonly security?: Problem;
}

/** Throws the first problem of the cluster's props; warns about secret-looking `config` keys. */
export function validateClusterProps(scope: Construct, p: KafkaClusterProps, d: DerivedProps): void {
  const problem = versionProblem(d.version)
    ?? clusterIdProblem(d.clusterId)
    ?? portsProblem(d.ports)
    ?? d.security
    ?? Object.keys(p.config ?? {}).map(configKeyProblem).find((x) => x)
    ?? secretConfigProblem(p.config ?? {}, p.secretConfig ?? {})
    ?? defaultPartitionsProblem(p.defaultPartitions)
    ?? topologyKeyProblem(p.rackAwareness?.topologyKey)
    ?? rackNamespaceProblem(p.rackAwareness !== undefined, Chart.of(scope).namespace)
    ?? rebalanceProblem(p.rebalance);
  if (problem) throw new ValidationError(problem.code, problem.message, scope);
  for (const k of plaintextSecretKeys(p.config ?? {})) {
    Warnings.of(scope).add('@cdk8s-stateful/kafka:plaintextSecretInConfig',
      `config '${k}' looks like a secret and is written in plain text into the manifests (and wherever they are stored); ` +
        `pass it from a Secret instead: secretConfig: { '${k}': { secret, key } }`);
  }
}

/** KafkaCluster.tlsDnsNames: a wildcard per pool's headless Service and the bootstrap Service, fully qualified. */
export function tlsDnsNames(scope: Construct, pools: StatefulWorkload[], bootstrap: string): string[] {
  if (!Chart.of(scope).namespace) {
    // Nodes use fully qualified names from $(POD_NAMESPACE): `*.<headless>` fails hostname verification.
    throw new ValidationError('KafkaTlsDnsNamesNeedNamespace',
      "tlsDnsNames needs the chart's namespace: nodes connect to each other by fully qualified pod names " +
        '(<pod>.<headless>.<namespace>.svc.<clusterDomain>); set `namespace` on the Chart',
      scope,
    );
  }
  return [...pools.map((w) => `*.${w.serviceDnsName}`), bootstrap];
}

/** An odd number of voters (a warning for one). */
export function checkQuorum(scope: Construct, voters: number): void {
  if (voters % 2 === 0) {
    throw new ValidationError('KafkaQuorumEven',
      `the KRaft quorum has ${voters} controllers; use an odd number (3 or 5): ${voters} voters tolerate no more failures than ${voters - 1}`, scope);
  }
  if (voters === 1) {
    Warnings.of(scope).add('@cdk8s-stateful/kafka:singleController',
      'the KRaft quorum has a single controller: losing it (or its disk) stops the cluster; use 3 controllers for production');
  }
}

/** The Service clients bootstrap from: every broker of every pool (ready ones only). */
export function bootstrapService(scope: Construct, cluster: string, version: string, clientPort: number): k8s.KubeService {
  return new k8s.KubeService(scope, 'BootstrapService', {
    metadata: { name: `${cluster}-bootstrap`, labels: clusterLabels(cluster, version) },
    spec: {
      selector: { [CLUSTER_LABEL]: cluster, [BROKER_LABEL]: 'true' },
      ports: [{ name: 'client', port: clientPort, targetPort: k8s.IntOrString.fromString('client'), protocol: 'TCP' }],
    },
  });
}
