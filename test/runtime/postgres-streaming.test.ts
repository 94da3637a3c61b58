/**
 * PostgresCluster in streaming mode, run from its synthesized manifest with Debian's PostgreSQL
 * 15 binaries (the image's entrypoint emulated, see images/postgres-entrypoint.sh): the primary
 * bootstraps roles and databases, every Secret password logs in over TCP, a replica clones and
 * streams, rejects writes, and re-clones after its volume is lost.
 */
import { execFile } from 'child_process';
import { Chart, Testing } from 'cdk8s';
import { PostgresCluster, ReplicationMode } from '../../src';
import { synthValidated } from '../util/validate';
import { EmulatedCluster, waitFor } from './emulator/cluster';
import { describeRuntime } from './runtime-env';

jest.setTimeout(300_000);

const PSQL = '/usr/lib/postgresql/15/bin/psql';

function psql(host: string, user: string, password: string, db: string, sql: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(PSQL, ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-h', host, '-U', user, '-d', db, '-c', sql],
      { timeout: 30_000, killSignal: 'SIGKILL', env: { PGPASSWORD: password, PGCONNECT_TIMEOUT: '5', PATH: '/usr/bin:/bin' } },
      (err, stdout, stderr) => (err ? reject(new Error(`psql ${user}@${host}/${db}: ${stderr || err.message}`)) : resolve(stdout.trim())));
  });
}

describeRuntime('Postgres streaming mode (runtime)', [PSQL, '/usr/lib/postgresql/15/bin/pg_basebackup'], () => {
  const secretName = 'orders-credentials';
  const passwords = { 'superuser-password': 'su-' + process.pid, 'replication-password': 'repl-' + process.pid, 'orders-password': 'app-' + process.pid };
  let cluster: EmulatedCluster;
  const ip = (pod: string) => cluster.pod(pod).ip!;
  const su = (pod: string, sql: string, db = 'postgres') => psql(ip(pod), 'postgres', passwords['superuser-password'], db, sql);

  beforeAll(() => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'db' });
    new PostgresCluster(chart, 'orders', { instances: 2, mode: ReplicationMode.STREAMING, databases: [{ name: 'orders', owner: 'orders' }] });
    const objects = synthValidated(chart);
    // The GeneratedSecret Job creates this Secret in a cluster; the test provides it.
    cluster = new EmulatedCluster({ objects, secrets: { [secretName]: passwords } });
  });
  afterAll(async () => { await cluster?.destroy(); });

  test('the primary bootstraps the declared roles and database; every Secret password logs in over TCP', async () => {
    const t0 = Date.now();
    await cluster.statefulSetPods('orders')[0].start();
    await cluster.waitReady('orders-0', 120_000);
    console.log(`primary Ready in ${Date.now() - t0} ms`);
    expect(await su('orders-0', 'select 1')).toBe('1');
    expect(await psql(ip('orders-0'), 'orders', passwords['orders-password'], 'orders', 'select current_user')).toBe('orders');
    expect(await su('orders-0', "select datdba::regrole from pg_database where datname = 'orders'")).toBe('orders');
    expect(await su('orders-0', "select rolreplication from pg_roles where rolname = 'replicator'")).toBe('t');
    await expect(psql(ip('orders-0'), 'orders', 'wrong', 'orders', 'select 1')).rejects.toThrow(/password authentication failed/);
  });

  test('the replica clones, streams (lag 0 bytes after 1,000 inserts) and rejects writes', async () => {
    const t0 = Date.now();
    await cluster.startStatefulSet('orders', 180_000);
    await cluster.waitReady('orders-1', 180_000);
    console.log(`replica cloned and Ready in ${Date.now() - t0} ms`);
    expect(cluster.pod('orders-1').logs('clone')).toContain('cloned from orders-0.orders-headless.db.svc.cluster.local with slot replica_1');
    await psql(ip('orders-0'), 'orders', passwords['orders-password'], 'orders', 'create table t (i int primary key); insert into t select generate_series(1, 1000)');
    const lsn = await su('orders-0', 'select pg_current_wal_lsn()');
    const lag = await waitFor('replica replayed the primary LSN', 60_000, async () => {
      const l = await su('orders-0', `select pg_wal_lsn_diff('${lsn}', replay_lsn) from pg_stat_replication`);
      return l === '0' ? 'zero' : undefined;
    });
    expect(lag).toBe('zero');
    expect(await su('orders-0', 'select count(*) from pg_stat_replication')).toBe('1');
    expect(await su('orders-0', 'select state, slot_name from pg_stat_replication join pg_replication_slots on active_pid = pid')).toBe('streaming|replica_1');
    expect(await su('orders-1', 'select count(*) from t', 'orders')).toBe('1000');
    expect(await su('orders-1', 'select pg_is_in_recovery()')).toBe('t');
    await expect(psql(ip('orders-1'), 'orders', passwords['orders-password'], 'orders', 'insert into t values (1001)'))
      .rejects.toThrow(/read-only transaction/);
  });

  test('a replica whose volume is lost clones again', async () => {
    await cluster.pod('orders-1').delete();
    cluster.deleteClaim('data-orders-1');
    await su('orders-0', 'insert into t select generate_series(1001, 1500)', 'orders');
    const t0 = Date.now();
    await cluster.pod('orders-1').start();
    await cluster.waitReady('orders-1', 180_000);
    console.log(`replica re-cloned and Ready in ${Date.now() - t0} ms`);
    await waitFor('replica has 1500 rows', 60_000, async () => (await su('orders-1', 'select count(*) from t', 'orders')) === '1500');
    expect(cluster.pod('orders-1').logs('clone').match(/cloned from orders-0\.orders-headless/g)?.length).toBe(2);
  });
});
