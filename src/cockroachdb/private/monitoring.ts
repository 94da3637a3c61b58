// Internal: CockroachDB monitoring. Each node serves Prometheus metrics at /_status/vars on its
// HTTP port (8080; HTTPS in secure mode, no login needed for this path):
// https://www.cockroachlabs.com/docs/stable/monitor-cockroachdb-with-prometheus
// Metric names as the node exports them (ranges_unavailable, ranges_underreplicated,
// liveness_livenodes; cockroachdb/cockroach monitoring/rules/alerts.rules.yml).
import { Duration } from 'cdk8s';
import { AlertRule, AlertSeverity, DashboardPanel, MonitoredWorkload, Monitoring } from '../../core/kit/monitoring';
import { StatefulWorkload } from '../../core/workload/stateful-workload';

export interface CockroachMonitoringContext {
  readonly workload: StatefulWorkload;
  readonly replicas: number;
  /** Secure mode: the node certificate Secret (its `ca.crt` verifies the scrape). */
  readonly nodeSecretName?: string;
}

export function monitorCockroach(monitoring: Monitoring, ctx: CockroachMonitoringContext): MonitoredWorkload {
  const w = ctx.workload;
  const m = Monitoring.podMatchers(w);
  const ns = w.namespace;
  const claims = `${ns ? `namespace="${ns}",` : ''}persistentvolumeclaim=~"datadir-${w.name}-[0-9]+"`;
  return monitoring.monitor(w, {
    endpoints: [{
      port: 'http',
      path: '/_status/vars',
      // Prometheus scrapes pod IPs; the node certificate must cover `localhost` (CockroachCertificateSecrets).
      tls: ctx.nodeSecretName ? { caSecretName: ctx.nodeSecretName, serverName: 'localhost' } : undefined,
    }],
    alerts: cockroachAlerts(m, claims, ctx.replicas),
    panels: cockroachPanels(m, claims),
    dashboardTitle: `CockroachDB ${w.name}`,
  });
}

/** The alert rules; the runbooks are in docs/cockroachdb.md, "Monitor a cluster". */
export function cockroachAlerts(m: string, claims: string, replicas: number): AlertRule[] {
  return [
    {
      name: 'CockroachUnavailableRanges',
      expr: `sum(ranges_unavailable{${m}}) > 0`,
      for: Duration.minutes(1),
      severity: AlertSeverity.CRITICAL,
      summary: 'Ranges have lost quorum: reads and writes to them fail',
    },
    {
      name: 'CockroachUnderReplicatedRanges',
      expr: `sum(ranges_underreplicated{${m}}) > 0`,
      for: Duration.minutes(15),
      summary: 'Ranges have fewer replicas than their target: one more node loss can make them unavailable',
    },
    {
      name: 'CockroachNodesDown',
      expr: `(max(liveness_livenodes{${m}}) or vector(0)) < ${replicas}`,
      for: Duration.minutes(5),
      severity: AlertSeverity.CRITICAL,
      summary: `Fewer than ${replicas} nodes are live`,
    },
    {
      name: 'CockroachVolumeFull',
      expr: `kubelet_volume_stats_available_bytes{${claims}} / kubelet_volume_stats_capacity_bytes{${claims}} < 0.1`,
      severity: AlertSeverity.CRITICAL,
      summary: 'A CockroachDB store volume has less than 10% free',
    },
  ];
}

export function cockroachPanels(m: string, claims: string): DashboardPanel[] {
  return [
    { title: 'Live nodes', expr: `max(liveness_livenodes{${m}})` },
    { title: 'Unavailable and under-replicated ranges', expr: `sum(ranges_unavailable{${m}}) + sum(ranges_underreplicated{${m}})` },
    { title: 'SQL connections', expr: `sum by (pod) (sql_conns{${m}})` },
    { title: 'Volume used', expr: `1 - kubelet_volume_stats_available_bytes{${claims}} / kubelet_volume_stats_capacity_bytes{${claims}}`, unit: 'percentunit' },
  ];
}
