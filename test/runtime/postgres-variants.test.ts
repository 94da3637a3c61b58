/**
 * Streaming-mode variants from their synthesized manifests: WAL on a volume of its own
 * (`storage.walSize`) and synchronous replication (`synchronous: true`). Both clusters run at once.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Size, Testing } from 'cdk8s';
import { PostgresCluster, ReplicationMode } from '../../src';
import { synthValidated } from '../util/validate';
import { EmulatedCluster, waitFor } from './emulator/cluster';
import { PG_BIN, PSQL, psql, psqlTimed } from './pg';
import { describeRuntime } from './runtime-env';

jest.setTimeout(300_000);

describeRuntime('Postgres streaming mode: WAL volume and synchronous variants (runtime)', [PSQL, `${PG_BIN}/pg_basebackup`], () => {
  const pw = (c: string) => ({ 'superuser-password': `su-${c}-${process.pid}`, 'replication-password': `repl-${c}-${process.pid}`, 'app-password': `app-${c}` });
  let cluster: EmulatedCluster;
  const ip = (pod: string) => cluster.pod(pod).ip!;
  const su = (pod: string, sql: string, db = 'postgres') => psql(ip(pod), 'postgres', pw(pod.replace(/-\d+$/, ''))['superuser-password'], db, sql);

  async function lagZeroAfterInserts(name: string): Promise<void> {
    await su(`${name}-0`, 'create table t (i int primary key); insert into t select generate_series(1, 1000)', 'app');
    const lsn = await su(`${name}-0`, 'select pg_current_wal_lsn()');
    await waitFor(`${name}: replica replayed ${lsn}`, 60_000, async () =>
      (await su(`${name}-0`, `select pg_wal_lsn_diff('${lsn}', replay_lsn) from pg_stat_replication`)) === '0');
    expect(await su(`${name}-1`, 'select count(*) from t', 'app')).toBe('1000');
  }

  beforeAll(() => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'db' });
    new PostgresCluster(chart, 'walvol', {
      instances: 2,
      mode: ReplicationMode.STREAMING,
      databases: [{ name: 'app' }],
      storage: { size: Size.gibibytes(10), walSize: Size.gibibytes(2) },
    });
    new PostgresCluster(chart, 'sync', { instances: 2, mode: ReplicationMode.STREAMING, databases: [{ name: 'app' }], synchronous: true });
    cluster = new EmulatedCluster({ objects: synthValidated(chart), secrets: { 'walvol-credentials': pw('walvol'), 'sync-credentials': pw('sync') } });
  });
  afterAll(async () => { await cluster?.destroy(); });

  test('both bootstrap and clone', async () => {
    const t0 = Date.now();
    await Promise.all([cluster.startStatefulSet('walvol', 180_000), cluster.startStatefulSet('sync', 180_000)]);
    await Promise.all(['walvol-0', 'walvol-1', 'sync-0', 'sync-1'].map((p) => cluster.waitReady(p, 180_000)));
    console.log(`two 2-instance clusters Ready in ${Date.now() - t0} ms`);
  });

  test('walSize: pg_wal lives on the WAL volume, on the primary and the cloned replica; lag 0 after 1,000 inserts', async () => {
    for (const pod of ['walvol-0', 'walvol-1']) {
      const link = path.join(cluster.claimDir(`data-${pod}`), 'pgdata', 'pg_wal');
      expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
      expect(fs.readlinkSync(link)).toBe('/var/lib/postgresql/wal/pg_wal');
      const segments = fs.readdirSync(path.join(cluster.claimDir(`wal-${pod}`), 'pg_wal')).filter((f) => /^[0-9A-F]{24}$/.test(f));
      expect(segments.length).toBeGreaterThan(0);
    }
    await lagZeroAfterInserts('walvol');
    // The segments the primary writes now land on the WAL claim.
    const current = await su('walvol-0', 'select pg_walfile_name(pg_current_wal_lsn())');
    expect(fs.existsSync(path.join(cluster.claimDir('wal-walvol-0'), 'pg_wal', current))).toBe(true);
    expect(await su('walvol-1', 'select pg_is_in_recovery()')).toBe('t');
  });

  test('synchronous: a commit waits for the standby; with it gone, a commit blocks until cancelled', async () => {
    expect(await su('sync-0', 'show synchronous_standby_names')).toBe('ANY 1 (*)');
    // 'ANY 1 (*)' is quorum-based: pg_stat_replication calls the standby 'quorum' (priority-based lists say 'sync').
    expect(await su('sync-0', 'select application_name, state, sync_state from pg_stat_replication')).toMatch(/^\S*\|streaming\|quorum$/);
    await lagZeroAfterInserts('sync');
    const fast = await psqlTimed(ip('sync-0'), 'postgres', pw('sync')['superuser-password'], 'app', 'insert into t values (1001)');
    expect(fast.err).toBe('');

    await cluster.pod('sync-1').delete();
    // statement_timeout does not cover the commit's wait (it is disabled before the commit): the
    // session waits in SyncRep until it is cancelled, as a client's cancel would.
    const pending = psqlTimed(ip('sync-0'), 'postgres', pw('sync')['superuser-password'], 'app', 'insert into t values (1002)');
    await new Promise((r) => setTimeout(r, 3000));
    expect(await su('sync-0', "select count(*) from pg_stat_activity where wait_event = 'SyncRep'")).toBe('1');
    expect(await su('sync-0', "select pg_cancel_backend(pid) from pg_stat_activity where wait_event = 'SyncRep'")).toBe('t');
    const blocked = await pending;
    console.log(`commit with the standby: ${fast.ms} ms; without it: waited in SyncRep for ${blocked.ms} ms until cancelled`);
    expect(blocked.ms).toBeGreaterThanOrEqual(3000);
    expect(blocked.err).toContain('canceling wait for synchronous replication due to user request');
    expect(blocked.err).toContain('The transaction has already committed locally, but might not have been replicated to the standby.');

    // The standby comes back, catches up and commits stop waiting.
    await cluster.pod('sync-1').start();
    await cluster.waitReady('sync-1', 120_000);
    await waitFor('standby streams again', 60_000, async () => (await su('sync-0', 'select sync_state from pg_stat_replication')) === 'quorum');
    const again = await psqlTimed(ip('sync-0'), 'postgres', pw('sync')['superuser-password'], 'app', 'insert into t values (1003)');
    expect(again.err).toBe('');
    expect(again.ms).toBeLessThan(3000);
    await waitFor('standby has every row', 30_000, async () => (await su('sync-1', 'select count(*) from t', 'app')) === '1003');
  });
});
