// KafkaConnect: rendered worker properties (each checked against the Kafka docs section it
// cites), objects, and bad props.
import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Errors, KafkaAuthentication, KafkaCluster, KafkaConnect, KafkaConnectPlugins, KafkaEndpoint, KafkaSecurityProtocol, KafkaTls, Warnings } from '../../src';
import { container, envOf, find, synthValidated } from '../util/validate';

const props = (s: string) => Object.fromEntries(s.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

function scram() {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const kafka = new KafkaCluster(chart, 'events', {
    listeners: {
      tls: KafkaTls.fromPkcs12Secret(kplus.Secret.fromSecretName(chart, 'tls', 'events-tls'), {
        passwordSecret: kplus.Secret.fromSecretName(chart, 'tls-pw', 'events-tls-password'),
        clientSecret: kplus.Secret.fromSecretName(chart, 'admin', 'events-admin-tls'),
      }),
      authentication: KafkaAuthentication.SCRAM_SHA_512,
    },
  });
  return { chart, kafka };
}

test('defaults on a plaintext KafkaCluster: worker properties', () => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const kafka = new KafkaCluster(chart, 'kafka');
  const connect = new KafkaConnect(chart, 'connect', { cluster: KafkaEndpoint.fromCluster(kafka) });
  const objs = synthValidated(chart);
  const p = props(find(objs, 'ConfigMap', 'connect').data['connect-distributed.properties']);
  expect(connect.name).toBe('connect');
  // #connect_running, distributed mode: bootstrap.servers, group.id, the three storage topics and their replication factor.
  expect(p['bootstrap.servers']).toBe('kafka-bootstrap:9092');
  expect(p['security.protocol']).toBe('PLAINTEXT');
  expect(p['group.id']).toBe('connect');
  expect(p['config.storage.topic']).toBe('connect-configs');
  expect(p['offset.storage.topic']).toBe('connect-offsets');
  expect(p['status.storage.topic']).toBe('connect-status');
  expect(p['config.storage.replication.factor']).toBe('3');
  expect(p['offset.storage.replication.factor']).toBe('3');
  expect(p['status.storage.replication.factor']).toBe('3');
  // #connect_configuring, key.converter / value.converter.
  expect(p['key.converter']).toBe('org.apache.kafka.connect.json.JsonConverter');
  expect(p['value.converter']).toBe('org.apache.kafka.connect.json.JsonConverter');
  // #connect_plugindiscovery / plugin.path.
  expect(p['plugin.path']).toBe('/opt/kafka/connect-plugins');
  // #connectconfigs_listeners and rest.advertised.* (other workers forward REST calls to this address).
  expect(p.listeners).toBe('http://0.0.0.0:8083');
  expect(p['rest.advertised.host.name']).toBe('@@POD_IP@@');
  expect(p['rest.advertised.port']).toBe('8083');
  // #connect_running: topics created by the cluster's Jobs, compacted; config with one partition.
  const configs = kafka.topicList.find((t) => t.topicName === 'connect-configs')!;
  expect(configs.partitions).toBe(1);
  expect(JSON.stringify(find(objs, 'Job', configs.job.name).spec)).toContain('cleanup.policy=compact');
  expect(kafka.topicList.map((t) => t.topicName)).toEqual(['connect-configs', 'connect-offsets', 'connect-status']);

  const dep = find(objs, 'Deployment', 'connect');
  expect(dep.spec.replicas).toBe(2);
  const c = container(dep, 'connect');
  expect(c.command.slice(3)).toEqual(['connect-config', '/etc/kafka-connect-config/connect-distributed.properties',
    '/tmp/kafka-connect/connect-distributed.properties', '/opt/kafka/bin/connect-distributed.sh']);
  expect(c.image).toBe('docker.io/apache/kafka:4.1.2');
  expect(envOf(c).POD_IP).toEqual({ fieldRef: { fieldPath: 'status.podIP' } });
  expect(envOf(c).KAFKA_HEAP_OPTS).toBe('-Xms512m -Xmx512m');
  expect(c.readinessProbe.httpGet.path).toBe('/health');
  expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
  expect(dep.spec.template.spec.securityContext).toMatchObject({ runAsUser: 1000, runAsNonRoot: true });
  expect(dep.spec.template.spec.affinity.podAntiAffinity).toBeDefined();
  expect(find(objs, 'Service', 'connect').spec.ports[0].port).toBe(8083);
  expect(find(objs, 'PodDisruptionBudget', 'connect').spec.maxUnavailable).toBe(1);
  // The brokers admit the workers on the client port.
  const brokerNp = objs.filter((o) => o.kind === 'NetworkPolicy').find((o) => JSON.stringify(o).includes('"app.kubernetes.io/name":"kafka-connect"') && o.metadata.name !== 'connect');
  expect(brokerNp).toBeDefined();
});

test('SCRAM cluster: own user with ACLs, SASL and truststore for worker, producer, consumer and admin', () => {
  const { chart, kafka } = scram();
  const connect = new KafkaConnect(chart, 'connect', { cluster: KafkaEndpoint.fromCluster(kafka), name: 'sink' });
  const objs = synthValidated(chart, { externalSecrets: ['events-tls', 'events-tls-password', 'events-admin-tls'] });
  const p = props(connect.workerProperties);
  // #connect_security: the worker's and the connectors' clients each need the security settings.
  for (const pre of ['', 'producer.', 'consumer.', 'admin.']) {
    expect(p[`${pre}security.protocol`]).toBe('SASL_SSL');
    expect(p[`${pre}sasl.mechanism`]).toBe('SCRAM-SHA-512');
    expect(p[`${pre}sasl.jaas.config`]).toBe('org.apache.kafka.common.security.scram.ScramLoginModule required username="sink" password="@@KAFKA_SASL_PASSWORD@@";');
    expect(p[`${pre}ssl.truststore.location`]).toBe('/etc/kafka-client-stores/kafka-truststore/truststore.p12');
    expect(p[`${pre}ssl.truststore.password`]).toBe('@@KAFKA_TRUSTSTORE_PASSWORD@@');
  }
  expect(connect.user!.username).toBe('sink');
  const acls = connect.user!.acls.map((a) => `${a.resourceType}:${a.patternType}:${a.resourceName}`);
  expect(acls).toEqual(expect.arrayContaining(['group:literal:sink', 'topic:literal:sink-configs', 'topic:prefixed:sink-', 'group:prefixed:connect-sink-']));
  const c = container(find(objs, 'Deployment', 'sink'), 'connect');
  expect(envOf(c).KAFKA_SASL_PASSWORD).toEqual({ secretKeyRef: { name: 'events-user-sink', key: 'password' } });
  // Only the truststore of the cluster's TLS Secret is mounted, never its keystore.
  const vol = find(objs, 'Deployment', 'sink').spec.template.spec.volumes.find((v: any) => v.name === 'kafka-truststore');
  expect(vol.secret.items).toEqual([{ key: 'truststore.p12', path: 'truststore.p12' }]);
});

test('mTLS cluster: own user with the given certificate; the keystore is mounted', () => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const pw = kplus.Secret.fromSecretName(chart, 'tls-pw', 'events-tls-password');
  const kafka = new KafkaCluster(chart, 'events', {
    listeners: {
      tls: KafkaTls.fromPkcs12Secret(kplus.Secret.fromSecretName(chart, 'tls', 'events-tls'), {
        passwordSecret: pw, clientSecret: kplus.Secret.fromSecretName(chart, 'admin', 'events-admin-tls'),
      }),
      authentication: KafkaAuthentication.MTLS,
    },
  });
  const connect = new KafkaConnect(chart, 'connect', {
    cluster: KafkaEndpoint.fromCluster(kafka),
    certificate: KafkaTls.fromPkcs12Secret(kplus.Secret.fromSecretName(chart, 'cert', 'connect-cert'), { passwordSecret: pw }),
  });
  const objs = synthValidated(chart, { externalSecrets: ['events-tls', 'events-tls-password', 'events-admin-tls', 'connect-cert'] });
  expect(connect.user!.username).toBe('connect');
  const p = props(connect.workerProperties);
  // #security_ssl: the client's keystore for mTLS, for the worker and the connectors' clients.
  expect(p['ssl.keystore.location']).toBe('/etc/kafka-client-stores/kafka-keystore/keystore.p12');
  expect(p['consumer.ssl.keystore.password']).toBe('@@KAFKA_KEYSTORE_PASSWORD@@');
  expect(p['sasl.mechanism']).toBeUndefined();
  const vol = find(objs, 'Deployment', 'connect').spec.template.spec.volumes.find((v: any) => v.name === 'kafka-keystore');
  expect(vol.secret).toEqual({ secretName: 'connect-cert', items: [{ key: 'keystore.p12', path: 'keystore.p12' }] });
});

test('an external cluster with SASL_SSL and a PEM CA; plugins by init container', () => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
  const connect = new KafkaConnect(chart, 'connect', {
    cluster: KafkaEndpoint.external({
      bootstrapServers: 'b-1.example.com:9096,b-2.example.com:9096',
      securityProtocol: KafkaSecurityProtocol.SASL_SSL,
      username: 'connect',
      passwordSecret: kplus.Secret.fromSecretName(chart, 'pw', 'msk-connect'),
      caSecret: kplus.Secret.fromSecretName(chart, 'ca', 'msk-ca'),
    }),
    replicas: 3,
    plugins: [KafkaConnectPlugins.fromImage('registry.example.com/connect-plugins:1.0.0', '/plugins/')],
    config: { 'key.converter.schemas.enable': 'false' },
  });
  const objs = synthValidated(chart, { externalSecrets: ['msk-connect', 'msk-ca'] });
  const p = props(connect.workerProperties);
  expect(p['bootstrap.servers']).toBe('b-1.example.com:9096,b-2.example.com:9096');
  // KIP-651: a PEM truststore file.
  expect(p['ssl.truststore.type']).toBe('PEM');
  expect(p['ssl.truststore.location']).toBe('/etc/kafka-client-stores/kafka-ca/ca.crt');
  expect(p['key.converter.schemas.enable']).toBe('false');
  const spec = find(objs, 'Deployment', 'connect').spec.template.spec;
  expect(spec.initContainers[0].command).toEqual(['cp', '-R', '/plugins/.', '/opt/kafka/connect-plugins/']);
  expect(spec.initContainers[0].securityContext.runAsNonRoot).toBe(true);
  expect(connect.topics).toEqual([]);
});

test.each([
  ['replicas 0', { replicas: 0 }, 'KafkaConnectReplicasInvalid'],
  ['rf above brokers', { replicationFactor: 4 }, 'KafkaConnectReplicationFactorInvalid'],
  ['reserved config', { config: { 'group.id': 'x' } }, 'KafkaConnectConfigReserved'],
  ['reserved security config', { config: { 'producer.sasl.jaas.config': 'x' } }, 'KafkaConnectConfigReserved'],
  ['memory limit below 512 MiB', { resources: { memory: { limit: Size.mebibytes(256) } } }, 'KafkaConnectMemoryTooSmall'],
])('bad props: %s', (_n, extra, code) => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const kafka = new KafkaCluster(chart, 'kafka');
  let err: unknown;
  try { new KafkaConnect(chart, 'connect', { cluster: KafkaEndpoint.fromCluster(kafka), ...extra }); } catch (e) { err = e; }
  expect(Errors.codeOf(err)).toBe(code);
  // Refused before anything is added to the cluster.
  expect(kafka.topicList).toEqual([]);
});

test.each([
  ['another namespace', 'KafkaEndpointNamespaceMismatch'],
  ['unknown user', 'KafkaEndpointUserUnknown'],
  ['user on an open cluster', 'KafkaEndpointUserUnexpected'],
  ['bad bootstrap', 'KafkaEndpointBootstrapInvalid'],
  ['SASL without credentials', 'KafkaEndpointCredentialsMissing'],
  ['credentials without SASL', 'KafkaEndpointCredentialsUnused'],
  ['quote in username', 'KafkaEndpointCredentialsInvalid'],
  ['CA without TLS', 'KafkaEndpointCredentialsUnused'],
  ['SASL_PLAIN cluster', 'KafkaEndpointPlainUnsupported'],
  ['mTLS cluster without a user', 'KafkaEndpointUserRequired'],
  ['mTLS user without a certificate', 'KafkaEndpointUserCertificateMissing'],
])('bad endpoint: %s', (name, code) => {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { namespace: 'data' });
  const other = new Chart(app, 'other', { namespace: 'apps' });
  const open = new KafkaCluster(chart, 'kafka');
  const { chart: sc, kafka } = scram();
  const pw = kplus.Secret.fromSecretName(chart, 'pw', 'pw');
  const tlsOf = (c: Chart) => KafkaTls.fromPkcs12Secret(kplus.Secret.fromSecretName(c, 'tls', 'tls'), {
    passwordSecret: pw, clientSecret: kplus.Secret.fromSecretName(c, 'admin', 'admin'),
  });
  const plainChart = new Chart(app, 'plain', { namespace: 'p' });
  const plain = new KafkaCluster(plainChart, 'kafka', {
    listeners: { tls: tlsOf(plainChart), authentication: KafkaAuthentication.SASL_PLAIN, users: [{ username: 'app', passwordSecret: pw }] },
  });
  const mtlsChart = new Chart(app, 'mtls', { namespace: 'm' });
  const mtls = new KafkaCluster(mtlsChart, 'kafka', { listeners: { tls: tlsOf(mtlsChart), authentication: KafkaAuthentication.MTLS } });
  mtls.addUser('nocert');
  const cases: { [n: string]: [Chart, KafkaEndpoint] } = {
    'another namespace': [other, KafkaEndpoint.fromCluster(open)],
    'unknown user': [sc, KafkaEndpoint.fromCluster(kafka, { user: 'nobody' })],
    'user on an open cluster': [chart, KafkaEndpoint.fromCluster(open, { user: 'x' })],
    'bad bootstrap': [chart, KafkaEndpoint.external({ bootstrapServers: 'kafka' })],
    'SASL without credentials': [chart, KafkaEndpoint.external({ bootstrapServers: 'k:9092', securityProtocol: KafkaSecurityProtocol.SASL_SSL })],
    'credentials without SASL': [chart, KafkaEndpoint.external({ bootstrapServers: 'k:9092', username: 'u', passwordSecret: pw })],
    'CA without TLS': [chart, KafkaEndpoint.external({ bootstrapServers: 'k:9092', caSecret: pw })],
    'SASL_PLAIN cluster': [plainChart, KafkaEndpoint.fromCluster(plain)],
    'mTLS cluster without a user': [mtlsChart, KafkaEndpoint.fromCluster(mtls)],
    'mTLS user without a certificate': [mtlsChart, KafkaEndpoint.fromCluster(mtls, { user: 'nocert' })],
    'quote in username': [chart, KafkaEndpoint.external({ bootstrapServers: 'k:9092', securityProtocol: KafkaSecurityProtocol.SASL_SSL, username: 'a"b', passwordSecret: pw })],
  };
  const [c, endpoint] = cases[name];
  let err: unknown;
  try { new KafkaConnect(c, 'connect', { cluster: endpoint }); } catch (e) { err = e; }
  expect(Errors.codeOf(err)).toBe(code);
});

test('a refused KafkaConnect in another namespace adds no topic or user to the cluster', () => {
  const app = Testing.app();
  const { kafka } = scram();
  const other = new Chart(app, 'other', { namespace: 'apps' });
  expect(() => new KafkaConnect(other, 'connect', { cluster: KafkaEndpoint.fromCluster(kafka) })).toThrow(/namespace/);
  expect(kafka.topicList).toEqual([]);
  expect(kafka.users).toEqual([]);
});

test('one worker warns', () => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const kafka = new KafkaCluster(chart, 'kafka');
  new KafkaConnect(chart, 'connect', { cluster: KafkaEndpoint.fromCluster(kafka), replicas: 1 });
  expect(Warnings.of(chart).ids()).toContain('@cdk8s-stateful/kafka:singleConnectWorker');
});
