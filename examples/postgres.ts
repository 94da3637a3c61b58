// "Run a highly available Postgres": a 3-instance Patroni cluster and an API Deployment bound to it,
// over TLS verified against a private CA that cert-manager bootstraps (needs cert-manager installed),
// with metrics, alerts and a dashboard for the Prometheus operator.
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Monitoring, PostgresCluster, Tls } from 'cdk8s-stateful';

export class PostgresExampleChart extends Chart {
  /** The database cluster. */
  public readonly cluster: PostgresCluster;
  /** The application that uses it. */
  public readonly api: kplus.Deployment;

  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'shop' });

    this.cluster = new PostgresCluster(this, 'orders-db', {
      instances: 3,
      storage: { size: Size.gibibytes(20) },
      resources: {
        cpu: { request: kplus.Cpu.units(1), limit: kplus.Cpu.units(2) },
        memory: { request: Size.gibibytes(4), limit: Size.gibibytes(4) },
      },
      databases: [{ name: 'orders' }],
      parameters: { log_min_duration_statement: '500ms' },
      backup: { size: Size.gibibytes(50), schedule: '15 3 * * *', keep: 7 },
      tls: Tls.certManager({ selfSignedCa: true }),
      // postgres_exporter sidecar + Patroni's /metrics, PodMonitor, PrometheusRule, Grafana dashboard.
      monitoring: Monitoring.prometheus(),
    });

    this.api = new kplus.Deployment(this, 'orders-api', {
      replicas: 2,
      containers: [{
        name: 'api',
        image: 'ghcr.io/acme/orders-api:1.4.2',
        portNumber: 8080,
        resources: {
          cpu: { request: kplus.Cpu.millis(200), limit: kplus.Cpu.millis(500) },
          memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) },
        },
      }],
    });
    // PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD (from the Secret), PGSSLMODE=verify-full with
    // PGSSLROOTCERT (the CA only) + NetworkPolicy.
    this.cluster.bind(this.api);
  }
}
