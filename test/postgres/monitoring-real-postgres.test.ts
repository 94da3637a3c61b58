// Postgres monitoring against a real PostgreSQL (Debian postgresql-15): the bootstrap creates the
// exporter's role in pg_monitor, and every custom query of assets/exporter-queries.yaml runs as
// that role and returns the columns its metrics declare.
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import { Monitoring } from '../../src/core/kit/monitoring';
import { PostgresCluster } from '../../src/postgres';
import { find, synthValidated } from '../util/validate';

const BIN = fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)).map((v) => `/usr/lib/postgresql/${v}/bin`)[0];
const ROOT = process.getuid?.() === 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-monitoring-'));
const sock = path.join(dir, 'sock');
const data = path.join(dir, 'data');

function asServer(cmd: string, args: string[]): SpawnSyncReturns<string> {
  const full = ROOT ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--clear-groups', '--', cmd, ...args]] as const : [cmd, args] as const;
  return spawnSync(full[0], [...full[1]], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, LC_ALL: 'C' } });
}

function sql(query: string, user = 'postgres'): string {
  const r = spawnSync(`${BIN}/psql`, ['-X', '-At', '-F', '|', '-h', sock, '-U', user, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', query],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

let files: { [file: string]: string };

beforeAll(() => {
  const c = new Chart(new App(), 'test', { namespace: 'db' });
  const cluster = new PostgresCluster(c, 'orders-db', { monitoring: Monitoring.prometheus() });
  const objs = synthValidated(c, { externalSecrets: [cluster.secretName] });
  files = { ...find(objs, 'ConfigMap', 'orders-db-bootstrap').data, ...find(objs, 'ConfigMap', 'orders-db-exporter').data };

  fs.chmodSync(dir, 0o755);
  fs.mkdirSync(sock, { mode: 0o777 });
  fs.chmodSync(sock, 0o777);
  fs.mkdirSync(data, { mode: 0o700 });
  if (ROOT) spawnSync('chown', ['postgres:postgres', data, sock]);
  const creds = path.join(dir, 'creds');
  fs.mkdirSync(creds);
  for (const [k, v] of Object.entries({ 'app-password': 'app-pw', 'metrics-password': 'metrics-pw' })) fs.writeFileSync(path.join(creds, k), v);
  const etc = path.join(dir, 'etc');
  fs.mkdirSync(etc);
  for (const [n, text] of Object.entries(files)) fs.writeFileSync(path.join(etc, n), text.split('/etc/postgres-credentials').join(creds), { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'post_init.sh'), '#!/bin/bash\nexit 0\n', { mode: 0o755 });

  expect(asServer(`${BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']).status).toBe(0);
  const start = asServer(`${BIN}/pg_ctl`, ['-D', data, '-w', '-l', path.join(data, 'log'),
    '-o', `-k ${sock} -c listen_addresses= -c fsync=off -c password_encryption=md5 -c wal_level=replica`, 'start']);
  expect(start.status).toBe(0);
  // Patroni's post_init with the connection URL it passes (assets/patroni-post-init.sh).
  const r = spawnSync(path.join(etc, 'post-init.sh'), [`postgresql://postgres@/postgres?host=${encodeURIComponent(sock)}`], {
    encoding: 'utf8', env: { PATH: `${BIN}:${process.env.PATH}`, HOME: dir, SPILO_POST_INIT: path.join(dir, 'post_init.sh') },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}, 60_000);

afterAll(() => {
  asServer(`${BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', 'stop']);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the bootstrap creates metrics_exporter: a login in pg_monitor only, with the Secret\'s password', () => {
  expect(sql("SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolpassword = 'md5' || md5('metrics-pw' || rolname) "
    + "FROM pg_authid WHERE rolname = 'metrics_exporter'")).toBe('t|f|f|f|f|t');
  expect(sql("SELECT string_agg(b.rolname, ',') FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid "
    + "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = 'metrics_exporter'")).toBe('pg_monitor');
  // Least privilege: it cannot read application data.
  sql('CREATE TABLE secrets (x int)');
  const denied = spawnSync(`${BIN}/psql`, ['-X', '-At', '-h', sock, '-U', 'metrics_exporter', '-d', 'postgres', '-c', 'SELECT * FROM secrets'], { encoding: 'utf8' });
  expect(denied.stderr).toContain('permission denied');
});

test('every custom query of exporter-queries.yaml runs as metrics_exporter and returns the declared columns', () => {
  // A slot that retains WAL, and some WAL after it.
  sql("SELECT pg_create_physical_replication_slot('standby_1', true)");
  sql('CREATE TABLE filler AS SELECT g FROM generate_series(1, 20000) g');
  const queries = parse(files['queries.yaml']) as { [name: string]: { query: string; metrics: Array<{ [column: string]: { usage: string } }> } };
  expect(Object.keys(queries)).toEqual(['pg_replica', 'pg_slot', 'pg_database_xid', 'pg_stat_archiver']);
  for (const [name, q] of Object.entries(queries)) {
    const declared = q.metrics.map((m) => Object.keys(m)[0]);
    const header = spawnSync(`${BIN}/psql`, ['-X', '-A', '-F', '|', '-h', sock, '-U', 'metrics_exporter', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', q.query], { encoding: 'utf8' });
    expect(header.stderr).toBe('');
    expect(header.stdout.split('\n')[0].split('|')).toEqual(declared);
    expect(q.metrics.every((m) => ['LABEL', 'GAUGE', 'COUNTER'].includes(Object.values(m)[0].usage))).toBe(true);
    expect(name).toMatch(/^pg_[a-z_]+$/);
  }
  const slot = sql(parse(files['queries.yaml']).pg_slot.query, 'metrics_exporter');
  const [slotName, type, active, retained] = slot.split('|');
  expect([slotName, type, active]).toEqual(['standby_1', 'physical', '0']);
  expect(Number(retained)).toBeGreaterThan(100_000);
  const xid = sql(parse(files['queries.yaml']).pg_database_xid.query, 'metrics_exporter').split('\n');
  expect(xid.map((l) => l.split('|')[0]).sort()).toEqual(['app', 'postgres', 'template1']);
  expect(xid.every((l) => Number(l.split('|')[1]) > 0)).toBe(true);
  expect(sql(parse(files['queries.yaml']).pg_replica.query, 'metrics_exporter')).toBe('');
  // Archiving off (archive_mode defaults to off): nothing archived, nothing failed, nothing waiting,
  // the age counted from the server's start.
  const [archived, failed, age, ready] = sql(parse(files['queries.yaml']).pg_stat_archiver.query, 'metrics_exporter').split('|').map(Number);
  expect([archived, failed, ready]).toEqual([0, 0, 0]);
  expect(age).toBeGreaterThanOrEqual(0);
  expect(age).toBeLessThan(600);
});

test('pg_stat_archiver: a failing archive_command counts failures and leaves segments waiting; once it works they are archived', () => {
  const q = parse(files['queries.yaml']).pg_stat_archiver.query as string;
  const archiver = () => {
    const [archived, failed, age, ready] = sql(q, 'metrics_exporter').split('|').map(Number);
    return { archived, failed, age, ready };
  };
  const until = (done: () => boolean) => {
    for (let i = 0; i < 100 && !done(); i++) spawnSync('sleep', ['0.2']);
    return done();
  };
  // The command is a script the test rewrites: failing first, then working.
  const archive = path.join(dir, 'archive.sh');
  fs.writeFileSync(archive, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  const restart = asServer(`${BIN}/pg_ctl`, ['-D', data, '-w', '-m', 'fast', '-l', path.join(data, 'log'),
    '-o', `-k ${sock} -c listen_addresses= -c fsync=off -c password_encryption=md5 -c wal_level=replica -c archive_mode=on -c archive_command=${archive}`, 'restart']);
  expect(restart.status).toBe(0);
  sql('CREATE TABLE more_filler AS SELECT g FROM generate_series(1, 1000) g');
  sql('SELECT pg_switch_wal()');
  expect(until(() => archiver().failed > 0)).toBe(true);
  const failing = archiver();
  expect(failing.archived).toBe(0);
  expect(failing.ready).toBeGreaterThan(0);
  // The command fixed: the waiting segments go (a new one wakes the archiver), nothing waits.
  fs.writeFileSync(archive, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  sql('SELECT pg_switch_wal()');
  expect(until(() => archiver().ready === 0 && archiver().archived > 0)).toBe(true);
  expect(archiver().age).toBeLessThan(60);
}, 60_000);
