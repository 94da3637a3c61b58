/**
 * EtcdCluster run from its synthesized manifest with Debian's etcd 3.4 (the image is 3.5; the
 * probes' /readyz and /livez are sent to /health): quorum, writes read back across members, a
 * killed member, a member whose volume is lost, and scaling 3 → 5 by synthesizing again.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { EtcdExampleChart } from '../../examples/etcd';
import { find, synthValidated } from '../util/validate';
import { EmulatedCluster, waitFor } from './emulator/cluster';
import { describeRuntime } from './runtime-env';

jest.setTimeout(180_000);

function run(file: string, args: string[], env: Record<string, string>, input?: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, env: { PATH: '/usr/bin:/bin', ...env } },
      (err, stdout, stderr) => (err ? reject(new Error(`${file} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)));
    // etcdctl may exit (an error while a leader is elected) before it reads its input: writing to the
    // closed pipe then raises EPIPE on the stream, not in the callback. The callback's error is the
    // one that counts (the caller retries it).
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}
const etcdctl = (endpoint: string, args: string[], input?: string) =>
  run('/usr/bin/etcdctl', [`--endpoints=http://${endpoint}:2379`, '--dial-timeout=3s', '--command-timeout=20s', ...args], { ETCDCTL_API: '3' }, input);

const synth = (replicas: number) => synthValidated(new EtcdExampleChart(Testing.app(), 'etcd', { replicas }));

describeRuntime('EtcdCluster (runtime)', ['/usr/bin/etcd', '/usr/bin/etcdctl', '/bin/busybox', '/usr/bin/python3'], () => {
  let cluster: EmulatedCluster;
  let objects: any[];
  const ip = (pod: string) => cluster.pod(pod).ip!;
  const keyCount = async (pod: string) => Number(JSON.parse(
    await etcdctl(ip(pod), ['get', 'k/', '--prefix', '--keys-only', '--limit=1', '--consistency=s', '-w', 'json'])).count);
  const write = (pod: string, args: string[], input?: string) =>
    waitFor(`etcdctl ${args[0]} through ${pod}`, 60_000, async () => { await etcdctl(ip(pod), args, input); return true; }, 1000);
  /** The member's own (serializable) count converges to `n`. */
  const expectKeys = async (pod: string, n: number) => {
    await waitFor(`${pod} has ${n} keys`, 30_000, async () => (await keyCount(pod)) === n).catch(() => undefined);
    expect(await keyCount(pod)).toBe(n);
  };
  const members = async (pod: string) => (await etcdctl(ip(pod), ['member', 'list'])).trim().split('\n');
  const pods = (n: number) => Array.from({ length: n }, (_, i) => `etcd-${i}`);

  beforeAll(() => {
    objects = synth(3);
    cluster = new EmulatedCluster({ objects });
  });
  afterAll(async () => { await cluster?.destroy(); });

  test('3 members form a quorum from the manifest flags and become Ready', async () => {
    const t0 = Date.now();
    await cluster.startStatefulSet('etcd');
    for (const p of pods(3)) await cluster.waitReady(p, 90_000);
    const list = await members('etcd-0');
    expect(list).toHaveLength(3);
    for (const p of pods(3)) expect(list.some((l) => l.includes(`, started, ${p}, http://${p}.etcd-headless.coordination.svc.cluster.local:2380`))).toBe(true);
    console.log(`etcd quorum Ready in ${Date.now() - t0} ms`);
  });

  test('1,000 writes through one member are read back through every other', async () => {
    for (let b = 0; b < 10; b++) {
      const puts = Array.from({ length: 100 }, (_, i) => `put k/${String(b * 100 + i).padStart(4, '0')} v${b * 100 + i}`).join('\n');
      await write('etcd-0', ['txn'], `\n${puts}\n\n\n`);
    }
    await expectKeys('etcd-1', 1000);
    await expectKeys('etcd-2', 1000);
    expect((await etcdctl(ip('etcd-2'), ['get', 'k/0999', '--print-value-only'])).trim()).toBe('v999');
  });

  test('a killed member restarts with its data and catches up', async () => {
    await cluster.pod('etcd-1').delete(0);
    await write('etcd-0', ['put', 'k/while-down', 'x']);
    await cluster.pod('etcd-1').start();
    await cluster.waitReady('etcd-1', 60_000);
    await expectKeys('etcd-1', 1001);
  });

  test('a member whose volume is lost rejoins by itself with every key', async () => {
    await cluster.pod('etcd-2').delete();
    cluster.deleteClaim('data-etcd-2');
    const t0 = Date.now();
    await cluster.pod('etcd-2').start();
    await cluster.waitReady('etcd-2', 90_000);
    await expectKeys('etcd-2', 1001);
    const list = await members('etcd-0');
    expect(list).toHaveLength(3);
    expect(list.every((l) => l.includes(', started, '))).toBe(true);
    expect(cluster.pod('etcd-2').logs('etcd')).toContain('etcd-2 has no data but the cluster lists it');
    console.log(`member with a lost volume rejoined in ${Date.now() - t0} ms`);
  });

  test('scaling 3 → 5 (a new synth) adds the new members, which have every key', async () => {
    // What `kubectl apply` of the new output does: the StatefulSet's replicas and template change.
    const next = find(synth(5), 'StatefulSet', 'etcd');
    objects.splice(objects.findIndex((o) => o.kind === 'StatefulSet' && o.metadata.name === 'etcd'), 1, next);
    const t0 = Date.now();
    await cluster.startStatefulSet('etcd');
    for (const p of ['etcd-3', 'etcd-4']) await cluster.waitReady(p, 90_000);
    await waitFor('5 started members', 30_000, async () => (await members('etcd-0')).filter((l) => l.includes(', started, ')).length === 5);
    await expectKeys('etcd-3', 1001);
    await expectKeys('etcd-4', 1001);
    await write('etcd-4', ['put', 'k/after-scale', 'y']);
    await expectKeys('etcd-0', 1002);
    for (const p of ['etcd-3', 'etcd-4']) expect(cluster.pod(p).logs('etcd')).toContain(`${p} has no data and is not a member: adding it`);
    console.log(`scaled 3 → 5 in ${Date.now() - t0} ms`);
    // The roll of the old members to the new template: a member with data ignores the new list.
    await cluster.pod('etcd-0').delete();
    cluster.pods.delete('etcd-0');
    await cluster.startStatefulSet('etcd');
    await cluster.waitReady('etcd-0', 60_000);
    await expectKeys('etcd-0', 1002);
    expect(await members('etcd-0')).toHaveLength(5);
  });

  test('the snapshot script saves a snapshot with every key', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcd-snap-'));
    try {
      const cron = find(objects, 'CronJob', 'etcd-backup');
      const script = cron.spec.jobTemplate.spec.template.spec.containers[0].command[2];
      await run('/usr/bin/python3', ['-c', script], { ETCD_ENDPOINTS: pods(5).map((p) => `http://${ip(p)}:2379`).join(','), BACKUP_DIR: dir, KEEP: '1' });
      const files = fs.readdirSync(dir);
      expect(files).toHaveLength(1);
      const status = JSON.parse(await run('/usr/bin/etcdctl', ['snapshot', 'status', path.join(dir, files[0]), '-w', 'json'], { ETCDCTL_API: '3' }));
      expect(status.totalKey).toBeGreaterThanOrEqual(1002);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
