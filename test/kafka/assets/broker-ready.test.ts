// assets/broker-ready.sh, run as the broker's readiness probe runs it (the container's env),
// against a fake kafka-topics.sh and a real TCP port.
import { spawnSync } from 'child_process';
import * as net from 'net';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { Stubs } from './stubs';
import { KafkaCluster } from '../../../src';
import { container, envOf, find, synthValidated } from '../../util/validate';

const ASSET = path.join(__dirname, '../../../src/kafka/assets/broker-ready.sh');

/** The broker container as synthesized, its env as the kubelet builds it for pod kafka-1 (node id 1). */
function brokerEnv(clientPort: number): { [k: string]: string } {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  new KafkaCluster(c, 'kafka', { listeners: { clientPort } });
  const ctr = container(find(synthValidated(c), 'StatefulSet', 'kafka'), 'kafka');
  expect(ctr.readinessProbe.exec.command).toEqual(['bash', '/opt/kafka-probe/broker-ready.sh']);
  const fields: { [f: string]: string } = { 'metadata.name': 'kafka-1', 'metadata.namespace': 'data', "metadata.labels['apps.kubernetes.io/pod-index']": '1' };
  const env: { [k: string]: string } = {};
  for (const [k, v] of Object.entries(envOf(ctr))) {
    if (typeof v === 'string') env[k] = v.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, n) => env[n] ?? m);
    else if ((v as any).fieldRef) env[k] = fields[(v as any).fieldRef.fieldPath];
  }
  return env;
}

/** `kafka-topics.sh --describe --under-replicated-partitions` output (Kafka 4.x layout). */
const urp = (rows: Array<[string, string]>) => rows.map(([replicas, isr], p) =>
  `\\tTopic: orders\\tPartition: ${p}\\tLeader: 0\\tReplicas: ${replicas}\\tIsr: ${isr}\\tElr: \\tLastKnownElr: `).join('\\n');

let stubs: Stubs;
let server: net.Server;
let port: number;
beforeEach(async () => {
  stubs = new Stubs();
  stubs.write('stat', '1 (java) S 0 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 424242 1 1\n');
  server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as net.AddressInfo).port;
});
afterEach(async () => {
  stubs.cleanup();
  await new Promise((r) => server.close(r));
});

function probe(env: { [k: string]: string }) {
  return stubs.run(['bash', ASSET], { ...env, PROBE_PROC_STAT: path.join(stubs.dir, 'stat'), PROBE_MARK: path.join(stubs.dir, 'mark') });
}

test('bash -n and shellcheck find nothing', () => {
  expect(spawnSync('bash', ['-n', ASSET]).status).toBe(0);
  const sc = spawnSync('shellcheck', ['-s', 'bash', ASSET], { encoding: 'utf8' });
  expect(sc.stdout + sc.stderr).toBe('');
});

test('not Ready while a partition it hosts has it outside the ISR; asks itself on the INTERNAL listener with a small JVM', () => {
  const env = brokerEnv(port);
  stubs.add('kafka-topics.sh', `echo "$KAFKA_HEAP_OPTS" > "${stubs.dir}/heap"; printf '${urp([['0,1,2', '0,2'], ['2,0', '2']])}\\n'`);
  const r = probe(env);
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('broker 1 is not in the ISR of 1 partition(s) yet\n');
  expect(stubs.calls('kafka-topics.sh')).toEqual([[
    '--bootstrap-server', 'kafka-1.kafka-headless.data.svc.cluster.local:9094', '--command-config', path.join(stubs.dir, 'ready-client.properties'),
    '--describe', '--under-replicated-partitions',
  ]]);
  // Not the broker's own heap (the env carries -Xms1024m): a second JVM of that size would not fit the limit.
  expect(env.KAFKA_HEAP_OPTS).toContain('-Xmx1024m');
  expect(stubs.file('heap')).toContain('-Xmx64m');
  expect(stubs.file('ready-client.properties')).toBe('request.timeout.ms=5000\ndefault.api.timeout.ms=10000\n');
});

test('Ready once caught up; from then on (same container start) only a TCP connect, no JVM', () => {
  const env = brokerEnv(port);
  // Under-replicated partitions of other brokers do not hold this one back.
  stubs.add('kafka-topics.sh', `printf '${urp([['0,2', '0'], ['1,2', '1']])}\\n'`);
  expect(probe(env)).toMatchObject({ status: 0, stdout: 'broker 1 caught up\n' });
  expect(stubs.file('mark')).toBe('424242');
  expect(probe(env).status).toBe(0);
  expect(stubs.calls('kafka-topics.sh')).toHaveLength(1);
  // The port closed: not Ready (still no JVM).
  server.close();
  const r = probe(env);
  expect(r.status).toBe(1);
  expect(r.stdout).toBe(`client port ${port} does not accept connections\n`);
  expect(stubs.calls('kafka-topics.sh')).toHaveLength(1);
});

test('a restarted container (another start time) checks the ISR again; an unreachable broker is not Ready', () => {
  const env = brokerEnv(port);
  stubs.write('mark', '111');
  stubs.add('kafka-topics.sh', 'echo "org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment." >&2; exit 1');
  const r = probe(env);
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('broker 1 does not answer yet: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment.\n');
  expect(stubs.file('mark')).toBe('111');
});

test('TLS: the probe client uses the mounted keystores', () => {
  const env = { ...brokerEnv(port), TLS_STORE_PASSWORD: 'pw' };
  stubs.add('kafka-topics.sh', '');
  expect(probe(env).status).toBe(0);
  expect(stubs.file('ready-client.properties')).toContain('security.protocol=SSL\nssl.keystore.type=PKCS12\nssl.keystore.location=/etc/kafka/tls/keystore.p12\nssl.keystore.password=pw\n');
});
