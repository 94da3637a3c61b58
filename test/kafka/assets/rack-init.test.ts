// assets/rack-init.sh, run as the synthesized init container runs it, against a fake curl.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { Stubs } from './stubs';
import { KafkaCluster } from '../../../src';
import { container, envOf, find, synthValidated } from '../../util/validate';

const ASSET = path.join(__dirname, '../../../src/kafka/assets/rack-init.sh');

function rackInit(topologyKey?: string): any {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  new KafkaCluster(c, 'kafka', { rackAwareness: { topologyKey } });
  return container(find(synthValidated(c), 'StatefulSet', 'kafka'), 'rack');
}

/** A node object as the API server returns it (pretty-printed, so over several lines). */
const NODE = JSON.stringify({
  kind: 'Node',
  metadata: {
    name: 'node-a',
    labels: { 'topologyXkubernetesXio/zone': 'decoy', 'topology.kubernetes.io/zone': 'eu-west-1a', 'example.com/rack': 'r7' },
  },
}, null, 2);

let stubs: Stubs;
beforeEach(() => {
  stubs = new Stubs();
  stubs.write('sa/token', 'tok3n');
  stubs.write('sa/ca.crt', 'CA');
  stubs.add('curl', `cat <<'JSON'\n${NODE}\nJSON`);
});
afterEach(() => stubs.cleanup());

function run(ctr: any) {
  const env: { [k: string]: string } = { NODE_NAME: 'node-a', SA_DIR: path.join(stubs.dir, 'sa'), RACK_FILE: path.join(stubs.dir, 'server.properties') };
  for (const [k, v] of Object.entries(envOf(ctr))) if (typeof v === 'string') env[k] = v;
  return stubs.run(ctr.command, env);
}

test('sh -n and shellcheck find nothing', () => {
  expect(spawnSync('sh', ['-n', ASSET]).status).toBe(0);
  const sc = spawnSync('shellcheck', [ASSET], { encoding: 'utf8' });
  expect(sc.stdout + sc.stderr).toBe('');
  expect(sc.status).toBe(0);
});

test("writes broker.rack from the node's zone label, read with the pod's token", () => {
  const ctr = rackInit();
  const r = run(ctr);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(stubs.file('server.properties')).toBe('broker.rack=eu-west-1a\n');
  const sa = path.join(stubs.dir, 'sa');
  expect(stubs.calls('curl')).toEqual([[
    '-sSf', '--cacert', `${sa}/ca.crt`, '-H', 'Authorization: Bearer tok3n', 'https://kubernetes.default.svc/api/v1/nodes/node-a',
  ]]);
});

test('another topology key (its dots match only dots)', () => {
  const r = run(rackInit('example.com/rack'));
  expect(r.status).toBe(0);
  expect(stubs.file('server.properties')).toBe('broker.rack=r7\n');
});

test('a node without the label fails the init container, naming the label', () => {
  const r = run(rackInit('example.com/missing'));
  expect(r.status).toBe(1);
  expect(r.stderr).toBe('node node-a has no label example.com/missing\n');
});

test('an API error fails the init container', () => {
  stubs.add('curl', 'echo "curl: (22) The requested URL returned error: 403" >&2; exit 22');
  const r = run(rackInit());
  expect(r.status).toBe(22);
  expect(r.stderr).toContain('403');
});
