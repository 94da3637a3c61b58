// assets/keystore-reload.sh, the brokers' sidecar with TLS, as synthesized (command and env),
// against a stub kafka-configs.sh: it remembers the keystore's hash, and when the kubelet swaps a
// renewed keystore in it asks the broker (its own INTERNAL listener, its own node id) to reload
// the CLIENT and INTERNAL listeners' keystore; a refused request is retried at the next look.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Stubs } from './stubs';
import { KafkaCluster, KafkaTls, Tls } from '../../../src';
import { container, envOf, find, synthValidated } from '../../util/validate';

const ASSET = path.join(__dirname, '..', '..', '..', 'src', 'kafka', 'assets', 'keystore-reload.sh');

function sidecars(): { broker: any; controller: any } {
  const c = new Chart(Testing.app(), 'test', { namespace: 'streaming' });
  new KafkaCluster(c, 'events', {
    controllers: { replicas: 3 },
    listeners: { tls: KafkaTls.certManager(Tls.certManager({ selfSignedCa: true }), { passwordSecret: kplus.Secret.fromSecretName(c, 'Pw', 'events-tls-password') }) },
  });
  const objs = synthValidated(c, { externalSecrets: ['events-tls-password'] });
  const names = (n: string) => find(objs, 'StatefulSet', n).spec.template.spec.containers.map((x: any) => x.name);
  return {
    broker: container(find(objs, 'StatefulSet', 'events-broker'), 'keystore-reload'),
    controller: names('events-controller'),
  };
}

let stubs: Stubs;
beforeEach(() => { stubs = new Stubs(); });
afterEach(() => stubs.cleanup());

test('bash -n and shellcheck find nothing', () => {
  expect(spawnSync('bash', ['-n', ASSET]).status).toBe(0);
  const sc = spawnSync('shellcheck', [ASSET], { encoding: 'utf8' });
  expect(sc.stdout + sc.stderr).toBe('');
  expect(sc.status).toBe(0);
});

test('brokers get the sidecar (restricted, the TLS Secret read-only); controller-only pods do not', () => {
  const { broker, controller } = sidecars();
  expect(controller).toEqual(['kafka']);
  expect(broker.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  expect(broker.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/kafka/tls', readOnly: true });
  const env = envOf(broker);
  expect(env.BOOTSTRAP).toBe('$(POD_NAME).events-broker-headless.$(POD_NAMESPACE).svc.cluster.local:9094');
  expect(env.KAFKA_NODE_ID).toEqual({ fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } });
  expect(env.TLS_STORE_PASSWORD).toEqual({ secretKeyRef: { name: 'events-tls-password', key: 'password' } });
});

test('a renewed keystore: one AlterConfigs for this broker\'s CLIENT and INTERNAL listeners; refused ones are retried', () => {
  const { broker } = sidecars();
  const ks = stubs.write('tls/keystore.p12', 'one');
  stubs.write('rc', '1');
  stubs.add('kafka-configs.sh', `exit "$(cat ${stubs.dir}/rc)"`);
  const env = {
    TLS_DIR: path.dirname(ks),
    TLS_STORE_PASSWORD: 's3cret',
    BOOTSTRAP: 'events-broker-100.events-broker-headless.streaming.svc.cluster.local:9094',
    KAFKA_NODE_ID: '100',
    LISTENERS: envOf(broker).LISTENERS,
    INTERVAL: '60',
    ONCE: '1',
    STATE_FILE: path.join(stubs.dir, 'hash'),
    HOME: stubs.dir,
  };
  const run = () => stubs.run(broker.command, env);
  expect(run().stdout).toContain('keystore-reload: watching');
  expect(run().stdout).toBe('');
  stubs.write('tls/keystore.p12', 'two');
  const refused = run();
  expect(refused.stderr).toContain('the broker refused or did not answer; trying again in 60s');
  stubs.write('rc', '0');
  expect(run().stdout).toContain('reloading listeners client internal of broker 100');
  expect(run().stdout).toBe('');
  const calls = stubs.calls('kafka-configs.sh');
  expect(calls).toHaveLength(2);
  expect(calls[1]).toEqual([
    '--bootstrap-server', 'events-broker-100.events-broker-headless.streaming.svc.cluster.local:9094', '--command-config', path.join(stubs.dir, 'keystore-reload.properties'),
    '--entity-type', 'brokers', '--entity-name', '100', '--alter', '--add-config',
    `listener.name.client.ssl.keystore.location=${path.dirname(ks)}/keystore.p12,listener.name.internal.ssl.keystore.location=${path.dirname(ks)}/keystore.p12`,
  ]);
  expect(stubs.file('keystore-reload.properties')).toContain('ssl.keystore.password=s3cret\n');
});
