// assets/connect-config.sh as the Connect container runs it: placeholders filled from env, the
// result mode 600, then the start script (a stub) runs with the file.
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Stubs } from './stubs';
import { KafkaConnect, KafkaEndpoint, KafkaSecurityProtocol } from '../../../src';
import { container, find, synthValidated } from '../../util/validate';

function rendered() {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
  new KafkaConnect(chart, 'connect', {
    cluster: KafkaEndpoint.external({
      bootstrapServers: 'k:9096',
      securityProtocol: KafkaSecurityProtocol.SASL_PLAINTEXT,
      username: 'c',
      passwordSecret: kplus.Secret.fromSecretName(chart, 'pw', 'pw'),
    }),
  });
  const objs = synthValidated(chart, { externalSecrets: ['pw'] });
  return { command: container(find(objs, 'Deployment', 'connect'), 'connect').command, file: find(objs, 'ConfigMap', 'connect').data['connect-distributed.properties'] };
}

let stubs: Stubs;
beforeEach(() => { stubs = new Stubs(); });

test('fills the placeholders and runs the start script with the file', () => {
  const { command, file } = rendered();
  const template = path.join(stubs.dir, 'in.properties');
  fs.writeFileSync(template, file);
  const out = path.join(stubs.dir, 'run', 'out.properties');
  stubs.add('connect-distributed.sh', 'cat "$1"');
  const r = stubs.run([command[0], command[1], command[2], command[3], template, out, 'connect-distributed.sh'], { KAFKA_SASL_PASSWORD: 's3cret', POD_IP: '10.1.2.3' });
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="c" password="s3cret";');
  expect(r.stdout).toContain('producer.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="c" password="s3cret";');
  expect(r.stdout).toContain('rest.advertised.host.name=10.1.2.3');
  expect(r.stdout).not.toMatch(/@@[A-Z_]+@@/);
  expect((fs.statSync(out).mode % 0o1000).toString(8)).toBe('600');
  expect(stubs.calls('connect-distributed.sh')).toEqual([[out]]);
});

test.each([
  ['unset variable', { POD_IP: '10.1.2.3' }, 'KAFKA_SASL_PASSWORD is not set'],
  ['a quote in the password', { POD_IP: '10.1.2.3', KAFKA_SASL_PASSWORD: 'a"b' }, 'contains a double quote'],
  ['a backslash in the password', { POD_IP: '10.1.2.3', KAFKA_SASL_PASSWORD: 'a\\b' }, 'contains a double quote'],
])('refuses: %s', (_n, env, message) => {
  const { command, file } = rendered();
  const template = path.join(stubs.dir, 'in.properties');
  fs.writeFileSync(template, file);
  stubs.add('connect-distributed.sh');
  const r = stubs.run([command[0], command[1], command[2], command[3], template, path.join(stubs.dir, 'out'), 'connect-distributed.sh'], env as any);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(message);
  expect(stubs.calls('connect-distributed.sh')).toEqual([]);
});
