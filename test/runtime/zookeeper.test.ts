/**
 * A 3-member ZooKeeperEnsemble run from its synthesized manifest with Debian's ZooKeeper 3.8:
 * the ensemble forms from the manifest's server list and the start script's myid, a znode written
 * through one member is read through another, the leader killed leaves a quorum that serves
 * writes, a member whose volume was lost resyncs from the leader, and a full restart keeps the
 * data. 3 members only: each JVM takes ~2 s to start here and the machine is shared; the 5-member
 * case differs only in the server list, which the unit tests cover.
 */
import { execFile } from 'child_process';
import * as net from 'net';
import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ZooKeeperEnsemble } from '../../src';
import { synthValidated } from '../util/validate';
import { EmulatedCluster, waitFor } from './emulator/cluster';
import { describeRuntime } from './runtime-env';

jest.setTimeout(200_000);

const CLASSPATH = '/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-nop.jar';
const PODS = ['zk-0', 'zk-1', 'zk-2'];

/** A four-letter word through the client port, as the probe sends it. */
function fourLetter(host: string, word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const s = net.connect({ host, port: 2181, timeout: 5000 }, () => s.write(word));
    s.on('data', (d) => { out += d.toString(); });
    s.on('end', () => resolve(out));
    s.on('timeout', () => { s.destroy(); reject(new Error(`${word} to ${host}: timeout`)); });
    s.on('error', reject);
  });
}

/**
 * One zkCli command against one member (ZooKeeperMain exits after a command given on its command
 * line, printing results such as "Created /x" on stderr): stdout and stderr together.
 */
function zkCli(host: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile('/usr/bin/java', ['-cp', CLASSPATH, 'org.apache.zookeeper.ZooKeeperMain', '-server', `${host}:2181`, ...args],
      { timeout: 30_000, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (_err, stdout, stderr) => resolve(`${stdout}\n${stderr}`));
  });
}

describeRuntime('ZooKeeperEnsemble of 3 (runtime)', ['/usr/share/java/zookeeper.jar', '/usr/bin/java'], () => {
  let cluster: EmulatedCluster;
  const ip = (pod: string) => cluster.pod(pod).ip!;
  const mode = async (pod: string) => /^Mode: (\w+)$/m.exec(await fourLetter(ip(pod), 'srvr').catch(() => ''))?.[1];
  /**
   * A client retries a write while the ensemble elects a leader ("Node already exists" after a
   * retry: an attempt that timed out had succeeded; the tests read the value back).
   */
  const create = (pod: string, path: string, data: string) =>
    waitFor(`create ${path} through ${pod}`, 60_000, async () => /Created |Node already exists/.test(await zkCli(ip(pod), ['create', path, data])), 1000);
  /** What this member itself returns for `get` (after `sync`, a follower has what the leader committed). */
  const read = async (pod: string, path: string) => {
    let value: string | undefined;
    await waitFor(`${path} on ${pod}`, 30_000, async () => {
      const out = await zkCli(ip(pod), ['get', path]);
      value = out.split('\n').map((l) => l.trim()).find((l) => l.startsWith('v-'));
      return value !== undefined;
    }, 1000).catch(() => undefined);
    return value;
  };

  beforeAll(() => {
    const chart = new Chart(Testing.app(), 'zk', { namespace: 'coord' });
    new ZooKeeperEnsemble(chart, 'zk', {
      resources: { memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) } },
      heap: Size.mebibytes(128),
    });
    // A client workload is not run; it only checks that bind() output passes the validators too.
    const app = new kplus.Deployment(chart, 'app', { containers: [{ image: 'docker.io/library/busybox:1.36', securityContext: { ensureNonRoot: false } }] });
    (chart.node.findChild('zk') as ZooKeeperEnsemble).bind(app);
    cluster = new EmulatedCluster({ objects: synthValidated(chart) });
  });
  afterAll(async () => { await cluster?.destroy(); });

  test('3 members form one ensemble: one leader, two followers, myid = ordinal + 1', async () => {
    const t0 = Date.now();
    await cluster.startStatefulSet('zk');
    for (const p of PODS) await cluster.waitReady(p, 90_000);
    const modes = await Promise.all(PODS.map(mode));
    expect(modes.filter((m) => m === 'leader')).toHaveLength(1);
    expect(modes.filter((m) => m === 'follower')).toHaveLength(2);
    for (const [i, p] of PODS.entries()) expect(cluster.pod(p).logs('zookeeper')).toContain(`${p} is myid ${i + 1} of 3 servers`);
    console.log(`ZooKeeper ensemble Ready in ${Date.now() - t0} ms (modes ${modes.join(', ')})`);
  });

  test('a znode written through one member is read through another', async () => {
    await create('zk-0', '/cdk8s', 'v-first');
    expect(await read('zk-2', '/cdk8s')).toBe('v-first');
    expect(await read('zk-1', '/cdk8s')).toBe('v-first');
  });

  test('the leader killed: the other two elect a leader and serve writes; it rejoins with them', async () => {
    const modes = await Promise.all(PODS.map(mode));
    const leader = PODS[modes.indexOf('leader')];
    const survivor = PODS.find((p) => p !== leader)!;
    await cluster.pod(leader).delete(0);
    const t0 = Date.now();
    await create(survivor, '/while-down', 'v-while-down');
    console.log(`leader ${leader} killed: a write through ${survivor} succeeded after ${Date.now() - t0} ms`);
    const rest = await Promise.all(PODS.filter((p) => p !== leader).map(mode));
    expect(rest.sort()).toEqual(['follower', 'leader']);
    await cluster.pod(leader).start();
    await cluster.waitReady(leader, 90_000);
    expect(await mode(leader)).toBe('follower');
    expect(await read(leader, '/while-down')).toBe('v-while-down');
  });

  test('a member whose volume is lost resyncs from the leader', async () => {
    const modes = await Promise.all(PODS.map(mode));
    const follower = PODS[modes.indexOf('follower')];
    await cluster.pod(follower).delete();
    cluster.deleteClaim(`data-${follower}`);
    const t0 = Date.now();
    await cluster.pod(follower).start();
    await cluster.waitReady(follower, 90_000);
    expect(await read(follower, '/cdk8s')).toBe('v-first');
    expect(await read(follower, '/while-down')).toBe('v-while-down');
    console.log(`${follower} with an empty volume resynced in ${Date.now() - t0} ms`);
  });

  test('a full stop and start keeps the data', async () => {
    await cluster.stopStatefulSet('zk');
    const t0 = Date.now();
    await cluster.startStatefulSet('zk');
    for (const p of PODS) await cluster.waitReady(p, 90_000);
    expect((await Promise.all(PODS.map(mode))).filter((m) => m === 'leader')).toHaveLength(1);
    for (const p of PODS) expect(await read(p, '/while-down')).toBe('v-while-down');
    console.log(`full restart Ready with data in ${Date.now() - t0} ms`);
  });
});

describeRuntime('ZooKeeperEnsemble of 5 (runtime)', ['/usr/share/java/zookeeper.jar', '/usr/bin/java'], () => {
  let cluster: EmulatedCluster;
  const pods = ['zk5-0', 'zk5-1', 'zk5-2', 'zk5-3', 'zk5-4'];
  const ip = (pod: string) => cluster.pod(pod).ip!;
  const mode = async (pod: string) => /^Mode: (\w+)$/m.exec(await fourLetter(ip(pod), 'srvr').catch(() => ''))?.[1];

  beforeAll(() => {
    const chart = new Chart(Testing.app(), 'zk5', { namespace: 'coord5' });
    new ZooKeeperEnsemble(chart, 'zk5', {
      replicas: 5,
      ordinalsStart: 0,
      resources: { memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) } },
      heap: Size.mebibytes(96),
    });
    cluster = new EmulatedCluster({ objects: synthValidated(chart) });
  });
  afterAll(async () => { await cluster?.destroy(); });

  test('5 members form; two killed (the leader among them), the other three serve writes', async () => {
    const t0 = Date.now();
    await cluster.startStatefulSet('zk5');
    for (const p of pods) await cluster.waitReady(p, 90_000);
    const modes = await Promise.all(pods.map(mode));
    expect(modes.filter((m) => m === 'leader')).toHaveLength(1);
    expect(modes.filter((m) => m === 'follower')).toHaveLength(4);
    console.log(`5 members Ready in ${Date.now() - t0} ms`);

    const leader = pods[modes.indexOf('leader')];
    const follower = pods.find((p) => p !== leader)!;
    await Promise.all([cluster.pod(leader).delete(0), cluster.pod(follower).delete(0)]);
    const rest = pods.filter((p) => p !== leader && p !== follower);
    const t1 = Date.now();
    await waitFor(`create through ${rest[0]}`, 60_000,
      async () => /Created |Node already exists/.test(await zkCli(ip(rest[0]), ['create', '/two-down', 'v-two-down'])), 1000);
    console.log(`two of 5 killed: a write succeeded after ${Date.now() - t1} ms`);
    expect((await Promise.all(rest.map(mode))).sort()).toEqual(['follower', 'follower', 'leader']);
    const out = await zkCli(ip(rest[2]), ['get', '/two-down']);
    expect(out).toContain('v-two-down');
  });
});
