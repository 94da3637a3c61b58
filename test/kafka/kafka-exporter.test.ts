// KafkaExporter: kafka_exporter Deployment (flags of danielqsj/kafka_exporter's README and
// kafka_exporter.go), its least-privilege user, NetworkPolicy, scrape object, lag alert and panel.
import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  Errors, JmxExporterAgent, KafkaAclOperation, KafkaAuthentication, KafkaCluster, KafkaExporter, KafkaExporterProps, KafkaTls, Monitoring,
} from '../../src';
import { promqlErrors, promqlOf } from '../util/promql';
import { promtoolTestRules, series } from '../util/promtool';
import { container, envOf, find, synthValidated } from '../util/validate';

const AGENT = JmxExporterAgent.fromImage('registry.example.com/jmx-exporter:1.1.0');
const EXTERNAL = ['kafka-tls', 'kafka-tls-pw', 'exporter-cert', 'monitor-pw'];

function setup(authentication?: KafkaAuthentication, props: Partial<KafkaExporterProps> = {}, monitoring = Monitoring.prometheus()) {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const s = (n: string) => kplus.Secret.fromSecretName(c, n, n);
  const tls = authentication ? KafkaTls.fromPkcs12Secret(s('kafka-tls'), { passwordSecret: s('kafka-tls-pw') }) : undefined;
  const kafka = new KafkaCluster(c, 'events', {
    monitoring,
    jmxExporter: AGENT,
    listeners: authentication ? {
      tls,
      authentication,
      users: authentication === KafkaAuthentication.SASL_PLAIN ? [{ username: 'monitor', passwordSecret: s('monitor-pw') }] : undefined,
    } : undefined,
  });
  const exporter = new KafkaExporter(c, 'lag', { cluster: kafka, monitoring, ...props });
  return { c, s, kafka, exporter };
}

describe('a SCRAM cluster', () => {
  const { c, kafka, exporter } = setup(KafkaAuthentication.SCRAM_SHA_512, { lagThreshold: 5000 });
  const objs = synthValidated(c, { externalSecrets: EXTERNAL });
  const dep = find(objs, 'Deployment', 'events-kafka-exporter');
  const ctr = container(dep, 'kafka-exporter');

  test('pinned image, flags: bootstrap, SCRAM-SHA-512 with the password expanded from env, TLS with the CA bind() mounts', () => {
    expect(ctr.image).toBe('docker.io/danielqsj/kafka-exporter:v1.9.0');
    expect(ctr.args).toEqual([
      '--kafka.server=events-bootstrap.$(POD_NAMESPACE).svc.cluster.local:9092', '--kafka.version=4.1.2',
      '--web.listen-address=:9308',
      '--sasl.enabled', '--sasl.mechanism=scram-sha512', '--sasl.username=kafka-exporter', '--sasl.password=$(KAFKA_SASL_PASSWORD)',
      '--tls.enabled', '--tls.ca-file=/etc/kafka-client/ca.crt',
    ]);
    expect(envOf(ctr).KAFKA_SASL_PASSWORD).toEqual({ secretKeyRef: { name: 'events-user-kafka-exporter', key: 'password' } });
    // The namespace comes from the downward API, so a kustomize namespace overlay keeps the address valid.
    expect(envOf(ctr).POD_NAMESPACE).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
    expect(ctr.volumeMounts).toContainEqual(expect.objectContaining({ mountPath: '/etc/kafka-client', readOnly: true }));
    expect(ctr.ports).toEqual([{ name: 'metrics', containerPort: 9308 }]);
  });

  test('restricted PSS and resources', () => {
    expect(dep.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
    expect(ctr.securityContext).toMatchObject({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(dep.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(ctr.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } });
  });

  test('its own user: DESCRIBE on every topic, every group and the cluster, nothing else', () => {
    expect(exporter.user?.username).toBe('kafka-exporter');
    expect(kafka.users.map((u) => u.username)).toEqual(['kafka-exporter']);
    expect(exporter.user!.acls.map((a) => [a.resourceType, a.resourceName, a.patternType, a.operations, a.permission])).toEqual([
      ['topic', '*', 'literal', [KafkaAclOperation.DESCRIBE], 'allow'],
      ['group', '*', 'literal', [KafkaAclOperation.DESCRIBE], 'allow'],
      ['cluster', 'kafka-cluster', 'literal', [KafkaAclOperation.DESCRIBE], 'allow'],
    ]);
  });

  test('the brokers admit it on the client port; its own NetworkPolicy opens only 9308 to Prometheus', () => {
    const brokers = find(objs, 'NetworkPolicy', 'events');
    const podLabels = dep.spec.template.metadata.labels;
    const rule = brokers.spec.ingress.find((r: any) => r.from[0].podSelector?.matchLabels
      && Object.entries(r.from[0].podSelector.matchLabels).every(([k, v]) => podLabels[k] === v) && !r.from[0].namespaceSelector);
    expect(rule.ports).toEqual([{ port: 9092, protocol: 'TCP' }]);
    const np = find(objs, 'NetworkPolicy', 'events-kafka-exporter');
    expect(np.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'kafka-exporter', 'app.kubernetes.io/instance': 'events', 'app.kubernetes.io/component': 'metrics' });
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress.slice(1)).toEqual([{
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } }, namespaceSelector: {} }],
      ports: [{ port: 9308, protocol: 'TCP' }],
    }]);
  });

  test('PodMonitor on the metrics port, alert KafkaConsumerGroupLag with the threshold for 10m, a lag panel; valid PromQL', () => {
    const pm = find(objs, 'PodMonitor', 'events-kafka-exporter');
    expect(pm.spec.selector.matchLabels).toEqual(np(objs).spec.podSelector.matchLabels);
    expect(pm.spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    const rule = find(objs, 'PrometheusRule', 'events-kafka-exporter').spec.groups[0].rules[0];
    expect(rule).toMatchObject({
      alert: 'KafkaConsumerGroupLag',
      expr: 'max by (consumergroup, topic) (kafka_consumergroup_lag_sum{namespace="data",pod=~"events-kafka-exporter-[a-z0-9]+-[a-z0-9]+"}) > 5000',
      for: '600s',
      labels: { severity: 'warning' },
    });
    const dash = JSON.parse(find(objs, 'ConfigMap', 'events-kafka-exporter-dashboard').data['events-kafka-exporter-dashboard.json']);
    expect(dash.panels.map((p: any) => p.title)).toEqual(['Consumer group lag', 'Messages in per topic']);
    const all = promqlOf(objs);
    expect(all).toContain(rule.expr);
    for (const q of all) expect(promqlErrors(q)).toEqual([]);
  });
});

test('promtool: KafkaConsumerGroupLag fires for a group above the threshold for 10 minutes, not for one that catches up', () => {
  const { c } = setup(undefined, { lagThreshold: 1000 });
  const rules = find(synthValidated(c), 'PrometheusRule', 'events-kafka-exporter').spec.groups[0].rules;
  const pod = 'namespace="data",pod="events-kafka-exporter-5d8f7c9b4-x2x9k"';
  const r = promtoolTestRules(rules, [{
    interval: '1m',
    input_series: series({
      [`kafka_consumergroup_lag_sum{${pod},consumergroup="billing",topic="orders"}`]: '2000+100x30',
      [`kafka_consumergroup_lag_sum{${pod},consumergroup="audit",topic="orders"}`]: '5000-500x9 0+0x20',
      ['kafka_consumergroup_lag_sum{namespace="data",pod="other-7f9c-abcde",consumergroup="x",topic="y"}']: '9999+0x30',
    }),
    alert_rule_test: [
      { eval_time: '9m', alertname: 'KafkaConsumerGroupLag', exp_alerts: [] },
      {
        eval_time: '15m',
        alertname: 'KafkaConsumerGroupLag',
        exp_alerts: [{
          exp_labels: { severity: 'warning', consumergroup: 'billing', topic: 'orders' },
          exp_annotations: { summary: 'A consumer group is more than 1000 messages behind on a topic' },
        }],
      },
    ],
  }]);
  expect(r.output).toContain('SUCCESS');
  expect(r.status).toBe(0);
});

const np = (objs: any[]) => find(objs, 'NetworkPolicy', 'events-kafka-exporter');

test('no authentication, no TLS: no user, no SASL or TLS flags', () => {
  const { c, kafka, exporter } = setup();
  const objs = synthValidated(c);
  expect(exporter.user).toBeUndefined();
  expect(kafka.users).toEqual([]);
  expect(container(find(objs, 'Deployment', 'events-kafka-exporter'), 'kafka-exporter').args).toEqual([
    '--kafka.server=events-bootstrap.$(POD_NAMESPACE).svc.cluster.local:9092', '--kafka.version=4.1.2', '--web.listen-address=:9308',
  ]);
});

test('mTLS: a user named like the certificate CN, the PEM pair mounted, no SASL', () => {
  const c0 = new Chart(Testing.app(), 'x');
  const cert = KafkaTls.fromPkcs12Secret(kplus.Secret.fromSecretName(c0, 'e', 'exporter-cert'), { passwordSecret: kplus.Secret.fromSecretName(c0, 'p', 'kafka-tls-pw') });
  const { c, exporter } = setup(KafkaAuthentication.MTLS, { certificate: cert, user: 'lag-reader' });
  const objs = synthValidated(c, { externalSecrets: EXTERNAL });
  const dep = find(objs, 'Deployment', 'events-kafka-exporter');
  const ctr = container(dep, 'kafka-exporter');
  expect(exporter.user?.certificate).toBe(cert);
  expect(ctr.args).toEqual([
    '--kafka.server=events-bootstrap.$(POD_NAMESPACE).svc.cluster.local:9092', '--kafka.version=4.1.2', '--web.listen-address=:9308',
    '--tls.enabled', '--tls.ca-file=/etc/kafka-client/ca.crt', '--tls.cert-file=/etc/kafka-exporter-cert/tls.crt', '--tls.key-file=/etc/kafka-exporter-cert/tls.key',
  ]);
  const vol = dep.spec.template.spec.volumes.find((v: any) => v.secret?.secretName === 'exporter-cert');
  expect(vol.secret.items).toEqual([{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }]);
});

test('SASL/PLAIN: logs in as a listeners user with mechanism plain; no user is added', () => {
  const { c, kafka } = setup(KafkaAuthentication.SASL_PLAIN, { user: 'monitor' });
  const objs = synthValidated(c, { externalSecrets: EXTERNAL });
  const ctr = container(find(objs, 'Deployment', 'events-kafka-exporter'), 'kafka-exporter');
  expect(kafka.users).toEqual([]);
  expect(ctr.args).toContain('--sasl.mechanism=plain');
  expect(ctr.args).toContain('--sasl.username=monitor');
  expect(envOf(ctr).KAFKA_SASL_PASSWORD).toEqual({ secretKeyRef: { name: 'monitor-pw', key: 'password' } });
});

test('without the operator: scrape annotations on the exporter pods, no PodMonitor or rule', () => {
  const { c } = setup(undefined, {}, Monitoring.prometheus({ operator: false }));
  const objs = synthValidated(c);
  expect(find(objs, 'Deployment', 'events-kafka-exporter').spec.template.metadata.annotations).toEqual({
    'prometheus.io/scrape': 'true', 'prometheus.io/port': '9308', 'prometheus.io/path': '/metrics',
  });
  expect(objs.filter((o) => o.kind === 'PodMonitor' || o.kind === 'PrometheusRule')).toEqual([]);
});

test.each<[string, KafkaAuthentication | undefined, () => Partial<KafkaExporterProps>, string, string]>([
  ['a zero threshold', undefined, () => ({ lagThreshold: 0 }), 'KafkaExporterLagThresholdInvalid', 'lagThreshold must be a whole number of messages of at least 1, got 0'],
  ['a fractional threshold', undefined, () => ({ lagThreshold: 1.5 }), 'KafkaExporterLagThresholdInvalid', 'got 1.5'],
  ['a lagFor under a minute', undefined, () => ({ lagFor: Duration.seconds(30) }), 'KafkaExporterLagForInvalid', 'lagFor must be whole seconds of at least 1 minute'],
  ['mTLS without a certificate', KafkaAuthentication.MTLS, () => ({}), 'KafkaExporterCertificateMissing', "set 'certificate'"],
  ['SASL/PLAIN without a user', KafkaAuthentication.SASL_PLAIN, () => ({}), 'KafkaExporterUserRequired', 'one of its listeners.users'],
])('%s is refused', (_, auth, props, code, message) => {
  let err: any;
  try {
    setup(auth, props());
  } catch (e) {
    err = e;
  }
  expect(Errors.codeOf(err)).toBe(code);
  expect(err.message).toContain(message);
});
