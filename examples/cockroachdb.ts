// "Run CockroachDB": three secure nodes from certificates you create once (docs/cockroachdb.md
// shows the `cockroach cert` commands; a cert-manager Secret works as it is), a database with a
// generated owner password created by the converging init Job, and an API bound to it over the
// PostgreSQL wire protocol.
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CockroachCluster, CockroachSecurity, CockroachVersion } from 'cdk8s-stateful';

export class CockroachExampleChart extends Chart {
  public readonly cockroach: CockroachCluster;

  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'payments' });

    this.cockroach = new CockroachCluster(this, 'ledger', {
      version: CockroachVersion.V25_4_3,
      security: CockroachSecurity.fromSecrets({ nodeSecretName: 'ledger-node', rootClientSecretName: 'ledger-root' }),
      storage: Size.gibibytes(50),
      databases: [{ name: 'payments', owner: 'payments_app' }],
    });

    const api = new kplus.Deployment(this, 'api', {
      containers: [{ image: 'docker.io/library/postgres:17.6-bookworm', command: ['sh', '-c', 'psql -c "select 1"; sleep 3600'] }],
    });
    this.cockroach.bind(api);
  }
}
