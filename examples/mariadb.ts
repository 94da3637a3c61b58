// A MariaDB primary with two read-only replicas (GTID replication). The StatefulSet is `db` and
// its claims `data-db-0..2`: a replica that loses its claim clones the primary by itself; the
// primary has no automatic failover (docs/mariadb.md).
import { Chart, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { MariaDBCluster } from 'cdk8s-stateful';

export class MariaDBExampleChart extends Chart {
  public readonly db: MariaDBCluster;
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'shop' });
    this.db = new MariaDBCluster(this, 'db', {
      database: 'orders',
      user: 'shop',
      storageSize: Size.gibibytes(20),
    });
  }
}
