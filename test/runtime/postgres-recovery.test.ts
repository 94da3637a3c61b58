/**
 * PostgresCluster in streaming mode, failures during a clone and of the primary's volume: a
 * replica whose clone is killed halfway recovers on its next start, and an empty pod 0 refuses
 * to initialize while a replica still has the data (safety issue, item 6).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { PostgresCluster, ReplicationMode } from '../../src';
import { synthValidated } from '../util/validate';
import { EmulatedCluster, waitFor } from './emulator/cluster';
import { PG_BIN, PSQL, psql } from './pg';
import { describeRuntime } from './runtime-env';

jest.setTimeout(300_000);

const kbOf = (dir: string) => Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]);

describeRuntime('Postgres streaming mode: interrupted clone, empty primary (runtime)', [PSQL, `${PG_BIN}/pg_basebackup`], () => {
  const passwords = { 'superuser-password': 'su-' + process.pid, 'replication-password': 'repl-' + process.pid, 'stock-password': 'app-' + process.pid };
  let cluster: EmulatedCluster;
  const ip = (pod: string) => cluster.pod(pod).ip!;
  const su = (pod: string, sql: string, db = 'postgres') => psql(ip(pod), 'postgres', passwords['superuser-password'], db, sql);
  const pgdata = (pod: string) => path.join(cluster.claimDir(`data-${pod}`), 'pgdata');

  beforeAll(() => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    new PostgresCluster(chart, 'stock', { instances: 2, mode: ReplicationMode.STREAMING, databases: [{ name: 'stock' }] });
    cluster = new EmulatedCluster({ objects: synthValidated(chart), secrets: { 'stock-credentials': passwords } });
  });
  afterAll(async () => { await cluster?.destroy(); });

  test('a clone killed halfway: the next start clones again and streams with every row', async () => {
    await cluster.statefulSetPods('stock')[0].start();
    await cluster.waitReady('stock-0', 150_000);
    // ~150 MB, so that the base backup takes long enough to be interrupted.
    await su('stock-0', "create table t (i int primary key, pad text); insert into t select g, repeat('x', 100) from generate_series(1, 1000000) g", 'stock');
    const pod1 = cluster.statefulSetPods('stock')[1];
    await pod1.start();
    // Kill the pod (SIGTERM, grace, SIGKILL of the init container's processes) while pg_basebackup
    // is writing into $PGDATA.partial.
    const partialKB = await waitFor('the clone writing $PGDATA.partial', 60_000, () => {
      const p = `${pgdata('stock-1')}.partial`;
      if (!fs.existsSync(path.join(p, 'PG_VERSION'))) return undefined;
      const kb = kbOf(p);
      return kb > 1024 ? kb : undefined;
    }, 20);
    await pod1.delete();
    const left = `${pgdata('stock-1')}.partial`;
    expect(fs.existsSync(left)).toBe(true);
    expect(fs.existsSync(pgdata('stock-1'))).toBe(false);
    const leftKB = kbOf(left);
    const totalKB = Number(await su('stock-0', 'select pg_database_size(\'stock\') / 1024', 'stock'));
    console.log(`clone interrupted at ${partialKB} kB (left behind: ${leftKB} kB of a ${totalKB} kB database)`);
    expect(leftKB).toBeLessThan(totalKB);
    // The slot the killed clone created is left over (inactive once its walsender is gone).
    expect(await su('stock-0', "select count(*) from pg_replication_slots where slot_name = 'replica_1'")).toBe('1');

    await su('stock-0', 'insert into t select g, null from generate_series(1000001, 1000500) g', 'stock');
    const t0 = Date.now();
    await pod1.start();
    await cluster.waitReady('stock-1', 180_000);
    const recoverMs = Date.now() - t0;
    console.log(`replica recovered (re-cloned) and Ready in ${recoverMs} ms`);
    expect(fs.existsSync(left)).toBe(false);
    const log = pod1.logs('clone');
    expect(log).toContain('dropped the leftover slot replica_1');
    expect(log.match(/cloned from stock-0\.stock-headless\.shop\.svc\.cluster\.local with slot replica_1/g)?.length).toBe(1);
    await waitFor('replica streams', 60_000, async () => (await su('stock-0', 'select state from pg_stat_replication')) === 'streaming');
    const lsn = await su('stock-0', 'select pg_current_wal_lsn()');
    await waitFor('replica replayed the primary LSN', 60_000, async () =>
      (await su('stock-0', `select pg_wal_lsn_diff('${lsn}', replay_lsn) from pg_stat_replication`)) === '0');
    expect(await su('stock-1', 'select count(*) from t', 'stock')).toBe('1000500');
    expect(await su('stock-1', 'select pg_is_in_recovery()')).toBe('t');
  });

  test('pod 0 with a wiped volume refuses initdb while the replica has the data; the replica still serves it', async () => {
    await cluster.pod('stock-0').delete();
    cluster.deleteClaim('data-stock-0');
    const logStart = cluster.pod('stock-0').logs('clone').length;
    const t0 = Date.now();
    await cluster.pod('stock-0').start();
    // The guard asks every address behind the headless Service (the replica answers pg_isready).
    const refusedMs = await waitFor('pod 0 refuses', 60_000, () =>
      (cluster.pod('stock-0').logs('clone').includes('refusing to initialize an empty primary') ? Date.now() - t0 : undefined));
    console.log(`empty pod 0 refused after ${refusedMs} ms`);
    // Watch it for a while: the init container fails and is retried, pod 0 never becomes Ready, and
    // no database is created on its volume.
    await new Promise((r) => setTimeout(r, 15_000));
    const pod0 = cluster.pod('stock-0');
    expect(pod0.ready).toBe(false);
    expect(pod0.phase).toBe('Pending');
    expect(pod0.restartCount('clone')).toBeGreaterThanOrEqual(1);
    expect(fs.existsSync(path.join(pgdata('stock-0'), 'PG_VERSION'))).toBe(false);
    // This start's output only (the log also holds the command, the script's text).
    const log = pod0.logs('clone').slice(logStart);
    expect(log).toMatch(/refusing to initialize an empty primary: the instance at 10\.244\.\d+\.\d+ \(behind stock-headless\.shop\.svc\.cluster\.local\) runs PostgreSQL with data/);
    expect(log).toContain(ip('stock-1'));
    expect(log).not.toContain('no other instance has data after 60s');
    // The replica: still up, still read-only, still every row.
    expect(await su('stock-1', 'select count(*) from t', 'stock')).toBe('1000500');
    expect(await su('stock-1', 'select pg_is_in_recovery()')).toBe('t');
  });
});
