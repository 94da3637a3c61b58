// Plaintext secrets in broker `config` (safety issue F): warned, with the Secret-based way.
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Errors, KafkaCluster, Warnings } from '../../src';
import { container, envOf, find, synthValidated } from '../util/validate';

const chart = () => new Chart(Testing.app(), 'test', { namespace: 'data' });
const ID = '@cdk8s-stateful/kafka:plaintextSecretInConfig';

test.each([
  'ssl.key.password', 'ssl.keystore.password', 'sasl.jaas.config', 'listener.name.client.plain.sasl.jaas.config',
  'sasl.oauthbearer.client.credentials.client.secret', 'ssl.keystore.key', 'password.encoder.secret',
])('config %s in plain text → a warning pointing to secretConfig', (key) => {
  const c = chart();
  new KafkaCluster(c, 'kafka', { config: { [key]: 'hunter2' } });
  const w = Warnings.of(c).list().filter((x) => x.id === ID);
  expect(w).toHaveLength(1);
  expect(w[0].message).toContain(`config '${key}' looks like a secret and is written in plain text`);
  expect(w[0].message).toContain(`secretConfig: { '${key}': { secret, key } }`);
});

test('ordinary keys, and values built from env vars the kubelet expands, raise nothing', () => {
  const c = chart();
  new KafkaCluster(c, 'kafka', {
    config: {
      'log.retention.hours': '168',
      'ssl.endpoint.identification.algorithm': 'https',
      'delegation.token.expiry.time.ms': '1',
      'ssl.key.password': '$(TLS_STORE_PASSWORD)',
    },
  });
  expect(Warnings.of(c).ids()).toEqual([]);
});

test('the warning can be acknowledged', () => {
  const c = chart();
  Warnings.acknowledge(c, ID);
  new KafkaCluster(c, 'kafka', { config: { 'ssl.key.password': 'x' } });
  expect(Warnings.of(c).ids()).toEqual([]);
});

test('secretConfig: each key becomes a KAFKA_* env var from its Secret; no value in the manifests', () => {
  const c = chart();
  const s = kplus.Secret.fromSecretName(c, 'jaas', 'kafka-jaas');
  new KafkaCluster(c, 'kafka', { secretConfig: { 'sasl.jaas.config': { secret: s, key: 'jaas' } } });
  const objs = synthValidated(c, { externalSecrets: ['kafka-jaas'] });
  expect(envOf(container(find(objs, 'StatefulSet', 'kafka'), 'kafka')).KAFKA_SASL_JAAS_CONFIG).toEqual({ secretKeyRef: { name: 'kafka-jaas', key: 'jaas' } });
  expect(Warnings.of(c).ids()).toEqual([]);
});

test.each([
  ['a managed key', { listeners: 'x' }, {}, 'KafkaConfigKeyManaged', "secretConfig sets 'listeners', which the construct manages"],
  ['a key in both', { 'ssl.key.password': 'k' }, { 'ssl.key.password': 'x' }, 'KafkaConfigKeyDuplicate', "'ssl.key.password' is set in both config and secretConfig"],
  ['a bad Secret key', { 'ssl.key.password': '../x' }, {}, 'KafkaSecretConfigKeyInvalid', "names Secret key '../x', which is not a valid Secret key"],
  ['an empty Secret key', { 'ssl.key.password': '' }, {}, 'KafkaSecretConfigKeyInvalid', "names Secret key ''"],
])('secretConfig: %s → ValidationError', (_, keys, config, code, message) => {
  const c = chart();
  const s = kplus.Secret.fromSecretName(c, 's', 's');
  const secretConfig = Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, { secret: s, key: v }]));
  let err: unknown;
  try {
    new KafkaCluster(c, 'kafka', { config, secretConfig });
  } catch (e) {
    err = e;
  }
  expect(Errors.codeOf(err)).toBe(code);
  expect((err as Error).message).toContain(message);
});
