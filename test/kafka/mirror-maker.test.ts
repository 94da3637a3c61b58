// KafkaMirrorMaker2: mm2.properties (Kafka docs, "Geo-Replication (Cross-Cluster Data
// Mirroring)", #georeplication-config-syntax and following), objects, bad props.
import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Errors, KafkaAuthentication, KafkaCluster, KafkaEndpoint, KafkaMirrorMaker2, KafkaMirrorMaker2Props, KafkaSecurityProtocol, KafkaTls, Warnings } from '../../src';
import { container, envOf, find, synthValidated } from '../util/validate';

const props = (s: string) => Object.fromEntries(s.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

function setup() {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const target = new KafkaCluster(chart, 'dr');
  const source = KafkaEndpoint.external({
    bootstrapServers: 'kafka.prod.example.com:9093',
    securityProtocol: KafkaSecurityProtocol.SASL_SSL,
    username: 'mirror',
    passwordSecret: kplus.Secret.fromSecretName(chart, 'pw', 'prod-mirror'),
    caSecret: kplus.Secret.fromSecretName(chart, 'ca', 'prod-ca'),
  });
  return { chart, target, source };
}

test('source -> target: mm2.properties and the Deployment', () => {
  const { chart, target, source } = setup();
  const mm2 = new KafkaMirrorMaker2(chart, 'mirror', { source, target: KafkaEndpoint.fromCluster(target), sourceAlias: 'prod', targetAlias: 'dr', topics: 'orders.*' });
  const objs = synthValidated(chart, { externalSecrets: ['prod-mirror', 'prod-ca'] });
  const p = props(find(objs, 'ConfigMap', 'mirror').data['mm2.properties']);
  // georeplication-config-syntax: `clusters` lists the aliases; `<alias>.<client config>` per cluster.
  expect(p.clusters).toBe('prod, dr');
  expect(p['prod.bootstrap.servers']).toBe('kafka.prod.example.com:9093');
  expect(p['prod.security.protocol']).toBe('SASL_SSL');
  expect(p['prod.sasl.jaas.config']).toBe('org.apache.kafka.common.security.scram.ScramLoginModule required username="mirror" password="@@SOURCE_SASL_PASSWORD@@";');
  expect(p['prod.ssl.truststore.type']).toBe('PEM');
  expect(p['dr.bootstrap.servers']).toBe('dr-bootstrap:9092');
  expect(p['dr.security.protocol']).toBe('PLAINTEXT');
  // georeplication-flow-create: `source->target.enabled`; the reverse flow stays off.
  expect(p['prod->dr.enabled']).toBe('true');
  expect(p['dr->prod.enabled']).toBe('false');
  // georeplication-flow-configure: topics and groups regexes.
  expect(p['prod->dr.topics']).toBe('orders.*');
  expect(p['prod->dr.groups']).toBe('.*');
  // georeplication-config-common / MirrorMakerConfig: replication.factor of remote and internal topics.
  expect(p['replication.factor']).toBe('3');
  expect(p['offset-syncs.topic.replication.factor']).toBe('3');
  // KIP-545: sync.group.offsets.enabled.
  expect(p['prod->dr.sync.group.offsets.enabled']).toBe('true');
  const dep = find(objs, 'Deployment', 'mirror');
  expect(dep.spec.replicas).toBe(1);
  expect(dep.spec.strategy.type).toBe('Recreate');
  const c = container(dep, 'mirror-maker');
  expect(c.command.slice(-1)).toEqual(['/opt/kafka/bin/connect-mirror-maker.sh']);
  expect(envOf(c).SOURCE_SASL_PASSWORD).toEqual({ secretKeyRef: { name: 'prod-mirror', key: 'password' } });
  expect(dep.spec.template.spec.securityContext).toMatchObject({ runAsUser: 1000, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  expect(mm2.properties).toContain('prod->dr.enabled=true');
});

test('more than one replica warns', () => {
  const { chart, target, source } = setup();
  new KafkaMirrorMaker2(chart, 'mirror', { source, target: KafkaEndpoint.fromCluster(target), replicas: 2 });
  expect(Warnings.of(chart).list().map((w) => w.id)).toContain('@cdk8s-stateful/kafka:mirrorMakerReplicas');
});

test.each<[string, Partial<KafkaMirrorMaker2Props>, string]>([
  ['bad alias', { sourceAlias: '1prod' }, 'KafkaMirrorMakerAliasInvalid'],
  ['same aliases', { sourceAlias: 'a', targetAlias: 'a' }, 'KafkaMirrorMakerAliasInvalid'],
  ['replicas 0', { replicas: 0 }, 'KafkaMirrorMakerReplicasInvalid'],
  ['rf above target brokers', { replicationFactor: 5 }, 'KafkaMirrorMakerReplicationFactorInvalid'],
  ['bad regex', { topics: 'orders(' }, 'KafkaMirrorMakerPatternInvalid'],
  ['memory limit below 512 MiB', { resources: { memory: { limit: Size.mebibytes(256) } } }, 'KafkaMirrorMakerMemoryTooSmall'],
])('bad props: %s', (_n, extra, code) => {
  const { chart, target, source } = setup();
  let err: unknown;
  try { new KafkaMirrorMaker2(chart, 'mirror', { source, target: KafkaEndpoint.fromCluster(target), ...extra }); } catch (e) { err = e; }
  expect(Errors.codeOf(err)).toBe(code);
});

test('source and target the same cluster', () => {
  const { chart, target } = setup();
  let err: unknown;
  try { new KafkaMirrorMaker2(chart, 'mirror', { source: KafkaEndpoint.fromCluster(target), target: KafkaEndpoint.fromCluster(target) }); } catch (e) { err = e; }
  expect(Errors.codeOf(err)).toBe('KafkaMirrorMakerSameCluster');
});

test('both sides KafkaClusters: the source with SCRAM and TLS, as a named user', () => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const pw = kplus.Secret.fromSecretName(chart, 'tls-pw', 'prod-tls-password');
  const prod = new KafkaCluster(chart, 'prod', {
    listeners: {
      tls: KafkaTls.fromPkcs12Secret(kplus.Secret.fromSecretName(chart, 'tls', 'prod-tls'), { passwordSecret: pw, clientSecret: kplus.Secret.fromSecretName(chart, 'admin', 'prod-admin-tls') }),
      authentication: KafkaAuthentication.SCRAM_SHA_512,
    },
  });
  prod.addUser('mirror');
  const dr = new KafkaCluster(chart, 'dr');
  const mm2 = new KafkaMirrorMaker2(chart, 'mirror', { source: KafkaEndpoint.fromCluster(prod, { user: 'mirror' }), target: KafkaEndpoint.fromCluster(dr) });
  const objs = synthValidated(chart, { externalSecrets: ['prod-tls', 'prod-tls-password', 'prod-admin-tls'] });
  const p = props(mm2.properties);
  expect(p['source.bootstrap.servers']).toBe('prod-bootstrap:9092');
  expect(p['source.security.protocol']).toBe('SASL_SSL');
  expect(p['source.sasl.jaas.config']).toContain('username="mirror" password="@@SOURCE_SASL_PASSWORD@@"');
  expect(p['source.ssl.truststore.password']).toBe('@@SOURCE_TRUSTSTORE_PASSWORD@@');
  expect(p['target.security.protocol']).toBe('PLAINTEXT');
  const c = container(find(objs, 'Deployment', 'mirror'), 'mirror-maker');
  expect(envOf(c).SOURCE_SASL_PASSWORD).toEqual({ secretKeyRef: { name: 'prod-user-mirror', key: 'password' } });
  expect(c.volumeMounts.map((m: any) => m.mountPath)).toContain('/etc/kafka-client-stores/source-truststore');
});

test('a SCRAM source without a user is refused', () => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const pw = kplus.Secret.fromSecretName(chart, 'tls-pw', 'p');
  const prod = new KafkaCluster(chart, 'prod', {
    listeners: {
      tls: KafkaTls.fromPkcs12Secret(kplus.Secret.fromSecretName(chart, 'tls', 't'), { passwordSecret: pw, clientSecret: kplus.Secret.fromSecretName(chart, 'admin', 'a') }),
      authentication: KafkaAuthentication.SCRAM_SHA_512,
    },
  });
  let err: unknown;
  try { new KafkaMirrorMaker2(chart, 'mirror', { source: KafkaEndpoint.fromCluster(prod), target: KafkaEndpoint.fromCluster(new KafkaCluster(chart, 'dr')) }); } catch (e) { err = e; }
  expect(Errors.codeOf(err)).toBe('KafkaEndpointUserRequired');
});
