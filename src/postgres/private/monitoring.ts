// Internal: what Postgres monitoring adds: the postgres_exporter sidecar (logging in as a
// pg_monitor role the bootstrap creates), the scrape endpoints, alert rules and dashboard panels.
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { PORT, RoleSpec } from './replication';
import { loadAsset } from '../../core/kit/assets';
import { AlertRule, AlertSeverity, DashboardPanel, MetricsEndpoint, MonitoredWorkload, Monitoring } from '../../core/kit/monitoring';
import { StatefulWorkload } from '../../core/workload/stateful-workload';

/** The exporter's pinned image (prometheus-community, the maintained postgres_exporter). */
export const EXPORTER_IMAGE = 'quay.io/prometheuscommunity/postgres-exporter:v0.17.1';
export const EXPORTER_PORT = 9187;
/** The least-privilege login of the exporter: a member of pg_monitor, nothing else. */
export const MONITOR_ROLE = 'metrics_exporter';
export const MONITOR_KEY = 'metrics-password';
const QUERIES_DIR = '/etc/postgres-exporter';

/** The role line of the bootstrap list (assets/databases.sh). */
export function monitorRole(passwordFile: string): RoleSpec {
  return { name: MONITOR_ROLE, passwordFile, attributes: 'IN ROLE pg_monitor' };
}

export interface PostgresMonitoringContext {
  readonly workload: StatefulWorkload;
  readonly patroni: boolean;
  /** sslmode of the exporter's connection to localhost. */
  readonly sslMode: string;
  readonly password: kplus.EnvValue;
  /** WAL a slot may retain before it alerts (the WAL budget). */
  readonly walBudget: Size;
  /** Names of the data volumes (their claims are `<volume>-<pod>`). */
  readonly volumes: string[];
  /** Backup alerts (private/backup-alerts.ts), appended to the others. */
  readonly backupAlerts?: AlertRule[];
}

/** Adds the exporter sidecar and monitors the workload. */
export function monitorPostgres(monitoring: Monitoring, ctx: PostgresMonitoringContext): MonitoredWorkload {
  const w = ctx.workload;
  w.volumes.addConfigFiles('exporter', { mountPath: QUERIES_DIR, files: { 'queries.yaml': loadAsset('postgres/assets/exporter-queries.yaml') } });
  w.addSidecar({
    name: 'exporter',
    image: EXPORTER_IMAGE,
    args: [`--web.listen-address=:${EXPORTER_PORT}`, `--extend.query-path=${QUERIES_DIR}/queries.yaml`],
    env: {
      // lib/pq knows no sslmode=prefer: Spilo requires TLS, the official image serves none.
      DATA_SOURCE_URI: kplus.EnvValue.fromValue(`localhost:${PORT}/postgres?sslmode=${ctx.sslMode === 'require' ? 'require' : 'disable'}`),
      DATA_SOURCE_USER: kplus.EnvValue.fromValue(MONITOR_ROLE),
      DATA_SOURCE_PASS: ctx.password,
    },
    ports: [{ name: 'exporter', port: EXPORTER_PORT }],
    mounts: [{ volume: 'exporter', mountPath: QUERIES_DIR, readOnly: true }],
    resources: {
      cpu: { request: kplus.Cpu.millis(50) },
      memory: { request: Size.mebibytes(64), limit: Size.mebibytes(128) },
    },
  });
  const m = Monitoring.podMatchers(w);
  const endpoints: MetricsEndpoint[] = [{ port: 'exporter' }, ...(ctx.patroni ? [{ port: 'patroni', path: '/metrics' }] : [])];
  return monitoring.monitor(w, {
    endpoints,
    alerts: [...postgresAlerts(m, claimMatchers(w, ctx.volumes), ctx.patroni, ctx.walBudget), ...(ctx.backupAlerts ?? [])],
    panels: postgresPanels(m, claimMatchers(w, ctx.volumes)),
    dashboardTitle: `PostgreSQL ${w.name}`,
  });
}

/** PromQL matchers of the data claims (`<volume>-<name>-<ordinal>`). */
export function claimMatchers(w: StatefulWorkload, volumes: string[]): string {
  const ns = w.namespace;
  return `${ns ? `namespace="${ns}",` : ''}persistentvolumeclaim=~"(${volumes.join('|')})-${w.name}-[0-9]+"`;
}

/** The alert rules; the runbooks are in docs/postgres.md, "Monitor a cluster". */
export function postgresAlerts(m: string, claims: string, patroni: boolean, walBudget: Size): AlertRule[] {
  const budget = walBudget.toMebibytes() * 1024 * 1024;
  return [
    {
      name: 'PostgresNoPrimary',
      expr: patroni
        ? `(sum(patroni_primary{${m}}) or vector(0)) != 1`
        : `(count(pg_replication_is_replica{${m}} == 0) or vector(0)) != 1`,
      for: Duration.minutes(1),
      severity: AlertSeverity.CRITICAL,
      summary: 'The cluster has no primary (or more than one): writes fail',
    },
    {
      name: 'PostgresExporterDown',
      expr: `pg_up{${m}} == 0`,
      summary: 'The exporter cannot log in to PostgreSQL: no database metrics',
    },
    {
      name: 'PostgresReplicaLagging',
      expr: `max by (pod, application_name) (pg_replica_lag_seconds{${m}}) > 60`,
      summary: 'A replica is more than 60 s behind the primary',
    },
    {
      name: 'PostgresSlotRetainingWal',
      expr: `max by (pod, slot_name) (pg_slot_retained_bytes{${m}}) > ${budget}`,
      summary: `A replication slot retains more WAL than the WAL budget (${walBudget.toMebibytes()} MiB)`,
    },
    {
      name: 'PostgresConnectionsNearMax',
      expr: `sum by (pod) (pg_stat_activity_count{${m}}) > 0.8 * max by (pod) (pg_settings_max_connections{${m}})`,
      summary: 'More than 80% of max_connections are in use',
    },
    {
      name: 'PostgresXidWraparound',
      expr: `max by (pod, datname) (pg_database_xid_age{${m}}) > 1000000000`,
      severity: AlertSeverity.CRITICAL,
      summary: 'A database is past half of the transaction-id space: vacuum it before writes stop at 2^31',
    },
    {
      name: 'PostgresVolumeFull',
      expr: `kubelet_volume_stats_available_bytes{${claims}} / kubelet_volume_stats_capacity_bytes{${claims}} < 0.1`,
      severity: AlertSeverity.CRITICAL,
      summary: 'A database volume has less than 10% free',
    },
    {
      name: 'PostgresVolumeFillingUp',
      expr: `predict_linear(kubelet_volume_stats_available_bytes{${claims}}[6h], 24 * 3600) < 0`,
      for: Duration.hours(1),
      summary: 'A database volume will be full within 24 hours at the current rate',
    },
  ];
}

export function postgresPanels(m: string, claims: string): DashboardPanel[] {
  return [
    { title: 'Commits per second', expr: `sum by (pod) (rate(pg_stat_database_xact_commit{${m}}[5m]))`, unit: 'ops' },
    { title: 'Connections', expr: `sum by (pod) (pg_stat_activity_count{${m}})` },
    { title: 'Replica lag', expr: `max by (application_name) (pg_replica_lag_seconds{${m}})`, unit: 's' },
    { title: 'WAL retained by slots', expr: `max by (slot_name) (pg_slot_retained_bytes{${m}})`, unit: 'bytes' },
    { title: 'Volume used', expr: `1 - kubelet_volume_stats_available_bytes{${claims}} / kubelet_volume_stats_capacity_bytes{${claims}}`, unit: 'percentunit' },
    { title: 'Transaction-id age', expr: `max by (datname) (pg_database_xid_age{${m}})` },
  ];
}
