import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { JmxExporterAgent, KafkaCluster, KafkaClusterProps, KafkaNodeRole, Monitoring } from '../../src';
import { Errors } from '../../src/core/errors';
import { loadAsset } from '../../src/core/kit/assets';
import { promqlErrors, promqlOf } from '../util/promql';
import { container, envOf, find, ofKind, synthValidated } from '../util/validate';

const AGENT = JmxExporterAgent.fromImage('registry.example.com/jmx-exporter:1.1.0');

function synth(props: KafkaClusterProps = {}) {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const kafka = new KafkaCluster(c, 'events', { monitoring: Monitoring.prometheus(), jmxExporter: AGENT, ...props });
  return { c, kafka, objs: synthValidated(c) };
}

function thrown(f: () => unknown): any {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('combined nodes', () => {
  const { objs } = synth();
  const sts = find(objs, 'StatefulSet', 'events');

  test('the JMX exporter agent: copied in by a restricted init container, loaded with KAFKA_OPTS, port 9404', () => {
    const init = sts.spec.template.spec.initContainers.find((x: any) => x.name === 'jmx-exporter');
    expect(init.image).toBe('registry.example.com/jmx-exporter:1.1.0');
    expect(init.command).toEqual(['cp', '/jmx_prometheus_javaagent.jar', '/opt/jmx-exporter/jmx_prometheus_javaagent.jar']);
    expect(init.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(init.resources.limits.memory).toBe('32Mi');
    const kafka = container(sts, 'kafka');
    expect(envOf(kafka).KAFKA_OPTS).toBe('-javaagent:/opt/jmx-exporter/jmx_prometheus_javaagent.jar=9404:/etc/jmx-exporter/config.yaml');
    expect(kafka.ports).toContainEqual({ name: 'metrics', containerPort: 9404, protocol: 'TCP' });
    expect(kafka.volumeMounts).toContainEqual({ name: 'jmx-exporter', mountPath: '/opt/jmx-exporter', readOnly: true });
    expect(find(objs, 'PodMonitor', 'events').spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
  });

  test('the NetworkPolicy opens only 9404 to Prometheus', () => {
    const np = find(objs, 'NetworkPolicy', 'events');
    const rules = np.spec.ingress.filter((r: any) => JSON.stringify(r).includes('prometheus'));
    expect(rules).toEqual([{
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } }, namespaceSelector: {} }],
      ports: [{ port: 9404, protocol: 'TCP' }],
    }]);
  });

  test('alerts: controller and broker rules, each valid PromQL; every metric they use is one the agent config produces', () => {
    const rules = find(objs, 'PrometheusRule', 'events').spec.groups[0].rules;
    expect(rules.map((r: any) => r.alert)).toEqual([
      'KafkaActiveControllerCount', 'KafkaOfflinePartitions', 'KafkaUnderReplicatedPartitions', 'KafkaUnderMinIsrPartitions',
      'KafkaVolumeFull', 'KafkaVolumeFillingUp',
    ]);
    for (const q of promqlOf(objs)) expect(promqlErrors(q)).toEqual([]);
    // The agent's rules applied to the MBean attributes Kafka registers (jmx_exporter's
    // "domain<properties><>attribute" form; unanchored Java regexes, which these are also in JS).
    const text = find(objs, 'ConfigMap', 'events-jmx-exporter-config').data['config.yaml'];
    expect(text).toBe(loadAsset('kafka/assets/jmx-exporter.yaml'));
    const config = parse(text);
    expect(config.lowercaseOutputName).toBe(true);
    const produced = (bean: string) => config.rules.map((r: any) => {
      const match = new RegExp(r.pattern).exec(bean);
      return match ? (r.name as string).replace(/\$(\d)/g, (_, i) => match[Number(i)]).toLowerCase() : undefined;
    }).find((x: string | undefined) => x);
    const names = [
      'kafka.controller<type=KafkaController, name=ActiveControllerCount><>Value',
      'kafka.controller<type=KafkaController, name=OfflinePartitionsCount><>Value',
      'kafka.server<type=ReplicaManager, name=UnderReplicatedPartitions><>Value',
      'kafka.server<type=ReplicaManager, name=UnderMinIsrPartitionCount><>Value',
      'kafka.server<type=BrokerTopicMetrics, name=BytesInPerSec><>Count',
      'kafka.server<type=BrokerTopicMetrics, name=BytesOutPerSec><>Count',
    ].map(produced);
    expect(names).toEqual([
      'kafka_controller_kafkacontroller_activecontrollercount', 'kafka_controller_kafkacontroller_offlinepartitionscount',
      'kafka_server_replicamanager_underreplicatedpartitions', 'kafka_server_replicamanager_underminisrpartitioncount',
      'kafka_server_brokertopicmetrics_bytesinpersec_total', 'kafka_server_brokertopicmetrics_bytesoutpersec_total',
    ]);
    // A per-topic bean is not matched by the cluster-wide rule.
    expect(produced('kafka.server<type=BrokerTopicMetrics, name=BytesInPerSec, topic=orders><>Count')).toBeUndefined();
    const used = new Set(promqlOf(objs).flatMap((q) => q.match(/\bkafka_[a-z_]+/g) ?? []));
    for (const metric of used) expect(names).toContain(metric);
  });

  test('a Grafana dashboard ConfigMap', () => {
    const cm = find(objs, 'ConfigMap', 'events-dashboard');
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    expect(JSON.parse(cm.data['events-dashboard.json']).title).toBe('Kafka events');
  });
});

test('dedicated controllers and a pool added later: each pool monitored, controller rules on the controllers only', () => {
  const { kafka, c } = synth({ controllers: { replicas: 3 } });
  kafka.addNodePool('big', { roles: [KafkaNodeRole.BROKER], replicas: 3 });
  const objs = synthValidated(c);
  expect(ofKind(objs, 'PodMonitor').map((o) => o.metadata.name).sort()).toEqual(['events-big', 'events-broker', 'events-controller']);
  expect(kafka.monitoring.length).toBe(3);
  const alerts = (name: string) => find(objs, 'PrometheusRule', name).spec.groups[0].rules.map((r: any) => r.alert);
  expect(alerts('events-controller')).toEqual(['KafkaActiveControllerCount', 'KafkaOfflinePartitions', 'KafkaVolumeFull', 'KafkaVolumeFillingUp']);
  expect(alerts('events-big')).toEqual(['KafkaUnderReplicatedPartitions', 'KafkaUnderMinIsrPartitions', 'KafkaVolumeFull', 'KafkaVolumeFillingUp']);
  expect(find(objs, 'PrometheusRule', 'events-big').spec.groups[0].rules[2].expr).toContain('persistentvolumeclaim=~"data-events-big-[0-9]+"');
  for (const q of promqlOf(objs)) expect(promqlErrors(q)).toEqual([]);
});

test.each<[string, KafkaClusterProps, string, string]>([
  ['monitoring without an agent', { jmxExporter: undefined }, "monitoring needs 'jmxExporter'", 'KafkaMonitoringAgentMissing'],
  ['an unpinned agent image', { jmxExporter: JmxExporterAgent.fromImage('registry.example.com/jmx-exporter') }, 'must be pinned', 'MonitoringAgentImageInvalid'],
  ['a latest agent image', { jmxExporter: JmxExporterAgent.fromImage('jmx-exporter:latest') }, 'must be pinned', 'MonitoringAgentImageInvalid'],
  ['a relative jar path', { jmxExporter: JmxExporterAgent.fromImage('jmx:1.1.0', 'agent.jar') }, "jarPath 'agent.jar' must be an absolute path", 'MonitoringAgentJarInvalid'],
])('bad props: %s', (_, props, message, code) => {
  const e = thrown(() => synth(props));
  expect(e.message).toContain(message);
  expect(Errors.codeOf(e)).toBe(code);
});
