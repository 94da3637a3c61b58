/**
 * The example etcd ensemble, run from its synthesized manifest: quorum from the manifest's exact
 * flags, replication, restart with data, full stop/start, and a member whose disk was lost.
 */
import { execFile } from 'child_process';
import { Testing } from 'cdk8s';
import { EtcdExampleChart } from '../../examples/etcd';
import { synthValidated } from '../util/validate';
import { EmulatedCluster, waitFor } from './emulator/cluster';
import { describeRuntime } from './runtime-env';

jest.setTimeout(300_000);

function etcdctl(endpoint: string, args: string[], timeoutMs = 30_000, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('/usr/bin/etcdctl', [`--endpoints=http://${endpoint}:2379`, '--dial-timeout=3s', '--command-timeout=20s', ...args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, env: { ETCDCTL_API: '3', PATH: '/usr/bin:/bin' } },
      (err, stdout, stderr) => (err ? reject(new Error(`etcdctl ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)));
    // etcdctl may exit (an error while a leader is elected) before it reads its input: writing to the
    // closed pipe then raises EPIPE on the stream, not in the callback. The callback's error is the
    // one that counts (the caller retries it).
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}

describeRuntime('etcd example ensemble (runtime)', ['/usr/bin/etcd', '/usr/bin/etcdctl', '/bin/busybox'], () => {
  let cluster: EmulatedCluster;
  const ip = (pod: string) => cluster.pod(pod).ip!;
  // A serializable read: what this member itself has applied, not what the leader has.
  const keyCount = async (pod: string) => Number(JSON.parse(
    await etcdctl(ip(pod), ['get', 'k/', '--prefix', '--keys-only', '--limit=1', '--consistency=s', '-w', 'json'])).count);
  // A client retries writes that fail while a new leader is elected (a killed leader, or a loaded machine).
  const write = (pod: string, args: string[], input?: string) =>
    waitFor(`etcdctl ${args[0]} through ${pod}`, 60_000, async () => { await etcdctl(ip(pod), args, 30_000, input); return true; }, 1000);
  /** The member's own count converges to `n` (a follower applies what the leader committed shortly after). */
  const expectKeys = async (pod: string, n: number) => {
    await waitFor(`${pod} has ${n} keys`, 30_000, async () => (await keyCount(pod)) === n).catch(() => undefined);
    expect(await keyCount(pod)).toBe(n);
  };
  const members = async (pod: string) => (await etcdctl(ip(pod), ['member', 'list'])).trim().split('\n');

  beforeAll(() => {
    const chart = new EtcdExampleChart(Testing.app(), 'etcd');
    cluster = new EmulatedCluster({ objects: synthValidated(chart) });
  });
  afterAll(async () => { await cluster?.destroy(); });

  test('3 members bootstrap a quorum from the manifest flags and become Ready', async () => {
    const t0 = Date.now();
    await cluster.startStatefulSet('etcd');
    for (const p of ['etcd-0', 'etcd-1', 'etcd-2']) await cluster.waitReady(p, 90_000);
    const list = await members('etcd-0');
    expect(list).toHaveLength(3);
    for (const p of ['etcd-0', 'etcd-1', 'etcd-2']) {
      expect(list.some((l) => l.includes(`, started, ${p}, http://${p}.etcd-headless.coordination.svc.cluster.local:2380`))).toBe(true);
    }
    console.log(`etcd quorum Ready in ${Date.now() - t0} ms`);
  });

  test('1,000 writes through one member are read back through another', async () => {
    const t0 = Date.now();
    // `etcdctl txn` takes many puts per transaction; 10 batches of 100.
    for (let b = 0; b < 10; b++) {
      const puts = Array.from({ length: 100 }, (_, i) => `put k/${String(b * 100 + i).padStart(4, '0')} v${b * 100 + i}`).join('\n');
      await write('etcd-0', ['txn'], `\n${puts}\n\n\n`);
    }
    await expectKeys('etcd-2', 1000);
    expect((await etcdctl(ip('etcd-1'), ['get', 'k/0999', '--print-value-only'])).trim()).toBe('v999');
    console.log(`1000 writes + read-back in ${Date.now() - t0} ms`);
  });

  test('a member killed and restarted with its data rejoins with every key', async () => {
    await cluster.pod('etcd-1').delete(0);
    await write('etcd-0', ['put', 'k/written-while-down', 'x']);
    const t0 = Date.now();
    await cluster.pod('etcd-1').start();
    await cluster.waitReady('etcd-1', 90_000);
    await expectKeys('etcd-1', 1001);
    console.log(`member restarted with data and caught up in ${Date.now() - t0} ms`);
  });

  test('a full stop and start of all members keeps the data', async () => {
    await cluster.stopStatefulSet('etcd');
    const t0 = Date.now();
    await cluster.startStatefulSet('etcd');
    for (const p of ['etcd-0', 'etcd-1', 'etcd-2']) await cluster.waitReady(p, 90_000);
    await expectKeys('etcd-0', 1001);
    await expectKeys('etcd-2', 1001);
    console.log(`full restart Ready with data in ${Date.now() - t0} ms`);
  });

  test('a member whose volume is lost rejoins by itself with every key', async () => {
    await cluster.pod('etcd-2').delete();
    cluster.deleteClaim('data-etcd-2');
    const t0 = Date.now();
    await cluster.pod('etcd-2').start();
    await cluster.waitReady('etcd-2', 120_000);
    await expectKeys('etcd-2', 1001);
    const list = await members('etcd-0');
    expect(list).toHaveLength(3);
    expect(list.every((l) => l.includes(', started, '))).toBe(true);
    expect(cluster.pod('etcd-2').logs('etcd')).toContain('etcd-2 has no data but the cluster lists it');
    console.log(`member with a lost volume rejoined in ${Date.now() - t0} ms (restarts: ${cluster.pod('etcd-2').restartCount('etcd')})`);
  });
});
