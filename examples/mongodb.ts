// "Run a MongoDB replica set": three voting members on the official mongo image (keyfile
// authentication, passwords generated in the cluster, the set initiated once by a bootstrap
// sidecar), an `orders` user bound to an API Deployment (MONGODB_URI with every member and
// replicaSet=), and a nightly mongodump to a kept claim.
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MongoReplicaSet, MongoVersion } from 'cdk8s-stateful';

export class MongoExampleChart extends Chart {
  public readonly mongo: MongoReplicaSet;

  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'catalog' });

    this.mongo = new MongoReplicaSet(this, 'mongo', {
      version: MongoVersion.V8_0_17,
      replicas: 3,
      storage: Size.gibibytes(50),
      resources: {
        cpu: { request: kplus.Cpu.units(1) },
        memory: { request: Size.gibibytes(4), limit: Size.gibibytes(4) },
      },
      users: [{ name: 'orders', database: 'orders' }],
      backup: { size: Size.gibibytes(100), keep: 7 },
    });

    const api = new kplus.Deployment(this, 'orders-api', {
      containers: [{ image: 'docker.io/library/busybox:1.36', command: ['sh', '-c', 'echo "$MONGODB_DATABASE"; sleep 3600'] }],
    });
    this.mongo.bind(api);
  }
}
