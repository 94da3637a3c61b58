// src/kafka/assets/external-address.sh against a stub `curl` answering with API server JSON
// (pretty-printed, as the API server answers curl), and external-start.sh with a stub entrypoint.
// HOME is a scratch directory: bash run with a socket as stdin reads ~/.bashrc.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ASSETS = path.join(__dirname, '../../../src/kafka/assets');

/** Runs the init script; `answers` are the bodies curl returns, one per call (the last one repeats). */
function run(env: Record<string, string>, answers: object[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'external-address-'));
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.mkdirSync(path.join(dir, 'sa'));
  fs.writeFileSync(path.join(dir, 'sa', 'token'), 'tok');
  fs.writeFileSync(path.join(dir, 'sa', 'ca.crt'), 'ca');
  answers.forEach((a, i) => fs.writeFileSync(path.join(dir, `answer-${i}`), JSON.stringify(a, null, 2)));
  // Each call logs its URL and answers the next body.
  fs.writeFileSync(path.join(dir, 'bin', 'curl'), [
    '#!/bin/sh',
    `n=0; [ -f "${dir}/calls" ] && n=$(wc -l < "${dir}/calls")`,
    'for a; do url=$a; done',
    `echo "$url" >> "${dir}/calls"`,
    `f="${dir}/answer-$n"; [ -f "$f" ] || f="${dir}/answer-${answers.length - 1}"`,
    'cat "$f"',
  ].join('\n') + '\n', { mode: 0o755 });
  const r = spawnSync('sh', [path.join(ASSETS, 'external-address.sh')], {
    encoding: 'utf8',
    timeout: 10000,
    env: {
      PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`,
      SA_DIR: path.join(dir, 'sa'),
      TMPDIR: dir,
      WAIT_SECONDS: '0',
      POD_NAME: 'kafka-broker-101',
      POD_NAMESPACE: 'data',
      NODE_NAME: 'node-a',
      KAFKA_NODE_ID: '101',
      SERVICE_SUFFIX: '-external',
      OUT_FILE: path.join(dir, 'address'),
      ...env,
    },
  });
  const read = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : undefined);
  return { r, out: read('address'), calls: read('calls')?.trim().split('\n') ?? [] };
}

const service = (ingress?: object[]) => ({
  kind: 'Service',
  metadata: { name: 'kafka-broker-101-external', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"status":{"loadBalancer":{"ingress":[{"ip":"6.6.6.6"}]}}}' } },
  spec: { type: 'LoadBalancer', loadBalancerSourceRanges: ['0.0.0.0/0'] },
  status: { loadBalancer: ingress ? { ingress } : {} },
});
const node = (addresses: object[]) => ({ kind: 'Node', metadata: { name: 'node-a' }, status: { addresses } });

describe('load balancer', () => {
  test('waits until the Service has an address, then prefers its host name', () => {
    const { r, out, calls } = run({ MODE: 'loadbalancer', SERVICE_PORT: '9095' },
      [service(), service([{ ip: '203.0.113.7', hostname: 'abc.elb.amazonaws.com', ipMode: 'VIP', ports: [{ port: 9095, protocol: 'TCP' }] }])]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('has no load balancer address yet');
    expect(out).toBe('abc.elb.amazonaws.com:9095\n');
    expect(calls).toEqual(['https://kubernetes.default.svc/api/v1/namespaces/data/services/kafka-broker-101-external',
      'https://kubernetes.default.svc/api/v1/namespaces/data/services/kafka-broker-101-external']);
  });

  test('an IP only: the first ingress entry, not an annotation', () => {
    const { out } = run({ MODE: 'loadbalancer', SERVICE_PORT: '9095' }, [service([{ ip: '203.0.113.7' }, { ip: '203.0.113.8' }])]);
    expect(out).toBe('203.0.113.7:9095\n');
  });

  test('an IPv6 address is bracketed', () => {
    const { out } = run({ MODE: 'loadbalancer', SERVICE_PORT: '9095' }, [service([{ ip: '2001:db8::7' }])]);
    expect(out).toBe('[2001:db8::7]:9095\n');
  });
});

describe('node port', () => {
  test('the ExternalIP of its node and basePort + node id', () => {
    const { r, out, calls } = run({ MODE: 'nodeport', BASE_PORT: '31000' },
      [node([{ type: 'InternalIP', address: '10.0.0.4' }, { type: 'ExternalIP', address: '198.51.100.4' }, { type: 'Hostname', address: 'node-a' }])]);
    expect(r.stderr).toBe('');
    expect(out).toBe('198.51.100.4:31101\n');
    expect(calls).toEqual(['https://kubernetes.default.svc/api/v1/nodes/node-a']);
  });

  test('the InternalIP when there is no ExternalIP', () => {
    const { out } = run({ MODE: 'nodeport', BASE_PORT: '31000' }, [node([{ type: 'Hostname', address: 'node-a' }, { type: 'InternalIP', address: '10.0.0.4' }])]);
    expect(out).toBe('10.0.0.4:31101\n');
  });

  test('no address fails and writes nothing', () => {
    const { r, out } = run({ MODE: 'nodeport', BASE_PORT: '31000' }, [node([{ type: 'Hostname', address: 'node-a' }])]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('neither an ExternalIP nor an InternalIP');
    expect(out).toBeUndefined();
  });
});

test('external-start.sh appends EXTERNAL://<address> to the advertised listeners and execs the entrypoint', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'external-start-'));
  fs.writeFileSync(path.join(dir, 'address'), '203.0.113.7:9095\n');
  fs.writeFileSync(path.join(dir, 'run'), '#!/bin/sh\necho "$KAFKA_ADVERTISED_LISTENERS"\n', { mode: 0o755 });
  const r = spawnSync('bash', ['-c', fs.readFileSync(path.join(ASSETS, 'external-start.sh'), 'utf8')], {
    encoding: 'utf8',
    env: { HOME: dir, PATH: '/usr/bin:/bin', ADDRESS_FILE: path.join(dir, 'address'), RUN: path.join(dir, 'run'), KAFKA_ADVERTISED_LISTENERS: 'CLIENT://k-0:9092,INTERNAL://k-0:9094' },
  });
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('CLIENT://k-0:9092,INTERNAL://k-0:9094,EXTERNAL://203.0.113.7:9095\n');
  fs.writeFileSync(path.join(dir, 'address'), '');
  const empty = spawnSync('bash', [path.join(ASSETS, 'external-start.sh')], {
    encoding: 'utf8', env: { HOME: dir, PATH: '/usr/bin:/bin', ADDRESS_FILE: path.join(dir, 'address'), RUN: path.join(dir, 'run'), KAFKA_ADVERTISED_LISTENERS: 'x' },
  });
  expect(empty.status).not.toBe(0);
});
