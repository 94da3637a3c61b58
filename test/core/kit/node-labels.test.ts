// src/core/kit/assets/node-labels.sh against a stub `curl` answering with a Node object.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SCRIPT = path.join(__dirname, '../../../src/core/kit/assets/node-labels.sh');

function run(labels: Record<string, string>, wanted: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-labels-'));
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.mkdirSync(path.join(dir, 'sa'));
  fs.writeFileSync(path.join(dir, 'sa', 'token'), 'tok');
  fs.writeFileSync(path.join(dir, 'sa', 'ca.crt'), 'ca');
  const node = JSON.stringify({ kind: 'Node', metadata: { name: 'n1', labels } }, null, 2);
  fs.writeFileSync(path.join(dir, 'node.json.src'), node);
  fs.writeFileSync(path.join(dir, 'bin', 'curl'), `#!/bin/sh\necho "$@" > "${dir}/curl-args"\ncat "${dir}/node.json.src"\n`, { mode: 0o755 });
  const r = spawnSync('sh', [SCRIPT], {
    encoding: 'utf8',
    env: { PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`, SA_DIR: path.join(dir, 'sa'), TMPDIR: dir, NODE_NAME: 'n1', LABELS: wanted, OUT_FILE: path.join(dir, 'out') },
  });
  return { r, dir, out: fs.existsSync(path.join(dir, 'out')) ? fs.readFileSync(path.join(dir, 'out'), 'utf8') : undefined };
}

test('writes one name=value line per requested label, in order, from the node the pod runs on', () => {
  const { r, out, dir } = run({ 'topology.kubernetes.io/region': 'eu-west-1', 'topology.kubernetes.io/zone': 'eu-west-1b', 'topologyXkubernetes.io/zone': 'wrong' },
    'region=topology.kubernetes.io/region zone=topology.kubernetes.io/zone');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(out).toBe('region=eu-west-1\nzone=eu-west-1b\n');
  expect(fs.readFileSync(path.join(dir, 'curl-args'), 'utf8')).toContain('https://kubernetes.default.svc/api/v1/nodes/n1');
});

test('a missing label fails and writes no file', () => {
  const { r, out } = run({ 'topology.kubernetes.io/region': 'eu-west-1' }, 'region=topology.kubernetes.io/region zone=topology.kubernetes.io/zone');
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('has no label topology.kubernetes.io/zone');
  expect(out).toBeUndefined();
});
