/**
 * The backup CronJob and the documented restore, run through emulated pods: the CronJob's pod
 * (as synthesized) dumps the running primary, keeps `keep` runs, and a failed run leaves nothing;
 * a dump of cluster A restored into a new cluster B with the commands of docs/postgres.md
 * ("Restore into a new cluster", its `kubectl run restore` pod) leaves B's Secret passwords
 * working (safety issue, item 5).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Size, Testing } from 'cdk8s';
import { PostgresCluster, ReplicationMode } from '../../src';
import { synthValidated } from '../util/validate';
import { EmulatedCluster } from './emulator/cluster';
import { PG_BIN, PSQL, psql } from './pg';
import { describeRuntime } from './runtime-env';

jest.setTimeout(300_000);

const KEEP = 2;
const A = 'billing-db';
const B = 'billing-db-2';
const DOC = fs.readFileSync(path.join(__dirname, '../../docs/postgres.md'), 'utf8').split('### Restore into a new cluster')[1];
const SH_BLOCKS = [...DOC.matchAll(/^( *)```sh\n([\s\S]*?)^\1```/gm)].map((m) => m[2].split('\n').map((l) => l.slice(m[1].length)).join('\n'));

/** The restore pod of the docs' `kubectl run restore … --labels=… --overrides='…'`, running `script`. */
function documentedRestorePod(script: string): any {
  const cmd = SH_BLOCKS.find((b) => b.includes('kubectl -n billing run restore'))!;
  expect(cmd).toBeDefined();
  const overrides = JSON.parse(/--overrides='([^']*)'/.exec(cmd)![1]);
  const labels = Object.fromEntries(/--labels=(\S+)/.exec(cmd)![1].split(',').map((kv) => kv.split('=')));
  const c = overrides.spec.containers[0];
  expect(c.command).toEqual(['bash']);
  // The docs' shell is interactive (stdin, tty); here its bash runs the commands of step 3 itself.
  // Step 3: "PGSSLMODE=prefer instead for a streaming-mode cluster".
  const env = c.env.map((e: any) => (e.name === 'PGSSLMODE' ? { name: 'PGSSLMODE', value: 'prefer' } : e));
  expect(env).not.toEqual(c.env);
  return {
    metadata: { name: 'restore', namespace: 'billing', labels },
    spec: { ...overrides.spec, restartPolicy: 'Never', containers: [{ ...c, env, command: ['bash', '-euo', 'pipefail', '-c', script] }] },
  };
}

/** The restore commands, with `run=` pointing at `run`. */
function documentedRestore(run: string): string {
  const block = SH_BLOCKS.find((t) => t.includes('pg_restore'));
  expect(block).toMatch(/^run=\/backup\/dump-\S+$/m);
  return block!.replace(/^run=.*$/m, `run=${run}`);
}

describeRuntime('Postgres backup CronJob and restore into a new cluster (runtime)', [PSQL, `${PG_BIN}/pg_dump`, `${PG_BIN}/pg_restore`], () => {
  const pw = (c: string) => ({
    'superuser-password': `su-${c}`, 'replication-password': `repl-${c}`, 'orders-password': `orders-${c}`, 'finance-password': `finance-${c}`,
  });
  let cluster: EmulatedCluster;
  let backupDir: string;
  const ip = (pod: string) => cluster.pod(pod).ip!;
  const dumps = () => fs.readdirSync(backupDir).filter((f) => f.startsWith('dump-')).sort();
  const partials = () => fs.readdirSync(backupDir).filter((f) => f.startsWith('.partial-'));

  beforeAll(() => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'billing' });
    for (const name of [A, B]) {
      new PostgresCluster(chart, name, {
        instances: 1,
        mode: ReplicationMode.STREAMING,
        databases: [{ name: 'orders' }, { name: 'ledger', owner: 'finance' }],
        backup: { size: Size.gibibytes(1), keep: KEEP },
      });
    }
    cluster = new EmulatedCluster({
      objects: synthValidated(chart, { externalSecrets: [`${A}-credentials`, `${B}-credentials`] }),
      secrets: { [`${A}-credentials`]: pw('a'), [`${B}-credentials`]: pw('b') },
    });
    backupDir = cluster.claimDir(`${A}-backup`);
  });
  afterAll(async () => { await cluster?.destroy(); });

  test('two clusters bootstrap; A gets rows', async () => {
    const t0 = Date.now();
    await Promise.all([cluster.startStatefulSet(A, 180_000), cluster.startStatefulSet(B, 180_000)]);
    // podManagementPolicy Parallel: the controller does not wait; the test does.
    await Promise.all([cluster.waitReady(`${A}-0`, 180_000), cluster.waitReady(`${B}-0`, 180_000)]);
    console.log(`clusters A and B Ready in ${Date.now() - t0} ms`);
    await psql(ip(`${A}-0`), 'orders', 'orders-a', 'orders', "create table items (id int primary key, name text); insert into items select g, 'item ' || g from generate_series(1, 1000) g");
    await psql(ip(`${A}-0`), 'finance', 'finance-a', 'ledger', 'create table entries (amount numeric); insert into entries values (12.5), (7.25)');
  });

  test(`the CronJob's pod keeps the newest ${KEEP} complete runs`, async () => {
    const seen: string[][] = [];
    for (let i = 1; i <= KEEP + 1; i++) {
      if (i > 1) await new Promise((r) => setTimeout(r, 1100)); // run names have a resolution of 1 s
      const t0 = Date.now();
      const r = await cluster.runJob(`${A}-backup`, 120_000);
      expect(r.logs).toMatch(/wrote \/backup\/dump-\S+/);
      expect(r.phase).toBe('Succeeded');
      console.log(`backup run ${i}: ${Date.now() - t0} ms`);
      seen.push(dumps());
      expect(dumps()).toHaveLength(Math.min(i, KEEP));
      expect(partials()).toEqual([]);
    }
    // The oldest run went; the newest two stayed.
    expect(dumps()).toEqual(seen[2]);
    expect(dumps()).not.toContain(seen[0][0]);
    expect(fs.readdirSync(path.join(backupDir, dumps()[KEEP - 1])).sort()).toEqual(['globals.sql', 'ledger.dump', 'orders.dump', 'postgres.dump']);
  });

  test('a run against a stopped primary fails and leaves no partial dump', async () => {
    const before = dumps();
    await cluster.pod(`${A}-0`).delete();
    const r = await cluster.runJob(`${A}-backup`, 120_000);
    expect(r.phase).toBe('Failed');
    expect(r.exitCodes['pg-dumpall']).not.toBe(0);
    expect(r.logs).toMatch(/pg_dumpall: error: /);
    expect(dumps()).toEqual(before);
    expect(partials()).toEqual([]);
    expect(fs.readdirSync(backupDir).sort()).toEqual(before);
  });

  test('restored into B with the documented commands: B\'s Secret passwords still log in, the rows are there', async () => {
    const run = `/backup/${dumps()[KEEP - 1]}`;
    const t0 = Date.now();
    const pod = cluster.createPod(documentedRestorePod(`echo '--- restore'; ${documentedRestore(run)}`));
    await pod.start();
    const r = await pod.waitCompleted(120_000);
    console.log(`restore into B: ${Date.now() - t0} ms`);
    // The pod's output (the log also holds its command line).
    const log = pod.logs('restore');
    const output = log.slice(log.lastIndexOf('--- restore\n'));
    expect(r.phase === 'Succeeded' ? r.phase : output).toBe('Succeeded');
    // Only the expected complaints: the roles B already has.
    expect(output.split('\n').filter((l) => /error/i.test(l) && !/role ".*" already exists/.test(l))).toEqual([]);
    expect(output).toMatch(/role "orders" already exists/);
    await pod.delete(0);

    const b0 = ip(`${B}-0`);
    for (const [user, key, db] of [['postgres', 'superuser-password', 'postgres'], ['replicator', 'replication-password', 'postgres'],
      ['orders', 'orders-password', 'orders'], ['finance', 'finance-password', 'ledger']] as const) {
      expect(await psql(b0, user, pw('b')[key], db, 'select current_user')).toBe(user);
      await expect(psql(b0, user, pw('a')[key], db, 'select 1')).rejects.toThrow(/password authentication failed/);
    }
    expect(await psql(b0, 'orders', 'orders-b', 'orders', 'select count(*), max(name) from items')).toBe('1000|item 999');
    expect(await psql(b0, 'finance', 'finance-b', 'ledger', 'select sum(amount) from entries')).toBe('19.75');
    expect(await psql(b0, 'postgres', 'su-b', 'postgres', "select rolreplication from pg_roles where rolname = 'replicator'")).toBe('t');
  });
});
