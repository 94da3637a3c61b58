/**
 * RedisCluster in Sentinel mode, run from its synthesized manifest with Debian's redis-server and
 * redis-sentinel (7.0, mapped from the official image): the pods form a primary, two replicas and
 * three Sentinels; writes replicate; Sentinel fails over when the primary is killed, without losing
 * a write acknowledged by `WAIT 1`; a replica whose volume was deleted resyncs.
 */
import { execFile } from 'child_process';
import { Chart, Duration, Testing } from 'cdk8s';
import { RedisCluster } from '../../src';
import { synthValidated } from '../util/validate';
import { EmulatedCluster, waitFor } from './emulator/cluster';
import { describeRuntime } from './runtime-env';

jest.setTimeout(180_000);

const PASSWORD = 'runtime-test-password';
const DOWN_AFTER_MS = 3000;
const PODS = ['redis-0', 'redis-1', 'redis-2'];

function redisCli(ip: string, port: number, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('/usr/bin/redis-cli', ['--no-auth-warning', '-h', ip, '-p', `${port}`, ...args],
      { timeout: 15_000, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, env: { REDISCLI_AUTH: PASSWORD, PATH: '/usr/bin:/bin' } },
      (err, stdout, stderr) => (err ? reject(new Error(`redis-cli ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout.trim())));
    // redis-cli reads stdin only without command arguments; it may exit before we finish writing.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}

describeRuntime('RedisCluster Sentinel mode (runtime)', ['/usr/bin/redis-server', '/usr/bin/redis-cli', '/usr/bin/python3'], () => {
  let cluster: EmulatedCluster;
  let fqdn: (pod: string) => string;
  const ip = (pod: string) => cluster.pod(pod).ip!;
  const cli = (pod: string, args: string[], input?: string) => redisCli(ip(pod), 6379, args, input);
  const sentinel = (pod: string, args: string[]) => redisCli(ip(pod), 26379, args);
  const role = async (pod: string) => (await cli(pod, ['ROLE']).catch(() => '')).split('\n')[0];
  const podOf = (host: string) => PODS.find((p) => host === fqdn(p));
  const masterSeenBy = async (pod: string) => podOf((await sentinel(pod, ['SENTINEL', 'get-master-addr-by-name', 'mymaster']).catch(() => '')).split('\n')[0]);
  const dbsize = async (pod: string) => Number(await cli(pod, ['DBSIZE']));

  beforeAll(() => {
    const chart = new Chart(Testing.app(), 'redis', { namespace: 'cache' });
    const redis = new RedisCluster(chart, 'redis', { downAfter: Duration.millis(DOWN_AFTER_MS), failoverTimeout: Duration.seconds(10) });
    fqdn = (pod) => `${pod}.${redis.workload.headlessService.name}.cache.svc.cluster.local`;
    cluster = new EmulatedCluster({ objects: synthValidated(chart), secrets: { [redis.secretName]: { password: PASSWORD } } });
  });
  afterAll(async () => { await cluster?.destroy(); });

  test('3 pods form a primary with 2 replicas, watched by 3 Sentinels that agree', async () => {
    const t0 = Date.now();
    await cluster.startStatefulSet('redis');
    for (const p of PODS) await cluster.waitReady(p, 60_000);
    expect(await role('redis-0')).toBe('master');
    await waitFor('2 replicas connected', 30_000, async () => /connected_slaves:2/.test(await cli('redis-0', ['INFO', 'replication'])));
    for (const p of PODS) {
      expect(await masterSeenBy(p)).toBe('redis-0');
      // Each Sentinel found the other two and both replicas, by their DNS names.
      await waitFor(`${p} sees 2 Sentinels and 2 replicas`, 30_000, async () => {
        const master = await sentinel(p, ['SENTINEL', 'master', 'mymaster']);
        return /num-other-sentinels\n2\b/.test(master) && /num-slaves\n2\b/.test(master);
      });
    }
    expect(await sentinel('redis-1', ['SENTINEL', 'replicas', 'mymaster'])).toContain(fqdn('redis-2'));
    console.log(`Redis + Sentinel formed in ${Date.now() - t0} ms`);
  });

  test('1,000 writes replicate to both replicas (WAIT 2)', async () => {
    const cmds = Array.from({ length: 1000 }, (_, i) => `SET k:${i} v${i}`).join('\n');
    await cli('redis-0', [], `${cmds}\n`);
    expect(await cli('redis-0', ['WAIT', '2', '5000'])).toBe('2');
    expect(await dbsize('redis-1')).toBe(1000);
    expect(await cli('redis-2', ['GET', 'k:999'])).toBe('v999');
    expect(await cli('redis-1', ['SET', 'x', '1']).catch((e) => String(e))).toMatch(/READONLY/);
  });

  test('Sentinel promotes a replica when the primary is killed; no write acknowledged by WAIT 1 is lost', async () => {
    const acked: string[] = [];
    for (let i = 0; i < 200; i++) {
      await cli('redis-0', ['SET', `ack:${i}`, `${i}`]);
      if (Number(await cli('redis-0', ['WAIT', '1', '1000'])) >= 1) acked.push(`ack:${i}`);
    }
    expect(acked.length).toBe(200);
    const t0 = Date.now();
    await cluster.pod('redis-0').delete(0);
    const promoted: string = await waitFor<string | undefined>('a replica promoted', 30_000, async () => {
      const m = await masterSeenBy('redis-1');
      return m && m !== 'redis-0' && (await role(m)) === 'master' ? m : undefined;
    }, 200) as string;
    const seconds = (Date.now() - t0) / 1000;
    console.log(`new primary ${promoted} after ${seconds.toFixed(1)} s (down-after ${DOWN_AFTER_MS} ms)`);
    expect(seconds).toBeLessThan(30);
    const values = (await cli(promoted, ['MGET', ...acked])).split('\n');
    expect(values.filter((v) => v === '').length).toBe(0);
    expect(values).toHaveLength(200);
    expect(await dbsize(promoted)).toBe(1200);
    // The new primary takes writes; the other replica follows it.
    await cli(promoted, ['SET', 'after-failover', 'yes']);
    const other = PODS.find((p) => p !== 'redis-0' && p !== promoted)!;
    await waitFor(`${other} follows ${promoted}`, 30_000, async () => (await cli(other, ['GET', 'after-failover'])) === 'yes');

    // The old primary comes back as a replica of the new one, with every key.
    await cluster.pod('redis-0').start();
    await cluster.waitReady('redis-0', 60_000);
    await waitFor('redis-0 is a replica with every key', 30_000, async () => (await role('redis-0')) === 'slave' && (await dbsize('redis-0')) === 1201);
    expect(cluster.pod('redis-0').logs('redis')).toContain(`starting as a replica of ${fqdn(promoted)}`);
  });

  test('a replica whose volume is lost resyncs from the primary', async () => {
    const primary = await masterSeenBy('redis-0');
    const replica = PODS.find((p) => p !== primary)!;
    await cluster.pod(replica).delete();
    cluster.deleteClaim(`data-${replica}`);
    const t0 = Date.now();
    await cluster.pod(replica).start();
    await cluster.waitReady(replica, 60_000);
    await waitFor(`${replica} resynced`, 30_000, async () =>
      /master_link_status:up/.test(await cli(replica, ['INFO', 'replication'])) && (await dbsize(replica)) === 1201);
    expect(await cli(replica, ['GET', 'ack:199'])).toBe('199');
    console.log(`replica with a lost volume resynced in ${Date.now() - t0} ms`);
  });
});
