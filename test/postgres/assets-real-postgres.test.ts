// The SQL of assets/databases.sh against a real PostgreSQL (Debian package postgresql-15,
// installed by test/setup/install-deps.sh): the bootstrap ConfigMaps as the images run them,
// twice, to prove the scripts create what they should and are idempotent.
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { PostgresCluster, PostgresClusterProps, ReplicationMode } from '../../src/postgres';
import { find, synthValidated } from '../util/validate';

const BIN = fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)).map((v) => `/usr/lib/postgresql/${v}/bin`)[0];
const ROOT = process.getuid?.() === 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-real-'));
const sock = path.join(dir, 'sock');
const data = path.join(dir, 'data');

/** Runs a server binary as the postgres user when we are root (initdb and postgres refuse root). */
function asServer(cmd: string, args: string[]): SpawnSyncReturns<string> {
  const full = ROOT ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--clear-groups', '--', cmd, ...args]] as const : [cmd, args] as const;
  return spawnSync(full[0], [...full[1]], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, LC_ALL: 'C' } });
}

function sql(query: string): string {
  const r = spawnSync(`${BIN}/psql`, ['-X', '-At', '-h', sock, '-U', 'postgres', '-d', 'postgres', '-c', query], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

function synthData(props: PostgresClusterProps, configMap: string): { [file: string]: string } {
  const c = new Chart(new App(), 'test', { namespace: 'db' });
  const cluster = new PostgresCluster(c, 'orders-db', props);
  return find(synthValidated(c, { externalSecrets: [cluster.secretName] }), 'ConfigMap', configMap).data;
}

/** The ConfigMap's files in a directory, with the credentials path pointing at `creds`. */
function writeConfigMap(files: { [file: string]: string }, sub: string): string {
  const d = path.join(dir, sub);
  fs.mkdirSync(d);
  for (const [n, text] of Object.entries(files)) fs.writeFileSync(path.join(d, n), text.split('/etc/postgres-credentials').join(path.join(dir, 'creds')), { mode: 0o755 });
  return d;
}

function run(args: string[], env: { [k: string]: string }): SpawnSyncReturns<string> {
  return spawnSync(args[0], args.slice(1), {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: `${BIN}:${path.join(dir, 'bin')}:${process.env.PATH}`, HOME: dir, PGHOST: sock, ...env },
  });
}

beforeAll(() => {
  fs.chmodSync(dir, 0o755);
  fs.mkdirSync(sock, { mode: 0o777 });
  fs.chmodSync(sock, 0o777);
  fs.mkdirSync(data, { mode: 0o700 });
  if (ROOT) spawnSync('chown', ['postgres:postgres', data, sock]);
  fs.mkdirSync(path.join(dir, 'creds'));
  for (const [k, v] of Object.entries({ 'replication-password': 'repl-pw', 'orders-password': 'orders-pw', 'finance-password': "it's-a-pw" })) {
    fs.writeFileSync(path.join(dir, 'creds', k), v);
  }
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.writeFileSync(path.join(dir, 'bin', 'post_init.sh'), '#!/bin/bash\nexit 0\n', { mode: 0o755 });
  const init = asServer(`${BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  expect(init.status).toBe(0);
  const start = asServer(`${BIN}/pg_ctl`, ['-D', data, '-w', '-l', path.join(data, 'log'), '-o', `-k ${sock} -c listen_addresses= -c fsync=off -c password_encryption=md5`, 'start']);
  expect(start.stderr).toBe('');
  expect(start.status).toBe(0);
}, 60_000);

afterAll(() => {
  asServer(`${BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', 'stop']);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('streaming initdb: replication role, owners and databases; a second run changes nothing', () => {
  const initdb = writeConfigMap(synthData({ mode: ReplicationMode.STREAMING, databases: [{ name: 'orders' }, { name: 'ledger', owner: 'finance' }] }, 'orders-db-initdb'), 'initdb');
  const pgdata = path.join(dir, 'fake-pgdata');
  fs.mkdirSync(pgdata);
  fs.writeFileSync(path.join(pgdata, 'pg_hba.conf'), '');
  // As docker-entrypoint.sh: source each *.sh in order under `set -Eeo pipefail`.
  const entrypoint = 'set -Eeo pipefail; for f in "$1"/*; do case "$f" in *.sh) . "$f" ;; esac; done';
  for (let i = 0; i < 2; i++) {
    const r = run(['bash', '-c', entrypoint, 'docker-entrypoint.sh', initdb], { POSTGRES_USER: 'postgres', PGDATA: pgdata, REPLICATION_USER: 'replicator' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }
  // password_encryption=md5 on this test server, so the stored hash shows the password is the
  // file's content, quotes and all: 'md5' || md5(password || role).
  expect(sql("SELECT rolname, rolcanlogin, rolreplication, rolpassword = 'md5' || md5(CASE rolname WHEN 'replicator' THEN 'repl-pw' "
    + "WHEN 'orders' THEN 'orders-pw' ELSE 'it''s-a-pw' END || rolname) FROM pg_authid WHERE rolname IN ('replicator', 'orders', 'finance') ORDER BY 1"))
    .toBe('finance|t|f|t\norders|t|f|t\nreplicator|t|t|t');
  expect(sql("SELECT datname, pg_get_userbyid(datdba) FROM pg_database WHERE datname IN ('orders', 'ledger') ORDER BY 1")).toBe('ledger|finance\norders|orders');
  // Appended per run; docker-entrypoint.sh runs the initdb scripts once, on an empty data directory.
  expect(fs.readFileSync(path.join(pgdata, 'pg_hba.conf'), 'utf8')).toBe('host replication replicator all scram-sha-256\n'.repeat(2));
});

test('Patroni post_init with the connection URL Patroni passes; existing roles keep their password', () => {
  const etc = writeConfigMap(synthData({ databases: [{ name: 'orders' }, { name: 'reports', owner: 'finance' }] }, 'orders-db-bootstrap'), 'etc');
  const before = sql("SELECT rolpassword FROM pg_authid WHERE rolname = 'orders'");
  const url = `postgresql://postgres@/postgres?host=${encodeURIComponent(sock)}`;
  const r = run([path.join(etc, 'post-init.sh'), url], { SPILO_POST_INIT: path.join(dir, 'bin', 'post_init.sh') });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(sql("SELECT rolpassword FROM pg_authid WHERE rolname = 'orders'")).toBe(before);
  expect(sql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'reports'")).toBe('finance');
});
