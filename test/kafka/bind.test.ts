// bind() across namespaces and twice (safety issue A4).
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Errors, KafkaAuthentication, KafkaCluster, KafkaTls, KafkaTopic } from '../../src';
import { envOf, find, ofKind, synthValidatedApp } from '../util/validate';

const client = (c: Chart, id = 'app') => new kplus.Deployment(c, id, {
  containers: [{ image: 'docker.io/library/busybox:1.37', securityContext: { user: 1000 } }],
});

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

/** A PLAINTEXT cluster in 'data', a client chart in `ns`. */
function twoCharts(ns: string | undefined, kafkaNs: string | null = 'data') {
  const app = Testing.app();
  const data = new Chart(app, 'data', { namespace: kafkaNs ?? undefined });
  const apps = new Chart(app, 'apps', { namespace: ns });
  return { app, data, apps, kafka: new KafkaCluster(data, 'kafka') };
}

test('a client in another namespace: qualified bootstrap name, and a peer that names its namespace', () => {
  const { app, apps, kafka } = twoCharts('shop');
  kafka.bind(client(apps));
  const objs = synthValidatedApp(app);
  const dep = ofKind(objs, 'Deployment')[0];
  expect(envOf(dep.spec.template.spec.containers[0]).KAFKA_BOOTSTRAP_SERVERS).toBe('kafka-bootstrap.data.svc.cluster.local:9092');
  const rule = find(objs, 'NetworkPolicy', 'kafka').spec.ingress.find((r: any) => r.ports?.[0]?.port === 9092);
  expect(rule.from).toEqual([{
    podSelector: { matchLabels: dep.spec.selector.matchLabels },
    namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop'] }] },
  }]);
});

test('a client in the same namespace: the short name and a bare pod selector (both portable under a kustomize namespace)', () => {
  const { app, data, kafka } = twoCharts('data');
  kafka.bind(client(data));
  const objs = synthValidatedApp(app);
  const dep = ofKind(objs, 'Deployment')[0];
  expect(envOf(dep.spec.template.spec.containers[0]).KAFKA_BOOTSTRAP_SERVERS).toBe('kafka-bootstrap:9092');
  const rule = find(objs, 'NetworkPolicy', 'kafka').spec.ingress.find((r: any) => r.ports?.[0]?.port === 9092);
  expect(rule.from).toEqual([{ podSelector: { matchLabels: dep.spec.selector.matchLabels } }]);
});

test.each([
  ['the client chart has no namespace', undefined, 'data' as string | null, "the chart of 'apps/app' has no namespace while the other has 'data'"],
  ["the cluster's chart has no namespace", 'shop', null, "the Kafka cluster's chart has no namespace while the other has 'shop'"],
])('%s → KafkaBindNamespaceUnknown (never a peer that only matches one namespace)', (_, ns, kafkaNs, message) => {
  const { apps, kafka } = twoCharts(ns, kafkaNs);
  const err = thrown(() => kafka.bind(client(apps)));
  expect(Errors.codeOf(err)).toBe('KafkaBindNamespaceUnknown');
  expect(err.message).toContain(message);
  expect(err.message).toContain('set `namespace` on both charts');
});

test('neither chart has a namespace: taken to share one', () => {
  const { app, apps, kafka } = twoCharts(undefined, null);
  kafka.bind(client(apps));
  const objs = synthValidatedApp(app);
  expect(envOf(ofKind(objs, 'Deployment')[0].spec.template.spec.containers[0]).KAFKA_BOOTSTRAP_SERVERS).toBe('kafka-bootstrap:9092');
});

describe('SASL and TLS across namespaces', () => {
  function secure() {
    const app = Testing.app();
    const data = new Chart(app, 'data', { namespace: 'data' });
    const apps = new Chart(app, 'apps', { namespace: 'shop' });
    const s = (c: Chart, n: string) => kplus.Secret.fromSecretName(c, n, n);
    const kafka = new KafkaCluster(data, 'kafka', {
      listeners: {
        tls: KafkaTls.fromPkcs12Secret(s(data, 'kafka-tls'), { passwordSecret: s(data, 'kafka-tls-pw') }),
        authentication: KafkaAuthentication.SASL_PLAIN,
        users: [{ username: 'orders', passwordSecret: s(data, 'orders-pw') }],
      },
    });
    return { app, apps, kafka, s };
  }

  test('without copies in the client namespace → KafkaBindSecretsMissing naming each Secret and key', () => {
    const { apps, kafka } = secure();
    const err = thrown(() => kafka.bind(client(apps)));
    expect(Errors.codeOf(err)).toBe('KafkaBindSecretsMissing');
    expect(err.message).toContain("the client is in namespace 'shop' and Kafka 'kafka' in 'data'; a pod reads Secrets of its own namespace only");
    expect(err.message).toContain("clientSecrets.password (key 'password', the password of SASL user 'orders')");
    expect(err.message).toContain("clientSecrets.tls (keys 'ca.crt' and 'truststore.p12'");
    expect(err.message).toContain("clientSecrets.tlsPassword (key 'password', the truststore password)");
  });

  test('with clientSecrets every reference names a Secret of the client namespace', () => {
    const { app, apps, kafka, s } = secure();
    kafka.bind(client(apps), { clientSecrets: { password: s(apps, 'shop-kafka-pw'), tls: s(apps, 'shop-kafka-ca'), tlsPassword: s(apps, 'shop-kafka-ca-pw') } });
    const objs = synthValidatedApp(app, { externalSecrets: ['kafka-tls', 'kafka-tls-pw', 'orders-pw', 'shop-kafka-pw', 'shop-kafka-ca', 'shop-kafka-ca-pw'] });
    const pod = ofKind(objs, 'Deployment')[0].spec.template.spec;
    const env = envOf(pod.containers[0]);
    expect(env.KAFKA_SASL_PASSWORD).toEqual({ secretKeyRef: { name: 'shop-kafka-pw', key: 'password' } });
    expect(env.KAFKA_SSL_TRUSTSTORE_PASSWORD).toEqual({ secretKeyRef: { name: 'shop-kafka-ca-pw', key: 'password' } });
    expect(pod.volumes.map((v: any) => v.secret?.secretName)).toEqual(['shop-kafka-ca']);
  });
});

test('binding twice: the same cluster (KafkaBindDuplicate) or a second cluster (KafkaBindEnvConflict) never overwrites', () => {
  const app = new App({ outdir: '/tmp/unused' });
  const c = new Chart(app, 'c', { namespace: 'data' });
  const a = new KafkaCluster(c, 'a');
  const b = new KafkaCluster(c, 'b');
  const dep = client(c);
  a.bind(dep);
  expect(Errors.codeOf(thrown(() => a.bind(dep)))).toBe('KafkaBindDuplicate');
  const err = thrown(() => b.bind(dep));
  expect(Errors.codeOf(err)).toBe('KafkaBindEnvConflict');
  expect(err.message).toContain("container 'main' of workload 'c/app' has KAFKA_BOOTSTRAP_SERVERS already");
  expect(dep.containers[0].env.variables.KAFKA_BOOTSTRAP_SERVERS.value).toBe('a-bootstrap:9092');
});

test('a topic in a chart of another namespace than its cluster → KafkaTopicNamespaceMismatch', () => {
  const { apps, kafka } = twoCharts('shop');
  const err = thrown(() => new KafkaTopic(apps, 't', { cluster: kafka }));
  expect(Errors.codeOf(err)).toBe('KafkaTopicNamespaceMismatch');
  expect(err.message).toContain("topic 't' is in namespace 'shop' but Kafka 'kafka' in 'data'");
});
