// start.sh and probe.sh of src/zookeeper/assets, run as the synthesized StatefulSet wires them
// (command, args, env, mounted files) against stubs; the runtime tier runs them against real
// ZooKeeper servers (test/runtime/zookeeper.test.ts).
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { ZooKeeperEnsemble } from '../../src';
import { kubeletEnv } from '../util/kubelet-env';
import { container, find, synthValidated } from '../util/validate';

const ASSETS = path.join(__dirname, '../../src/zookeeper/assets');

function synth(ordinalsStart = 0) {
  const c = new Chart(Testing.app(), 'test', { namespace: 'coord' });
  new ZooKeeperEnsemble(c, 'zk', { ordinalsStart });
  const objs = synthValidated(c);
  return { sts: find(objs, 'StatefulSet', 'zk'), cm: find(objs, 'ConfigMap', 'zk-config') };
}

/** A pod's files: the ConfigMap at ZOO_TEMPLATE_DIR, an empty conf dir and data dir; `zkServer.sh` a stub printing what it sees. */
function sandbox(cm: any) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zk-asset-'));
  for (const d of ['tpl', 'conf', 'data', 'bin']) fs.mkdirSync(path.join(dir, d));
  for (const [k, v] of Object.entries(cm.data as Record<string, string>)) fs.writeFileSync(path.join(dir, 'tpl', k), v);
  fs.writeFileSync(path.join(dir, 'bin', 'zkServer.sh'), '#!/bin/bash\necho "zkServer.sh $*"; cat "$ZOOCFGDIR/zoo.cfg"\n', { mode: 0o755 });
  return dir;
}

function runStart(sts: any, pod: string, dir: string) {
  const c = container(sts, 'zookeeper');
  const env = {
    ...kubeletEnv(c, { 'metadata.name': pod, 'metadata.namespace': 'coord' }),
    ZOO_TEMPLATE_DIR: path.join(dir, 'tpl'),
    ZOOCFGDIR: path.join(dir, 'conf'),
    ZOO_DATA_DIR: path.join(dir, 'data'),
    PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`,
  };
  expect(c.command).toEqual(['bash', '/opt/cdk8s-stateful/zookeeper/start.sh']);
  return spawnSync('bash', [path.join(ASSETS, 'start.sh'), ...c.args], { env, encoding: 'utf8' });
}

describe('start.sh', () => {
  test('writes myid = ordinal + 1 and zoo.cfg = static settings + server list, then runs zkServer.sh start-foreground', () => {
    const { sts, cm } = synth();
    const dir = sandbox(cm);
    const r = runStart(sts, 'zk-2', dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'data', 'myid'), 'utf8')).toBe('3\n');
    expect(r.stdout).toContain('zk-2 is myid 3 of 3 servers');
    expect(r.stdout).toContain('zkServer.sh start-foreground');
    const cfg = fs.readFileSync(path.join(dir, 'conf', 'zoo.cfg'), 'utf8');
    expect(cfg.startsWith(cm.data['zoo.cfg'])).toBe(true);
    expect(cfg).toContain('server.3=zk-2.zk-headless.coord.svc.cluster.local:2888:3888;2181\n');
    expect(fs.readFileSync(path.join(dir, 'conf', 'logback.xml'), 'utf8')).toBe(cm.data['logback.xml']);
  });

  test('respects ordinalsStart and rewrites a stale myid', () => {
    const { sts, cm } = synth(5);
    const dir = sandbox(cm);
    fs.writeFileSync(path.join(dir, 'data', 'myid'), '1\n');
    const r = runStart(sts, 'zk-6', dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('myid said 1; this pod is myid 7');
    expect(fs.readFileSync(path.join(dir, 'data', 'myid'), 'utf8')).toBe('7\n');
  });

  test('refuses a pod the server list does not name, and a pod name without an ordinal', () => {
    const { sts, cm } = synth();
    let r = runStart(sts, 'zk-3', sandbox(cm));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ZOO_SERVERS has no server.4 line for pod zk-3');
    r = runStart(sts, 'zk-x', sandbox(cm));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cannot read an ordinal from pod name 'zk-x'");
  });
});

describe('probe.sh', () => {
  const probe = (port: number, mode: string) => new Promise<{ status: number | null; stderr: string }>((resolve) => {
    const child = spawn('bash', [path.join(ASSETS, 'probe.sh'), mode], { env: { ZOO_CLIENT_PORT: String(port), PATH: '/usr/bin:/bin' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (status: number | null) => resolve({ status, stderr }));
  });

  test.each([
    ['Mode: follower', 0],
    ['Mode: leader', 0],
    ['This ZooKeeper instance is not currently serving requests', 1],
  ])('ready when srvr says %p → exit %p', async (reply, code) => {
    const server = net.createServer((s) => s.once('data', () => s.end(`Zookeeper version: 3.9.4\n${reply}\nNode count: 5\n`)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const result = await probe((server.address() as net.AddressInfo).port, 'ready');
    server.close();
    expect(result.status).toBe(code);
  });

  test('live when ruok says imok; not live when nothing listens', async () => {
    const server = net.createServer((s) => s.once('data', (d) => s.end(d.toString() === 'ruok' ? 'imok' : '')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    expect((await probe(port, 'live')).status).toBe(0);
    server.close();
    await new Promise((r) => setTimeout(r, 50));
    const down = await probe(port, 'live');
    expect(down.status).toBe(1);
    expect((await probe(port, 'other')).status).toBe(2);
  });
});
