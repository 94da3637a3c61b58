// Internal: what Kafka monitoring adds to each node pool: the JMX exporter java agent, the
// scrape endpoint, alert rules (controller rules on the controller pool) and dashboard panels.
import { Duration } from 'cdk8s';
import { loadAsset } from '../../core/kit/assets';
import { AlertRule, AlertSeverity, DashboardPanel, JmxExporterAgent, MonitoredWorkload, Monitoring } from '../../core/kit/monitoring';
import { StatefulWorkload } from '../../core/workload/stateful-workload';

export const METRICS_PORT = 9404;

export interface KafkaPoolMonitoring {
  readonly workload: StatefulWorkload;
  readonly broker: boolean;
  readonly controller: boolean;
}

/** Loads the agent into the pool's JVMs and monitors the pool. */
export function monitorKafkaPool(monitoring: Monitoring, agent: JmxExporterAgent, pool: KafkaPoolMonitoring): MonitoredWorkload {
  const w = pool.workload;
  // KAFKA_OPTS is not turned into a server property (KafkaDockerWrapper's ExcludeServerPropsEnv).
  agent.attach(w, { jvmOptionsEnv: 'KAFKA_OPTS', config: loadAsset('kafka/assets/jmx-exporter.yaml'), port: METRICS_PORT });
  const m = Monitoring.podMatchers(w);
  const ns = w.namespace;
  const claims = `${ns ? `namespace="${ns}",` : ''}persistentvolumeclaim=~"data-${w.name}-[0-9]+"`;
  return monitoring.monitor(w, {
    endpoints: [{ port: 'metrics' }],
    alerts: kafkaAlerts(m, claims, pool.broker, pool.controller),
    panels: kafkaPanels(m, claims, pool.broker, pool.controller),
    dashboardTitle: `Kafka ${w.name}`,
  });
}

/** The alert rules; the runbooks are in docs/kafka.md, "Monitor a cluster". */
export function kafkaAlerts(m: string, claims: string, broker: boolean, controller: boolean): AlertRule[] {
  return [
    ...(controller ? [
      {
        name: 'KafkaActiveControllerCount',
        expr: `(sum(kafka_controller_kafkacontroller_activecontrollercount{${m}}) or vector(0)) != 1`,
        for: Duration.minutes(1),
        severity: AlertSeverity.CRITICAL,
        summary: 'The KRaft quorum does not have exactly one active controller',
      },
      {
        name: 'KafkaOfflinePartitions',
        expr: `max(kafka_controller_kafkacontroller_offlinepartitionscount{${m}}) > 0`,
        for: Duration.minutes(1),
        severity: AlertSeverity.CRITICAL,
        summary: 'Partitions have no leader: reads and writes to them fail',
      },
    ] : []),
    ...(broker ? [
      {
        name: 'KafkaUnderReplicatedPartitions',
        expr: `sum by (pod) (kafka_server_replicamanager_underreplicatedpartitions{${m}}) > 0`,
        summary: 'Partitions led by this broker have followers out of sync',
      },
      {
        name: 'KafkaUnderMinIsrPartitions',
        expr: `sum by (pod) (kafka_server_replicamanager_underminisrpartitioncount{${m}}) > 0`,
        for: Duration.minutes(1),
        severity: AlertSeverity.CRITICAL,
        summary: 'Partitions have fewer in-sync replicas than min.insync.replicas: acks=all producers fail',
      },
    ] : []),
    {
      name: 'KafkaVolumeFull',
      expr: `kubelet_volume_stats_available_bytes{${claims}} / kubelet_volume_stats_capacity_bytes{${claims}} < 0.1`,
      severity: AlertSeverity.CRITICAL,
      summary: 'A Kafka data volume has less than 10% free',
    },
    {
      name: 'KafkaVolumeFillingUp',
      expr: `predict_linear(kubelet_volume_stats_available_bytes{${claims}}[6h], 24 * 3600) < 0`,
      for: Duration.hours(1),
      summary: 'A Kafka data volume will be full within 24 hours at the current rate',
    },
  ];
}

export function kafkaPanels(m: string, claims: string, broker: boolean, controller: boolean): DashboardPanel[] {
  return [
    ...(controller ? [{ title: 'Active controllers', expr: `sum(kafka_controller_kafkacontroller_activecontrollercount{${m}})` }] : []),
    ...(broker ? [
      { title: 'Under-replicated partitions', expr: `sum by (pod) (kafka_server_replicamanager_underreplicatedpartitions{${m}})` },
      { title: 'Bytes in', expr: `sum by (pod) (rate(kafka_server_brokertopicmetrics_bytesinpersec_total{${m}}[5m]))`, unit: 'Bps' },
      { title: 'Bytes out', expr: `sum by (pod) (rate(kafka_server_brokertopicmetrics_bytesoutpersec_total{${m}}[5m]))`, unit: 'Bps' },
    ] : []),
    { title: 'JVM heap used', expr: `sum by (pod) (jvm_memory_used_bytes{area="heap",${m}})`, unit: 'bytes' },
    { title: 'Volume used', expr: `1 - kubelet_volume_stats_available_bytes{${claims}} / kubelet_volume_stats_capacity_bytes{${claims}}`, unit: 'percentunit' },
  ];
}
