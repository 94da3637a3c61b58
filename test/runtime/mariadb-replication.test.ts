/**
 * MariaDBCluster run from its synthesized manifest with Debian's MariaDB 10.11 (mariadbd,
 * mariadb-backup, socat). Our own scripts run as they are (assets/mariadb-start.sh,
 * mariadb-clone.sh, mariadb-sidecar.sh); only the image's docker-entrypoint.sh is emulated
 * (images/mariadb-entrypoint.sh: initialization of an empty primary from the *_FILE variables).
 * The primary bootstraps the generated users, replicas clone it over the network and replicate
 * by GTID, reject writes, a replica whose volume is lost clones again and catches up, and a primary
 * whose volume is lost refuses to start empty while the replicas hold the data.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { MariaDBCluster } from '../../src';
import { synthValidated } from '../util/validate';
import { EmulatedCluster, waitFor } from './emulator/cluster';
import { describeRuntime } from './runtime-env';

jest.setTimeout(600_000);

const CLIENT = '/usr/bin/mariadb';

function sql(host: string, user: string, password: string, query: string, db = '', names = false): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(CLIENT, ['--no-defaults', '--protocol=tcp', '-h', host, '-u', user, '--connect-timeout=5', ...(names ? [] : ['-N']), '-B', ...(db ? ['-D', db] : []), '-e', query],
      { timeout: 60_000, killSignal: 'SIGKILL', env: { MYSQL_PWD: password, PATH: '/usr/bin:/bin' } },
      (err, stdout, stderr) => (err ? reject(new Error(`mariadb ${user}@${host}: ${stderr || err.message}`)) : resolve(stdout.trim())));
  });
}

describeRuntime('MariaDBCluster replication (runtime)', [CLIENT, '/usr/sbin/mariadbd', '/usr/bin/mariadb-backup', '/usr/bin/mbstream', '/usr/bin/socat'], () => {
  const passwords = { 'root-password': 'root-' + process.pid, 'replication-password': 'repl-' + process.pid, 'user-password': 'app-' + process.pid };
  let cluster: EmulatedCluster;
  const ip = (pod: string) => cluster.pod(pod).ip!;
  const root = (pod: string, q: string, db = '') => sql(ip(pod), 'root', passwords['root-password'], q, db);
  const app = (pod: string, q: string) => sql(ip(pod), 'shop', passwords['user-password'], q, 'orders');
  const slave = async (pod: string) => {
    const out = await sql(ip(pod), 'root', passwords['root-password'], 'SHOW SLAVE STATUS\\G', '', true);
    const row: Record<string, string> = {};
    for (const line of out.split('\n')) {
      const m = /^\s*(\w+):\s?(.*)$/.exec(line);
      if (m) row[m[1]] = m[2];
    }
    return row;
  };

  beforeAll(() => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    new MariaDBCluster(chart, 'db', { database: 'orders', user: 'shop' });
    const objects = synthValidated(chart);
    // The GeneratedSecret Job creates this Secret in a cluster; the test provides it.
    cluster = new EmulatedCluster({ objects, secrets: { 'db-credentials': passwords } });
  });
  afterAll(async () => { await cluster?.destroy(); });

  test('the primary bootstraps root, the app user on its database and the replication user from the Secret', async () => {
    const t0 = Date.now();
    await cluster.statefulSetPods('db')[0].start();
    await cluster.waitReady('db-0', 180_000);
    console.log(`primary Ready in ${Date.now() - t0} ms`);
    expect(await root('db-0', 'SELECT @@server_id, @@read_only, @@log_bin, @@gtid_strict_mode, @@binlog_format')).toBe('100\t0\t1\t1\tROW');
    expect(await app('db-0', 'SELECT CURRENT_USER()')).toBe('shop@%');
    expect(await root('db-0', "SHOW GRANTS FOR 'replicator'@'%'")).toMatch(/GRANT REPLICATION SLAVE ON \*\.\*/);
    await expect(sql(ip('db-0'), 'shop', 'wrong', 'SELECT 1')).rejects.toThrow(/Access denied/);
    expect(cluster.pod('db-0').logs('clone')).toContain('ordinal 0 is the primary: no other server has data after 60s');
  });

  test('replicas clone over the network, replicate by GTID (lag 0, equal GTID and counts after 1,000 inserts) and reject writes', async () => {
    await app('db-0', 'CREATE TABLE t (i INT PRIMARY KEY); INSERT INTO t VALUES (0)');
    const t0 = Date.now();
    await cluster.startStatefulSet('db', 300_000);
    for (const r of ['db-1', 'db-2']) await cluster.waitReady(r, 300_000);
    console.log(`2 replicas cloned and Ready in ${Date.now() - t0} ms`);
    for (const r of ['db-1', 'db-2']) {
      expect(cluster.pod(r).logs('clone')).toMatch(/cloned from db-0\.db-headless\.shop\.svc\.cluster\.local at GTID position '0-100-\d+'/);
      await waitFor(`${r} replicating`, 60_000, async () => (await slave(r)).Slave_SQL_Running === 'Yes' || undefined);
    }
    const values = Array.from({ length: 1000 }, (_, i) => `(${i + 1})`).join(',');
    await app('db-0', `INSERT INTO t VALUES ${values}`);
    const gtid = await root('db-0', 'SELECT @@gtid_binlog_pos');
    for (const r of ['db-1', 'db-2']) {
      await waitFor(`${r} at the primary's GTID ${gtid}`, 60_000, async () => (await root(r, 'SELECT @@gtid_slave_pos')) === gtid || undefined);
      const s = await slave(r);
      expect([s.Slave_IO_Running, s.Slave_SQL_Running, s.Using_Gtid, s.Seconds_Behind_Master, s.Master_Host])
        .toEqual(['Yes', 'Yes', 'Slave_Pos', '0', 'db-0.db-headless.shop.svc.cluster.local']);
      expect(await root(r, 'SELECT COUNT(*) FROM t', 'orders')).toBe('1001');
      expect(await root(r, 'SELECT @@server_id, @@read_only')).toBe(`${100 + Number(r.slice(-1))}\t1`);
      await expect(app(r, 'INSERT INTO t VALUES (5000)')).rejects.toThrow(/read-only/);
    }
    expect(await root('db-0', 'SELECT COUNT(*) FROM t', 'orders')).toBe('1001');
    expect(cluster.pod('db-0').logs('backup')).toContain('streaming a backup to a clone');
    // Readiness (assets/mariadb-ready.sh): a replica whose SQL thread stopped leaves the Services, and comes back.
    await root('db-1', 'STOP SLAVE SQL_THREAD');
    await waitFor('db-1 not Ready with its SQL thread stopped', 60_000, () => !cluster.pod('db-1').ready || undefined);
    await root('db-1', 'START SLAVE SQL_THREAD');
    await cluster.waitReady('db-1', 60_000);
    for (const pod of ['db-0', 'db-1', 'db-2']) expect([cluster.pod(pod).restartCount('mariadb'), cluster.pod(pod).restartCount('backup')]).toEqual([0, 0]);
  });

  test('a replica whose volume is lost clones again by itself and catches up', async () => {
    await cluster.pod('db-2').delete();
    cluster.deleteClaim('data-db-2');
    await app('db-0', 'INSERT INTO t SELECT i + 2000 FROM t');
    const t0 = Date.now();
    await cluster.pod('db-2').start();
    await cluster.waitReady('db-2', 300_000);
    console.log(`replica re-cloned and Ready in ${Date.now() - t0} ms`);
    await app('db-0', 'INSERT INTO t VALUES (9999)');
    const gtid = await root('db-0', 'SELECT @@gtid_binlog_pos');
    await waitFor('db-2 caught up', 60_000, async () => (await root('db-2', 'SELECT @@gtid_slave_pos')) === gtid || undefined);
    expect(await root('db-2', 'SELECT COUNT(*) FROM t', 'orders')).toBe('2003');
    expect(cluster.pod('db-2').logs('clone').match(/cloned from db-0\.db-headless/g)?.length).toBe(2);
  });

  test('a primary whose volume is lost refuses to initialize an empty database while the replicas hold the data', async () => {
    await cluster.pod('db-0').delete();
    cluster.deleteClaim('data-db-0');
    await cluster.pod('db-0').start();
    await waitFor('db-0 refuses', 60_000, () => /refusing to initialize an empty primary: the server at [\d.]+ \(behind db-headless\.shop\.svc\.cluster\.local\) runs with a database/
      .test(cluster.pod('db-0').logs('clone')) || undefined);
    expect(cluster.pod('db-0').ready).toBe(false);
    // The replicas' IO threads only reconnect: they stay Ready (3 probe periods later) and keep serving reads.
    await new Promise((r) => setTimeout(r, 35_000));
    expect(['db-1', 'db-2'].map((r) => cluster.pod(r).ready)).toEqual([true, true]);
    expect(await root('db-1', 'SELECT COUNT(*) FROM t', 'orders')).toBe('2003');
    await cluster.pod('db-0').delete();
  });

  test("docs/mariadb.md's promotion: the most advanced replica's volume becomes pod 0's; the others follow it", async () => {
    // Step 1-2: the replicas are equal; db-1 stops being a replica.
    expect(await root('db-1', 'SELECT @@gtid_slave_pos')).toBe(await root('db-2', 'SELECT @@gtid_slave_pos'));
    await root('db-1', 'STOP SLAVE; RESET SLAVE ALL');
    // Step 3: every server stopped, db-1's volume bound to db-0's claim name (the PV claimRef edit).
    await cluster.stopStatefulSet('db');
    cluster.deleteClaim('data-db-0');
    fs.renameSync(path.join(cluster.workdir, 'claims', 'data-db-1'), path.join(cluster.workdir, 'claims', 'data-db-0'));
    // Step 4: start again.
    const t0 = Date.now();
    await cluster.startStatefulSet('db', 300_000);
    for (const pod of ['db-0', 'db-1', 'db-2']) await cluster.waitReady(pod, 300_000);
    console.log(`promoted primary and 2 replicas Ready in ${Date.now() - t0} ms`);
    expect(await root('db-0', 'SELECT @@server_id, @@read_only')).toBe('100\t0');
    expect(await root('db-0', 'SELECT COUNT(*) FROM t', 'orders')).toBe('2003');
    await app('db-0', 'INSERT INTO t VALUES (10000)');
    const gtid = await root('db-0', 'SELECT @@gtid_binlog_pos');
    for (const r of ['db-1', 'db-2']) {
      await waitFor(`${r} follows the promoted primary`, 60_000, async () => (await root(r, 'SELECT @@gtid_slave_pos')) === gtid || undefined);
      expect(await root(r, 'SELECT COUNT(*) FROM t', 'orders')).toBe('2004');
    }
    // db-1 had an empty claim: it cloned the promoted primary; db-2 resumed by GTID without cloning.
    expect(cluster.pod('db-1').logs('clone')).toContain('cloned from db-0.db-headless');
    expect(cluster.pod('db-2').logs('clone')).toMatch(/holds a database: starting as it is\s*$/);
  });
});

