/**
 * RedisCluster in cluster mode (sharded), run from its synthesized manifest with Debian's
 * redis-server and redis-cli 7.0 (mapped from the official image): the six pods and the create
 * Job run as synthesized and form 3 primaries × 1 replica; keys spread over the three shards and
 * read back through any node (redirects name hosts, not IPs); a killed primary's replica is
 * promoted and every key stays readable; re-running the Job changes nothing; a replica that lost
 * its volume is re-added by the Job; scaling to 4 shards
 * (a new synth: StatefulSet and Job) adds a primary and a replica and moves slots onto them.
 */
import { Chart, Duration, Testing } from 'cdk8s';
import { RedisCluster, RedisMode } from '../../src';
import { find, synthValidated } from '../util/validate';
import { EmulatedCluster, waitFor } from './emulator/cluster';
import { describeRuntime } from './runtime-env';

jest.setTimeout(300_000);

const PASSWORD = 'runtime-test-password';
const NODE_TIMEOUT_MS = 3000;
const KEYS = 300;

interface Node { readonly id: string; readonly host: string; readonly flags: string; readonly master: string; readonly slots: string }

function synth(shards: number) {
  const chart = new Chart(Testing.app(), 'redis', { namespace: 'cache' });
  const redis = new RedisCluster(chart, 'redis', { mode: RedisMode.cluster({ shards, replicasPerShard: 1, nodeTimeout: Duration.millis(NODE_TIMEOUT_MS) }) });
  return { redis, objects: synthValidated(chart) };
}

describeRuntime('RedisCluster cluster mode (runtime)', ['/usr/bin/redis-server', '/usr/bin/redis-cli'], () => {
  let cluster: EmulatedCluster;
  let objects: any[];
  let jobName: string;
  const pods = (n: number) => Array.from({ length: n }, (_, i) => `redis-${i}`);
  const fqdn = (pod: string) => `${pod}.redis-headless.cache.svc.cluster.local`;
  const podOf = (host: string) => host.split('.')[0];

  /** redis-cli inside a pod (its /etc/hosts resolves the pod names); `-c` follows redirects. */
  async function cli(pod: string, args: string[], input?: string): Promise<string> {
    const r = await cluster.pod(pod).exec('redis', ['redis-cli', '--no-auth-warning', '-a', PASSWORD, ...args], 60_000, input);
    if (r.code !== 0) throw new Error(`redis-cli ${args.join(' ')} in ${pod}: ${r.stderr || r.stdout}`);
    return r.stdout.trim();
  }
  const info = async (pod: string) => Object.fromEntries((await cli(pod, ['CLUSTER', 'INFO'])).split('\n').map((l) => l.trim().split(':')));
  async function nodes(pod: string): Promise<Node[]> {
    return (await cli(pod, ['CLUSTER', 'NODES'])).split('\n').map((l) => {
      const f = l.trim().split(' ');
      return { id: f[0], host: f[1].split(',')[1], flags: f[2], master: f[3], slots: f.slice(8).join(' ') };
    });
  }
  const primaries = (ns: Node[]) => ns.filter((n) => n.flags.includes('master') && !n.flags.includes('fail') && n.slots);
  const readAll = async (pod: string) => (await cli(pod, ['-c'], Array.from({ length: KEYS }, (_, i) => `GET key:${i}`).join('\n') + '\n'))
    .split('\n').filter((l) => !l.startsWith('-> Redirected'));
  /** One run of the Job; its log is printed when it does not succeed in time. */
  async function runJob(name: string, timeoutMs: number) {
    try {
      return await cluster.runJob(name, timeoutMs);
    } catch (e) {
      const last = [...cluster.pods.keys()].filter((p) => p.startsWith(`${name}-`)).pop();
      console.log(last && cluster.pod(last).logs('create').split('\n').filter((l) => !/^\s*#|^ {2}/.test(l)).slice(-120).join('\n'));
      throw e;
    }
  }
  const expectAllKeys = async (pod: string) => {
    const values = await readAll(pod);
    expect(values).toEqual(Array.from({ length: KEYS }, (_, i) => `v${i}`));
  };

  beforeAll(() => {
    const s = synth(3);
    objects = s.objects;
    jobName = s.redis.createJob!.name;
    cluster = new EmulatedCluster({ objects, secrets: { [s.redis.secretName]: { password: PASSWORD } } });
  });
  afterAll(async () => { await cluster?.destroy(); });

  test('6 pods and the create Job form 3 primaries with 1 replica each, announced by host name', async () => {
    const t0 = Date.now();
    await cluster.startStatefulSet('redis');
    for (const p of pods(6)) await cluster.waitReady(p, 60_000);
    const run = await runJob(jobName, 180_000);
    expect(run.logs).toContain('creating a cluster of 3 primaries with 1 replicas each');
    expect(run.phase).toBe('Succeeded');
    console.log(`cluster formed (pods Ready + create Job) in ${Date.now() - t0} ms`);
    for (const p of pods(6)) {
      const i = await info(p);
      expect([i.cluster_state, i.cluster_known_nodes, i.cluster_size]).toEqual(['ok', '6', '3']);
    }
    const ns = await nodes('redis-0');
    expect(primaries(ns)).toHaveLength(3);
    const replicas = ns.filter((n) => n.flags.includes('slave'));
    expect(replicas).toHaveLength(3);
    // Every primary has exactly one replica; every node is known by its stable DNS name.
    expect(new Set(replicas.map((r) => r.master))).toEqual(new Set(primaries(ns).map((m) => m.id)));
    expect(ns.map((n) => n.host).sort()).toEqual(pods(6).map(fqdn).sort());
    // Redirects and the slot map name hosts (cluster-preferred-endpoint-type hostname).
    expect(await cli('redis-0', ['CLUSTER', 'SLOTS'])).toContain(fqdn(podOf(primaries(ns)[0].host)));
  });

  test(`${KEYS} keys spread over the 3 shards and read back through any node`, async () => {
    await cli('redis-1', ['-c'], Array.from({ length: KEYS }, (_, i) => `SET key:${i} v${i}`).join('\n') + '\n');
    const ns = await nodes('redis-0');
    const sizes = await Promise.all(primaries(ns).map(async (m) => Number(await cli(podOf(m.host), ['DBSIZE']))));
    console.log(`keys per shard: ${sizes.join(', ')}`);
    expect(sizes.every((n) => n > 50)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(KEYS);
    for (const m of primaries(ns)) expect(await cli(podOf(m.host), ['WAIT', '1', '5000'])).toBe('1');
    await expectAllKeys('redis-4');
    // A node that does not own a key redirects to the owner by its host name.
    const owner = (await cli('redis-0', ['CLUSTER', 'KEYSLOT', 'key:0']));
    const other = primaries(ns).find((m) => !m.slots.split(' ').some((r) => {
      const [a, b] = r.split('-').map(Number);
      return Number(owner) >= a && Number(owner) <= (b ?? a);
    }))!;
    expect(await cli(podOf(other.host), ['GET', 'key:0'])).toMatch(new RegExp(`MOVED ${owner} redis-\\d\\.redis-headless\\.cache\\.svc\\.cluster\\.local:6379`));
  });

  test('a primary is killed: its replica is promoted, every key stays readable, the old primary rejoins as a replica', async () => {
    const ns = await nodes('redis-0');
    const victim = primaries(ns).find((m) => podOf(m.host) !== 'redis-0')!;
    const replica = podOf(ns.find((n) => n.master === victim.id)!.host);
    const t0 = Date.now();
    await cluster.pod(podOf(victim.host)).delete(0);
    await waitFor(`${replica} promoted`, 60_000, async () => (await cli(replica, ['ROLE'])).split('\n')[0] === 'master', 100);
    const promoted = (Date.now() - t0) / 1000;
    await waitFor('cluster_state ok on redis-0', 30_000, async () => (await info('redis-0')).cluster_state === 'ok', 100);
    const ok = (Date.now() - t0) / 1000;
    console.log(`primary ${podOf(victim.host)} killed: ${replica} promoted after ${promoted.toFixed(1)} s, cluster ok after ${ok.toFixed(1)} s ` +
      `(cluster-node-timeout ${NODE_TIMEOUT_MS} ms)`);
    expect(promoted).toBeLessThan(30);
    await expectAllKeys('redis-0');

    await cluster.pod(podOf(victim.host)).start();
    await cluster.waitReady(podOf(victim.host), 60_000);
    await waitFor(`${podOf(victim.host)} is a replica again`, 60_000, async () => (await cli(podOf(victim.host), ['ROLE'])).split('\n')[0] === 'slave');
    expect(cluster.pod(podOf(victim.host)).logs('redis')).toContain('rejoining the cluster');
    await waitFor('6 healthy nodes', 30_000, async () => (await nodes('redis-0')).filter((n) => !n.flags.includes('fail')).length === 6);
  });

  test('re-running the create Job changes nothing', async () => {
    const before = (await nodes('redis-0')).map((n) => `${n.id} ${n.master} ${n.slots}`).sort();
    const epoch = (await info('redis-0')).cluster_current_epoch;
    const run = await runJob(jobName, 180_000);
    expect(run.phase).toBe('Succeeded');
    // (The log starts with the script's text: match output lines, which are not indented.)
    expect(run.logs).toMatch(/^nothing to do/m);
    expect(run.logs).not.toMatch(/^creating a cluster/m);
    expect(run.logs).not.toMatch(/^adding /m);
    expect((await nodes('redis-0')).map((n) => `${n.id} ${n.master} ${n.slots}`).sort()).toEqual(before);
    expect((await info('redis-0')).cluster_current_epoch).toBe(epoch);
  });

  test('a replica whose volume is lost comes back as a new node; re-running the Job forgets its old entry and adds it back', async () => {
    const ns = await nodes('redis-0');
    const replica = podOf(ns.find((n) => n.flags.includes('slave') && podOf(n.host) !== 'redis-0')!.host);
    const oldId = ns.find((n) => n.host === fqdn(replica))!.id;
    await cluster.pod(replica).delete(0);
    cluster.deleteClaim(`data-${replica}`);
    await cluster.pod(replica).start();
    await cluster.waitReady(replica, 60_000);
    expect(cluster.pod(replica).logs('redis')).toContain('new node');
    const t0 = Date.now();
    const run = await runJob(jobName, 180_000);
    expect(run.phase).toBe('Succeeded');
    expect(run.logs).toMatch(new RegExp(`^forgetting the stale entry ${oldId}`, 'm'));
    expect(run.logs).toContain(`adding ${fqdn(replica)} as a replica`);
    console.log(`${replica} with a lost volume re-added by the Job in ${Date.now() - t0} ms`);
    const after = await nodes('redis-0');
    expect(after).toHaveLength(6);
    expect(after.some((n) => n.id === oldId)).toBe(false);
    await waitFor(`${replica} synced`, 30_000, async () => /master_link_status:up/.test(await cli(replica, ['INFO', 'replication'])));
    await expectAllKeys(replica);
  });

  test('scaling to 4 shards (a new synth) adds a primary and a replica, and moves slots onto the new primary', async () => {
    // What `kubectl apply` of the new output does: the StatefulSet changes and a new Job appears.
    const next = synth(4);
    objects.splice(objects.findIndex((o) => o.kind === 'StatefulSet' && o.metadata.name === 'redis'), 1, find(next.objects, 'StatefulSet', 'redis'));
    const job = next.redis.createJob!.name;
    expect(job).not.toBe(jobName);
    objects.push(find(next.objects, 'Job', job));
    const t0 = Date.now();
    await cluster.startStatefulSet('redis');
    for (const p of ['redis-6', 'redis-7']) await cluster.waitReady(p, 60_000);
    const run = await runJob(job, 240_000);
    expect(run.phase).toBe('Succeeded');
    expect(run.logs).toContain(`adding ${fqdn('redis-6')} as a primary`);
    expect(run.logs).toContain(`adding ${fqdn('redis-7')} as a replica`);
    expect(run.logs).toContain('rebalancing: 1 primaries own no slots');
    console.log(`scaled 3 → 4 shards in ${Date.now() - t0} ms`);
    const ns = await nodes('redis-0');
    expect(primaries(ns)).toHaveLength(4);
    const six = ns.find((n) => n.host === fqdn('redis-6'))!;
    expect(six.slots).not.toBe('');
    expect(ns.find((n) => n.host === fqdn('redis-7'))!.master).toBe(six.id);
    expect(Number(await cli('redis-6', ['DBSIZE']))).toBeGreaterThan(0);
    await expectAllKeys('redis-7');
  });
});
