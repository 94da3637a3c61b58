import { createHash } from 'crypto';
import { ApiObject, App, Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  KafkaAuthentication, KafkaCluster, KafkaNodeRole, KafkaTls, KafkaVersion, Warnings,
} from '../../src';
import { container, envOf, find, ofKind, synthValidated } from '../util/validate';

function chart(namespace: string | null = 'data'): Chart {
  return new Chart(Testing.app(), 'test', { namespace: namespace ?? undefined });
}

function kafkaEnv(objs: any[], sts: string): { [k: string]: any } {
  return envOf(container(find(objs, 'StatefulSet', sts), 'kafka'));
}

describe('defaults: 3 combined nodes, static quorum, PLAINTEXT', () => {
  const c = chart();
  const kafka = new KafkaCluster(c, 'kafka');
  const objs = synthValidated(c);
  const sts = find(objs, 'StatefulSet', 'kafka');
  const env = kafkaEnv(objs, 'kafka');

  test('snapshot', () => {
    expect(objs).toMatchSnapshot();
  });

  test('one StatefulSet of 3 broker+controller nodes, Parallel, pinned official image', () => {
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.spec.ordinals).toBeUndefined();
    expect(container(sts, 'kafka').image).toBe('docker.io/apache/kafka:4.1.2');
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(kafka.nodePools.map((p) => p.name)).toEqual(['kafka']);
    expect(kafka.brokers).toBe(3);
  });

  test('headless Service publishes not-ready addresses; PDB allows one disruption', () => {
    const svc = find(objs, 'Service', 'kafka-headless');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.publishNotReadyAddresses).toBe(true);
    expect(find(objs, 'PodDisruptionBudget', 'kafka').spec.maxUnavailable).toBe(1);
  });

  test('node.id is the pod index; the voters are the stable pod names; deterministic cluster id', () => {
    expect(env.KAFKA_NODE_ID).toEqual({ fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } });
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(
      [0, 1, 2].map((i) => `${i}@kafka-${i}.kafka-headless.$(POD_NAMESPACE).svc.cluster.local:9093`).join(','),
    );
    expect(env.CLUSTER_ID).toBe(kafka.clusterId);
    expect(kafka.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(kafka.clusterId).not.toBe('5L6g3nShT-eMCtK--X86sw');
    expect(env.POD_NAMESPACE).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
  });

  test('listeners: CLIENT, INTERNAL and CONTROLLER; per-pod advertised names', () => {
    expect(env.KAFKA_LISTENERS).toBe('CLIENT://:9092,INTERNAL://:9094,CONTROLLER://:9093');
    expect(env.KAFKA_ADVERTISED_LISTENERS).toBe(
      'CLIENT://$(POD_NAME).kafka-headless.$(POD_NAMESPACE).svc.cluster.local:9092,INTERNAL://$(POD_NAME).kafka-headless.$(POD_NAMESPACE).svc.cluster.local:9094',
    );
    expect(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).toBe('CLIENT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT');
    expect(env.KAFKA_INTER_BROKER_LISTENER_NAME).toBe('INTERNAL');
    expect(env.KAFKA_CONTROLLER_LISTENER_NAMES).toBe('CONTROLLER');
    expect(kafka.bootstrapServers).toBe('kafka-bootstrap.data.svc.cluster.local:9092');
    expect(kafka.clientProtocol).toBe('PLAINTEXT');
  });

  test('replication settings: RF 3, min ISR 2, internal topics RF 3, no auto-created topics', () => {
    expect(env.KAFKA_DEFAULT_REPLICATION_FACTOR).toBe('3');
    expect(env.KAFKA_MIN_INSYNC_REPLICAS).toBe('2');
    expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('3');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe('3');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR).toBe('2');
    expect(env.KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR).toBe('3');
    expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    expect(env.KAFKA_NUM_PARTITIONS).toBe('3');
  });

  test('data under the claim, log dirs in a subdirectory, heap half the memory limit', () => {
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi');
    expect(container(sts, 'kafka').volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/kafka/data' });
    expect(env.KAFKA_LOG_DIRS).toBe('/var/lib/kafka/data/logs');
    expect(container(sts, 'kafka').resources.limits.memory).toBe('2Gi');
    expect(env.KAFKA_HEAP_OPTS).toBe('-Xms1024m -Xmx1024m');
  });

  test('restricted pod: read-only root with scratch for /opt/kafka/config and /tmp, fsGroup 1000, no service links, no token', () => {
    const pod = sts.spec.template.spec;
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
    const k = container(sts, 'kafka');
    expect(k.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    const paths = k.volumeMounts.map((m: any) => m.mountPath);
    expect(paths).toEqual(expect.arrayContaining(['/opt/kafka/config', '/tmp', '/etc/kafka/log-config']));
  });

  test('logs go to stdout only (no unbounded files), GC file log off', () => {
    expect(env.KAFKA_LOG4J_OPTS).toBe('-Dlog4j2.configurationFile=/etc/kafka/log-config/log4j2.yaml');
    expect(find(objs, 'ConfigMap', 'kafka-log-config').data['log4j2.yaml']).toContain('Console:');
    expect(find(objs, 'ConfigMap', 'kafka-log-config').data['log4j2.yaml']).not.toContain('RollingFile');
    expect(env.EXTRA_ARGS).toBe('-name kafkaServer');
  });

  test('readiness: back in the ISR after a start (assets/broker-ready.sh); liveness on the client port; a long startup allowance for log recovery', () => {
    const k = container(sts, 'kafka');
    expect(k.readinessProbe.exec.command).toEqual(['bash', '/opt/kafka-probe/broker-ready.sh']);
    expect(k.readinessProbe).toMatchObject({ periodSeconds: 10, timeoutSeconds: 25, failureThreshold: 3 });
    expect(k.volumeMounts).toContainEqual({ name: 'probe', mountPath: '/opt/kafka-probe', readOnly: true });
    expect(find(objs, 'ConfigMap', 'kafka-probe').data['broker-ready.sh']).toContain('--under-replicated-partitions');
    expect(k.livenessProbe.tcpSocket.port).toBe(9092);
    expect(k.startupProbe.failureThreshold).toBe(180);
  });

  test('bootstrap Service selects every broker; NetworkPolicy admits the cluster and topic Jobs (internal port)', () => {
    const svc = find(objs, 'Service', 'kafka-bootstrap');
    expect(svc.spec.selector).toEqual({ 'kafka.cdk8s-stateful.io/cluster': 'kafka', 'kafka.cdk8s-stateful.io/broker': 'true' });
    const np = find(objs, 'NetworkPolicy', 'kafka');
    expect(np.spec.ingress).toContainEqual({ from: [{ podSelector: { matchLabels: { 'kafka.cdk8s-stateful.io/cluster': 'kafka' } } }] });
    expect(np.spec.ingress).toContainEqual({
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/instance': 'kafka', 'app.kubernetes.io/component': 'topic' } } }],
      ports: [{ port: 9094, protocol: 'TCP' }],
    });
  });

  test('no warnings', () => {
    expect(Warnings.of(c).ids()).toEqual([]);
  });
});

test('the same code gives byte-identical YAML; the cluster id follows namespace and name, never the construct path', () => {
  const yaml = (id: string) => {
    const app = new App({ outdir: '/tmp/unused' });
    new KafkaCluster(new Chart(app, 'c', { namespace: 'n' }), id);
    return app.synthYaml();
  };
  expect(yaml('kafka')).toEqual(yaml('kafka'));
  const a = new KafkaCluster(chart(), 'a');
  const b = new KafkaCluster(chart(), 'b');
  expect(a.clusterId).not.toBe(b.clusterId);
  expect(new KafkaCluster(chart(), 'x', { clusterId: 'MkU3OEVBNTcwNTJENDM2Qg' }).clusterId).toBe('MkU3OEVBNTcwNTJENDM2Qg');
  // Renamed chart, a wrapping construct, a shared platform chart: same namespace and name, same id.
  const id = (build: (app: App) => Chart, path: string[], name?: string) => {
    const app = Testing.app();
    let scope: Construct = build(app);
    for (const p of path) scope = new Construct(scope, p);
    return new KafkaCluster(scope, name ?? 'events', name ? { name: 'events' } : {}).clusterId;
  };
  const base = id((app) => new Chart(app, 'streaming', { namespace: 'streaming' }), []);
  expect(id((app) => new Chart(app, 'renamed', { namespace: 'streaming' }), [])).toBe(base);
  expect(id((app) => new Chart(app, 'PlatformChart', { namespace: 'streaming' }), ['Messaging', 'Kafka'])).toBe(base);
  expect(id((app) => new Chart(app, 'streaming', { namespace: 'streaming' }), [], 'other-id')).toBe(base);
  // Another namespace or another name is another cluster.
  expect(id((app) => new Chart(app, 'streaming', { namespace: 'other' }), [])).not.toBe(base);
  expect(id((app) => new Chart(app, 'streaming'), [])).not.toBe(base);
  // The documented derivation: sha256('<namespace>/<name>'), 16 bytes, base64url.
  expect(base).toBe(createHash('sha256').update('streaming/events').digest().subarray(0, 16).toString('base64url'));
  expect(id((app) => new Chart(app, 'c'), [])).toBe(createHash('sha256').update('/events').digest().subarray(0, 16).toString('base64url'));
});

test('without a chart namespace, names are built from POD_NAMESPACE at run time, honouring clusterDomain', () => {
  const c = chart(null);
  const kafka = new KafkaCluster(c, 'kafka', { clusterDomain: 'k8s.example' });
  const env = kafkaEnv(synthValidated(c), 'kafka');
  expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(
    [0, 1, 2].map((i) => `${i}@kafka-${i}.kafka-headless.$(POD_NAMESPACE).svc.k8s.example:9093`).join(','),
  );
  expect(env.KAFKA_ADVERTISED_LISTENERS).toContain('CLIENT://$(POD_NAME).kafka-headless.$(POD_NAMESPACE).svc.k8s.example:9092');
  expect(kafka.bootstrapServers).toBe('kafka-bootstrap:9092');
  // Nodes connect by `<pod>.<headless>.<ns>.svc.<domain>`: a certificate for `*.kafka-headless`
  // would fail hostname verification, so there is no correct answer without the namespace.
  expect(() => kafka.tlsDnsNames).toThrow("tlsDnsNames needs the chart's namespace");
});

describe('dedicated controllers plus broker pools', () => {
  const c = chart();
  const kafka = new KafkaCluster(c, 'kafka', {
    controllers: { replicas: 5, storage: { size: Size.gibibytes(2) } },
    replicas: 3,
  });
  const fast = kafka.addNodePool('fast', { replicas: 2, storage: { size: Size.gibibytes(100) } });
  const objs = synthValidated(c);
  const ctrl = kafkaEnv(objs, 'kafka-controller');
  const broker = kafkaEnv(objs, 'kafka-broker');

  test('controllers only vote: CONTROLLER listener, no advertised listeners, node ids 0-4', () => {
    const sts = find(objs, 'StatefulSet', 'kafka-controller');
    expect(sts.spec.replicas).toBe(5);
    expect(sts.spec.ordinals).toBeUndefined();
    expect(ctrl.KAFKA_PROCESS_ROLES).toBe('controller');
    expect(ctrl.KAFKA_LISTENERS).toBe('CONTROLLER://:9093');
    expect(ctrl.KAFKA_ADVERTISED_LISTENERS).toBeUndefined();
    expect(container(sts, 'kafka').readinessProbe.tcpSocket.port).toBe(9093);
    expect(container(sts, 'kafka').ports.map((p: any) => p.name)).toEqual(['controller']);
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('2Gi');
    expect(container(sts, 'kafka').resources.limits.memory).toBe('1Gi');
    expect(ctrl.KAFKA_HEAP_OPTS).toBe('-Xms512m -Xmx512m');
    expect(find(objs, 'Service', 'kafka-controller-headless').spec.publishNotReadyAddresses).toBe(true);
  });

  test('brokers: ordinals from 100, then 200; every node lists the same controller voters', () => {
    expect(find(objs, 'StatefulSet', 'kafka-broker').spec.ordinals).toEqual({ start: 100 });
    expect(find(objs, 'StatefulSet', 'kafka-fast').spec.ordinals).toEqual({ start: 200 });
    expect(fast.nodeIds).toEqual([200, 201]);
    expect(broker.KAFKA_PROCESS_ROLES).toBe('broker');
    const voters = [0, 1, 2, 3, 4].map((i) => `${i}@kafka-controller-${i}.kafka-controller-headless.$(POD_NAMESPACE).svc.cluster.local:9093`).join(',');
    expect(ctrl.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(voters);
    expect(broker.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(voters);
    expect(kafkaEnv(objs, 'kafka-fast').KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(voters);
    expect(broker.KAFKA_ADVERTISED_LISTENERS).toContain('$(POD_NAME).kafka-broker-headless.$(POD_NAMESPACE).svc.cluster.local:9092');
  });

  test('replication follows all brokers of all pools; a PDB per pool', () => {
    expect(kafka.brokers).toBe(5);
    expect(broker.KAFKA_DEFAULT_REPLICATION_FACTOR).toBe('3');
    expect(ofKind(objs, 'PodDisruptionBudget').map((p) => [p.metadata.name, p.spec.maxUnavailable])).toEqual([
      ['kafka-controller', 1], ['kafka-broker', 1], ['kafka-fast', 1],
    ]);
    expect(find(objs, 'StatefulSet', 'kafka-fast').spec.template.metadata.labels['kafka.cdk8s-stateful.io/broker']).toBe('true');
    expect(find(objs, 'StatefulSet', 'kafka-controller').spec.template.metadata.labels['kafka.cdk8s-stateful.io/broker']).toBeUndefined();
  });

  test('tlsDnsNames cover every headless Service and the bootstrap Service', () => {
    expect(kafka.tlsDnsNames).toEqual([
      '*.kafka-controller-headless.data.svc.cluster.local',
      '*.kafka-broker-headless.data.svc.cluster.local',
      '*.kafka-fast-headless.data.svc.cluster.local',
      'kafka-bootstrap.data.svc.cluster.local',
    ]);
  });
});

test('a pool added later raises the derived replication factors of every pool', () => {
  const c = chart();
  const kafka = new KafkaCluster(c, 'kafka', { replicas: 1 });
  Warnings.acknowledge(c, '@cdk8s-stateful/kafka:singleController');
  kafka.addNodePool('more', { replicas: 2 });
  const objs = synthValidated(c);
  expect(find(objs, 'StatefulSet', 'kafka-more').spec.ordinals).toEqual({ start: 100 });
  for (const sts of ['kafka', 'kafka-more']) {
    expect(kafkaEnv(objs, sts).KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('3');
    expect(kafkaEnv(objs, sts).KAFKA_DEFAULT_REPLICATION_FACTOR).toBe('3');
  }
  expect(Warnings.of(c).ids()).toEqual([]);
});

test('a single node: warnings with stable ids, RF 1 everywhere', () => {
  const c = chart();
  new KafkaCluster(c, 'kafka', { replicas: 1 });
  const env = kafkaEnv(synthValidated(c), 'kafka');
  expect(env.KAFKA_DEFAULT_REPLICATION_FACTOR).toBe('1');
  expect(env.KAFKA_MIN_INSYNC_REPLICAS).toBe('1');
  expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
  expect(env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR).toBe('1');
  expect(Warnings.of(c).ids()).toEqual(['@cdk8s-stateful/kafka:singleController', '@cdk8s-stateful/kafka:singleBroker']);
});

test('version 3.9: log4j 1 configuration, no share-group settings, pinned tag', () => {
  const c = chart();
  new KafkaCluster(c, 'kafka', { version: KafkaVersion.V3_9_2 });
  const objs = synthValidated(c);
  const env = kafkaEnv(objs, 'kafka');
  expect(container(find(objs, 'StatefulSet', 'kafka'), 'kafka').image).toBe('docker.io/apache/kafka:3.9.2');
  expect(env.KAFKA_LOG4J_OPTS).toBe('-Dlog4j.configuration=file:/etc/kafka/log-config/log4j.properties');
  expect(find(objs, 'ConfigMap', 'kafka-log-config').data['log4j.properties']).toContain('log4j.rootLogger=INFO, stdout');
  expect(env.KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR).toBeUndefined();
  expect(find(objs, 'StatefulSet', 'kafka').metadata.labels['app.kubernetes.io/version']).toBe('3.9.2');
});

test('broker settings: replication, partitions, auto-create, extra config as KAFKA_* env', () => {
  const c = chart();
  new KafkaCluster(c, 'kafka', {
    replicas: 5,
    defaultReplicationFactor: 3,
    minInsyncReplicas: 2,
    defaultPartitions: 12,
    autoCreateTopics: true,
    config: { 'log.retention.hours': '72', 'some_key-x.y': 'v' },
  });
  const env = kafkaEnv(synthValidated(c), 'kafka');
  expect(env.KAFKA_NUM_PARTITIONS).toBe('12');
  expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('true');
  expect(env.KAFKA_LOG_RETENTION_HOURS).toBe('72');
  // KafkaDockerWrapper maps `_`→`.`, `__`→`_`, `___`→`-`.
  expect(env.KAFKA_SOME__KEY___X_Y).toBe('v');
});

test('resources and heap: explicit heap, derived heap from another limit', () => {
  const c = chart();
  new KafkaCluster(c, 'kafka', {
    resources: { memory: { request: Size.gibibytes(8), limit: Size.gibibytes(8) } },
  });
  const k2 = new KafkaCluster(c, 'other', { heap: Size.gibibytes(3), resources: { memory: { limit: Size.gibibytes(8) } } });
  const objs = synthValidated(c);
  expect(kafkaEnv(objs, 'kafka').KAFKA_HEAP_OPTS).toBe('-Xms4096m -Xmx4096m');
  expect(kafkaEnv(objs, 'other').KAFKA_HEAP_OPTS).toBe('-Xms3072m -Xmx3072m');
  expect(k2.nodePools[0].heap.toMebibytes()).toBe(3072);
});

describe('TLS from a cert-manager PKCS#12 Secret', () => {
  const c = chart();
  const tlsSecret = kplus.Secret.fromSecretName(c, 'TlsSecret', 'kafka-tls');
  const pw = kplus.Secret.fromSecretName(c, 'PwSecret', 'kafka-tls-password');
  const kafka = new KafkaCluster(c, 'kafka', {
    listeners: { tls: KafkaTls.fromPkcs12Secret(tlsSecret, { passwordSecret: pw, clientSecret: kplus.Secret.fromSecretName(c, 'AdminTls', 'kafka-admin-tls') }) },
  });
  kafka.addTopic('events', {});
  const objs = synthValidated(c, { externalSecrets: ['kafka-tls', 'kafka-tls-password', 'kafka-admin-tls'] });
  const sts = find(objs, 'StatefulSet', 'kafka');
  const env = kafkaEnv(objs, 'kafka');

  test('every listener speaks TLS; nodes require client certificates from each other', () => {
    expect(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).toBe('CLIENT:SSL,INTERNAL:SSL,CONTROLLER:SSL');
    expect(env.KAFKA_SSL_KEYSTORE_TYPE).toBe('PKCS12');
    expect(env.KAFKA_SSL_KEYSTORE_LOCATION).toBe('/etc/kafka/tls/keystore.p12');
    expect(env.KAFKA_SSL_TRUSTSTORE_LOCATION).toBe('/etc/kafka/tls/truststore.p12');
    expect(env.TLS_STORE_PASSWORD).toEqual({ secretKeyRef: { name: 'kafka-tls-password', key: 'password' } });
    expect(env.KAFKA_SSL_KEYSTORE_PASSWORD).toBe('$(TLS_STORE_PASSWORD)');
    expect(env.KAFKA_LISTENER_NAME_INTERNAL_SSL_CLIENT_AUTH).toBe('required');
    expect(env.KAFKA_LISTENER_NAME_CONTROLLER_SSL_CLIENT_AUTH).toBe('required');
    // Listener names without "SSL://" keep the image's /etc/kafka/secrets helper out of the way.
    expect(env.KAFKA_ADVERTISED_LISTENERS).not.toContain('SSL://');
    const names = sts.spec.template.spec.containers[0].env.map((e: any) => e.name);
    expect(names.indexOf('TLS_STORE_PASSWORD')).toBeLessThan(names.indexOf('KAFKA_SSL_KEYSTORE_PASSWORD'));
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'kafka-tls', defaultMode: 0o440 } });
    expect(kafka.clientProtocol).toBe('SSL');
  });

  test('the topic Job talks TLS on the internal listener with its own client keystore, never the brokers\'', () => {
    const job = topicJobs(objs)[0];
    const c0 = job.spec.template.spec.containers[0];
    expect(envOf(c0).TLS_STORE_PASSWORD).toEqual({ secretKeyRef: { name: 'kafka-tls-password', key: 'password' } });
    expect(c0.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/kafka/tls', readOnly: true });
    expect(job.spec.template.spec.volumes).toContainEqual({
      name: 'tls', secret: { secretName: 'kafka-admin-tls', defaultMode: 0o440, items: [{ key: 'keystore.p12', path: 'keystore.p12' }, { key: 'truststore.p12', path: 'truststore.p12' }] },
    });
    expect(JSON.stringify(job)).not.toContain('"kafka-tls"');
  });
});

describe('SASL/PLAIN users from Secrets', () => {
  const c = chart();
  const alice = kplus.Secret.fromSecretName(c, 'Alice', 'alice-password');
  const bob = kplus.Secret.fromSecretName(c, 'Bob', 'bob-password');
  const kafka = new KafkaCluster(c, 'kafka', {
    listeners: {
      tls: KafkaTls.fromPkcs12Secret(kplus.Secret.fromSecretName(c, 'Tls', 'kafka-tls'), { passwordSecret: kplus.Secret.fromSecretName(c, 'TlsPw', 'kafka-tls-pw') }),
      authentication: KafkaAuthentication.SASL_PLAIN,
      users: [{ username: 'alice', passwordSecret: alice }, { username: 'bob', passwordSecret: bob, passwordKey: 'pw' }],
    },
  });
  const objs = synthValidated(c, { externalSecrets: ['alice-password', 'bob-password', 'kafka-tls', 'kafka-tls-pw'] });
  const env = kafkaEnv(objs, 'kafka');

  test('the client listener takes PLAIN; passwords enter the JAAS line through earlier env vars', () => {
    expect(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).toBe('CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL');
    expect(env.KAFKA_LISTENER_NAME_CLIENT_SASL_ENABLED_MECHANISMS).toBe('PLAIN');
    expect(env.SASL_PASSWORD_0).toEqual({ secretKeyRef: { name: 'alice-password', key: 'password' } });
    expect(env.SASL_PASSWORD_1).toEqual({ secretKeyRef: { name: 'bob-password', key: 'pw' } });
    expect(env.KAFKA_LISTENER_NAME_CLIENT_PLAIN_SASL_JAAS_CONFIG).toBe(
      'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="$(SASL_PASSWORD_0)" user_bob="$(SASL_PASSWORD_1)";',
    );
    expect(kafka.clientProtocol).toBe('SASL_SSL');
  });

  test('PLAIN without TLS is a KafkaAuthenticationNeedsTls error (INTERNAL and CONTROLLER would be unauthenticated)', () => {
    const bad = () => new KafkaCluster(chart(), 'k', { listeners: { authentication: KafkaAuthentication.SASL_PLAIN, users: [{ username: 'a', passwordSecret: alice }] } });
    expect(bad).toThrow(expect.objectContaining({ code: 'KafkaAuthenticationNeedsTls' }));
  });
});

describe('rack awareness', () => {
  const c = chart();
  const kafka = new KafkaCluster(c, 'kafka', { controllers: {}, rackAwareness: {} });
  kafka.addNodePool('extra', { replicas: 3 });
  const objs = synthValidated(c);

  test('brokers get an init container that writes broker.rack from the zone label', () => {
    const sts = find(objs, 'StatefulSet', 'kafka-broker');
    const init = container(sts, 'rack');
    expect(init.image).toBe('docker.io/curlimages/curl:8.16.0');
    // The script (assets/rack-init.sh, run by test/kafka/assets) takes the label key from env.
    expect(init.command.slice(0, 2)).toEqual(['sh', '-ec']);
    expect(envOf(init).TOPOLOGY_KEY).toBe('topology.kubernetes.io/zone');
    expect(envOf(init).NODE_NAME).toEqual({ fieldRef: { fieldPath: 'spec.nodeName' } });
    expect(init.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container(sts, 'kafka').volumeMounts).toContainEqual({ name: 'rack', mountPath: '/mnt/shared/config', readOnly: true });
    expect(sts.spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(find(objs, 'StatefulSet', 'kafka-extra').spec.template.spec.initContainers.map((x: any) => x.name)).toEqual(['rack']);
    expect(find(objs, 'StatefulSet', 'kafka-controller').spec.template.spec.initContainers).toBeUndefined();
    expect(find(objs, 'StatefulSet', 'kafka-controller').spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  test('a cluster-scoped ClusterRole allowing only get on nodes, bound to each broker pool', () => {
    const role = find(objs, 'ClusterRole', 'data-kafka-node-reader');
    expect(role.metadata.namespace).toBeUndefined();
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]);
    const binding = find(objs, 'ClusterRoleBinding', 'data-kafka-broker-node-reader');
    expect(binding.metadata.namespace).toBeUndefined();
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'kafka-broker', namespace: 'data' }]);
    expect(find(objs, 'ClusterRoleBinding', 'data-kafka-extra-node-reader').roleRef.name).toBe('data-kafka-node-reader');
    expect(kafka.rackClusterRoleBindings.map((b) => b.name)).toEqual(['data-kafka-broker-node-reader', 'data-kafka-extra-node-reader']);
  });
});

test('bind() onto a kplus.Deployment: bootstrap env and a NetworkPolicy rule on the client port of every broker pool', () => {
  const c = chart();
  const kafka = new KafkaCluster(c, 'kafka', { controllers: {} });
  const app = new kplus.Deployment(c, 'app', {
    containers: [{ image: 'docker.io/library/busybox:1.37', securityContext: { user: 1000 } }],
  });
  kafka.bind(app);
  kafka.addNodePool('late', { replicas: 3 });
  const objs = synthValidated(c);
  const dep = ofKind(objs, 'Deployment')[0];
  const env = envOf(dep.spec.template.spec.containers[0]);
  expect(env.KAFKA_BOOTSTRAP_SERVERS).toBe('kafka-bootstrap:9092');
  expect(env.KAFKA_SECURITY_PROTOCOL).toBe('PLAINTEXT');
  const podSelector = { matchLabels: { 'cdk8s.io/metadata.addr': dep.spec.template.metadata.labels['cdk8s.io/metadata.addr'] } };
  const rule = { from: [expect.objectContaining({ podSelector })], ports: [{ port: 9092, protocol: 'TCP' }] };
  for (const np of ['kafka-broker', 'kafka-late']) {
    expect(find(objs, 'NetworkPolicy', np).spec.ingress).toContainEqual(rule);
  }
  expect(find(objs, 'NetworkPolicy', 'kafka-controller').spec.ingress).not.toContainEqual(rule);
});

test('bind() with SASL and TLS: credentials of the chosen user and only the CA of the TLS Secret', () => {
  const c = chart();
  const pw = kplus.Secret.fromSecretName(c, 'Pw', 'kafka-tls-password');
  const kafka = new KafkaCluster(c, 'kafka', {
    listeners: {
      tls: KafkaTls.fromPkcs12Secret(kplus.Secret.fromSecretName(c, 'Tls', 'kafka-tls'), { passwordSecret: pw, passwordKey: 'pkcs12' }),
      authentication: KafkaAuthentication.SASL_PLAIN,
      users: [
        { username: 'orders', passwordSecret: kplus.Secret.fromSecretName(c, 'O', 'orders-kafka') },
        { username: 'audit', passwordSecret: kplus.Secret.fromSecretName(c, 'A', 'audit-kafka') },
      ],
    },
  });
  const app = new kplus.Deployment(c, 'app', { containers: [{ image: 'docker.io/library/busybox:1.37', securityContext: { user: 1000 } }] });
  kafka.bind(app, { user: 'orders' });
  const objs = synthValidated(c, { externalSecrets: ['kafka-tls', 'kafka-tls-password', 'orders-kafka', 'audit-kafka'] });
  const dep = ofKind(objs, 'Deployment')[0];
  const ctr = dep.spec.template.spec.containers[0];
  const env = envOf(ctr);
  expect(env.KAFKA_SECURITY_PROTOCOL).toBe('SASL_SSL');
  expect(env.KAFKA_SASL_MECHANISM).toBe('PLAIN');
  expect(env.KAFKA_SASL_USERNAME).toBe('orders');
  expect(env.KAFKA_SASL_PASSWORD).toEqual({ secretKeyRef: { name: 'orders-kafka', key: 'password' } });
  expect(env.KAFKA_SSL_TRUSTSTORE_PASSWORD).toEqual({ secretKeyRef: { name: 'kafka-tls-password', key: 'pkcs12' } });
  const vol = dep.spec.template.spec.volumes.find((v: any) => v.secret?.secretName === 'kafka-tls');
  expect(vol.secret.items.map((i: any) => i.key).sort()).toEqual(['ca.crt', 'truststore.p12']);
  expect(ctr.volumeMounts).toContainEqual(expect.objectContaining({ mountPath: '/etc/kafka-client', readOnly: true }));
  expect(Warnings.of(c).ids()).toEqual([]);
});

test('roles are sorted and deduplicated; addNodePool defaults to brokers', () => {
  const c = chart();
  const kafka = new KafkaCluster(c, 'kafka');
  const p = kafka.addNodePool('b', { roles: [KafkaNodeRole.BROKER, KafkaNodeRole.BROKER] });
  expect(p.roles).toEqual([KafkaNodeRole.BROKER]);
  expect(kafka.nodePool('b')).toBe(p);
  expect(kafka.controllerPool.roles).toEqual([KafkaNodeRole.BROKER, KafkaNodeRole.CONTROLLER]);
});

test('ApiObject.of(cluster) is the StatefulSet of the controller pool (combined or dedicated)', () => {
  const c = chart();
  const combined = new KafkaCluster(c, 'kafka');
  expect(ApiObject.of(combined)).toBe(combined.controllerPool.statefulSet);
  expect(ApiObject.of(combined).name).toBe('kafka');
  const dedicated = new KafkaCluster(c, 'other', { controllers: {} });
  expect(ApiObject.of(dedicated).name).toBe('other-controller');
  const topic = combined.addTopic('orders', {});
  expect(ApiObject.of(topic)).toBe(topic.job);
  ApiObject.of(combined).metadata.addAnnotation('example.com/owner', 'team-a');
  expect(find(synthValidated(c), 'StatefulSet', 'kafka').metadata.annotations).toEqual({ 'example.com/owner': 'team-a' });
});

test('KafkaCluster is an IStatefulService: endpoint is the bootstrap Service; connections reach every pool, also pools added later', () => {
  const c = new Chart(Testing.app(), 'svc', { namespace: 'events' });
  const k = new KafkaCluster(c, 'bus', { controllers: { replicas: 3 } });
  k.addNodePool('brokers', { replicas: 3 });
  expect(k.endpoint).toEqual({ host: 'bus-bootstrap.events.svc.cluster.local', port: 9092 });
  expect(`${k.endpoint.host}:${k.endpoint.port}`).toBe(k.bootstrapServers);
  k.connections.allowFromLabels({ app: 'orders' }, ['client']);
  k.addNodePool('more', { replicas: 3 });
  const objs = synthValidated(c);
  const rule = { from: [{ podSelector: { matchLabels: { app: 'orders' } } }], ports: [{ port: 9092, protocol: 'TCP' }] };
  for (const p of k.nodePools.filter((x) => x.isBroker)) expect(find(objs, 'NetworkPolicy', p.workload.name).spec.ingress).toContainEqual(rule);
  expect(k.nodePools.filter((x) => x.isBroker).map((x) => x.name)).toEqual(['bus-broker', 'bus-brokers', 'bus-more']);
});

/** The topic Jobs (the roller Job is a Job too). */
function topicJobs(objs: any[]): any[] {
  return objs.filter((o) => o.kind === 'Job' && o.metadata.name.includes('-topic-'));
}
