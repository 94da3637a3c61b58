// A 3-member etcd cluster with nightly snapshots. The StatefulSet is `etcd` and its claims
// `data-etcd-0..2`: a member that loses its claim rejoins by itself (docs/etcd.md).
import { Chart, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { EtcdCluster } from 'cdk8s-stateful';

export class EtcdExampleChart extends Chart {
  public readonly etcd: EtcdCluster;
  constructor(scope: Construct, id: string, props: { replicas?: number } = {}) {
    super(scope, id, { namespace: 'coordination' });
    this.etcd = new EtcdCluster(this, 'etcd', {
      replicas: props.replicas,
      backup: { size: Size.gibibytes(20), keep: 7 },
    });
  }
}
