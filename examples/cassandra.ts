// "Run Cassandra": three nodes with authentication on, a keyspace with its own role created by
// the converging auth Job, and an ingest Deployment bound to it (CQL contact point, local DC,
// role and password from the generated Secret, a NetworkPolicy rule for 9042).
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CassandraCluster, CassandraVersion } from 'cdk8s-stateful';

export class CassandraExampleChart extends Chart {
  public readonly cassandra: CassandraCluster;

  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'telemetry' });

    this.cassandra = new CassandraCluster(this, 'metrics-db', {
      version: CassandraVersion.V5_0_3,
      storage: Size.gibibytes(200),
      keyspaces: [{ name: 'metrics', role: 'ingest', replicationFactor: 3 }],
    });

    const ingest = new kplus.Deployment(this, 'ingest', {
      containers: [{ image: 'docker.io/library/busybox:1.36', command: ['sh', '-c', 'echo "$CASSANDRA_CONTACT_POINTS"; sleep 3600'] }],
    });
    this.cassandra.bind(ingest);
  }
}
