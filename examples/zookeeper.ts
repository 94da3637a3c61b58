// "Run ZooKeeper": a 3-member ensemble on the official zookeeper image (static server list from
// the members' stable DNS names, myid = ordinal + 1), and a client Deployment bound to it: it
// gets ZOOKEEPER_CONNECT with every member and a NetworkPolicy rule for the client port.
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ZooKeeperEnsemble, ZooKeeperVersion } from 'cdk8s-stateful';

export class ZooKeeperExampleChart extends Chart {
  public readonly zookeeper: ZooKeeperEnsemble;

  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'zookeeper' });

    this.zookeeper = new ZooKeeperEnsemble(this, 'zk', {
      version: ZooKeeperVersion.V3_9_4,
      replicas: 3,
      storage: Size.gibibytes(20),
      resources: {
        cpu: { request: kplus.Cpu.millis(250) },
        memory: { request: Size.gibibytes(2), limit: Size.gibibytes(2) },
      },
    });

    const app = new kplus.Deployment(this, 'scheduler', {
      containers: [{ image: 'docker.io/library/busybox:1.36', command: ['sh', '-c', 'echo "$ZOOKEEPER_CONNECT"; sleep 3600'] }],
    });
    this.zookeeper.bind(app, { chroot: '/scheduler' });
  }
}
