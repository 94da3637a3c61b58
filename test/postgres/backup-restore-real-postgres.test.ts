// The backup CronJob's script (assets/dump-all.sh) and the restore commands of docs/postgres.md
// against two real PostgreSQL servers (Debian package postgresql-15): cluster A with its
// passwords is backed up; the dump is restored into a fresh cluster B, bootstrapped with other
// passwords, exactly as the docs say, over TCP with password authentication. B's passwords (its
// Secret) must still work afterwards, and the rows must be there (safety issue, A5).
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Size } from 'cdk8s';
import { PostgresCluster, ReplicationMode } from '../../src/postgres';
import { container, envOf, find, synthValidated } from '../util/validate';

const BIN = fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)).map((v) => `/usr/lib/postgresql/${v}/bin`)[0];
const ROOT = process.getuid?.() === 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-restore-'));

function sh(cmd: string, args: string[], env: { [k: string]: string } = {}, asServer = false): SpawnSyncReturns<string> {
  const [c, a] = asServer && ROOT ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--clear-groups', '--', cmd, ...args]] : [cmd, args];
  return spawnSync(c, a, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: `${BIN}:${process.env.PATH}`, HOME: dir, LC_ALL: 'C', ...env },
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A server with TCP on 127.0.0.1 (scram-sha-256) and a Unix socket (trust, for the set-up only). */
class Server {
  public readonly data: string;
  public readonly sock: string;
  constructor(public readonly name: string, public readonly port: number) {
    this.data = path.join(dir, name, 'data');
    this.sock = path.join(dir, name, 'sock');
  }

  public start(): void {
    fs.mkdirSync(this.sock, { recursive: true, mode: 0o777 });
    fs.chmodSync(path.dirname(this.sock), 0o755);
    fs.chmodSync(this.sock, 0o777);
    fs.mkdirSync(this.data, { mode: 0o700 });
    if (ROOT) spawnSync('chown', ['postgres:postgres', this.data, this.sock]);
    expect(sh(`${BIN}/initdb`, ['-D', this.data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '-E', 'UTF8'], {}, true).status).toBe(0);
    const r = sh(`${BIN}/pg_ctl`, ['-D', this.data, '-w', '-l', path.join(this.data, 'log'), '-o',
      `-k ${this.sock} -c listen_addresses=127.0.0.1 -p ${this.port} -c fsync=off`, 'start'], {}, true);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }

  public stop(): void {
    sh(`${BIN}/pg_ctl`, ['-D', this.data, '-m', 'immediate', 'stop'], {}, true);
  }

  /** SQL as postgres over the socket (trust). */
  public admin(query: string, db = 'postgres'): string {
    const r = sh('psql', ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-h', this.sock, '-p', `${this.port}`, '-U', 'postgres', '-d', db, '-c', query]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout.trim();
  }

  /** SQL over TCP with a password, as a client pod would log in. */
  public login(user: string, password: string, db: string, query: string): SpawnSyncReturns<string> {
    return sh('psql', ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-c', query], {
      PGHOST: '127.0.0.1', PGPORT: `${this.port}`, PGUSER: user, PGPASSWORD: password, PGDATABASE: db, PGSSLMODE: 'prefer',
    });
  }

  /** The construct's bootstrap (the streaming initdb ConfigMap, as docker-entrypoint.sh runs it) with these passwords. */
  public bootstrap(configMap: { [file: string]: string }, passwords: { [key: string]: string }): void {
    const base = path.join(dir, this.name);
    const creds = path.join(base, 'creds');
    const initdb = path.join(base, 'initdb');
    fs.mkdirSync(creds);
    fs.mkdirSync(initdb);
    for (const [k, v] of Object.entries(passwords)) fs.writeFileSync(path.join(creds, k), v);
    for (const [n, text] of Object.entries(configMap)) fs.writeFileSync(path.join(initdb, n), text.split('/etc/postgres-credentials').join(creds));
    const entrypoint = 'set -Eeo pipefail; for f in "$1"/*; do case "$f" in *.sh) . "$f" ;; esac; done';
    const r = sh('bash', ['-c', entrypoint, 'docker-entrypoint.sh', initdb], {
      PGHOST: this.sock, PGPORT: `${this.port}`, POSTGRES_USER: 'postgres', PGDATA: path.join(base, 'fake-pgdata'), REPLICATION_USER: 'replicator',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    this.admin(`ALTER ROLE postgres PASSWORD '${passwords['superuser-password']}'`);
  }
}

const objs = (() => {
  const c = new Chart(new App(), 'test', { namespace: 'db' });
  const cluster = new PostgresCluster(c, 'orders-db', {
    mode: ReplicationMode.STREAMING,
    databases: [{ name: 'orders' }, { name: 'ledger', owner: 'finance' }],
    backup: { size: Size.gibibytes(10), keep: 2 },
  });
  return synthValidated(c, { externalSecrets: [cluster.secretName] });
})();
const initdbFiles = find(objs, 'ConfigMap', 'orders-db-initdb').data;
const backup = container(find(objs, 'CronJob', 'orders-db-backup'), 'pg-dumpall');

const A_PW = { 'superuser-password': 'a-super', 'replication-password': 'a-repl', 'orders-password': 'a-orders', 'finance-password': 'a-finance' };
const B_PW = { 'superuser-password': 'b-super', 'replication-password': 'b-repl', 'orders-password': 'b-orders', 'finance-password': 'b-finance' };
let a: Server;
let b: Server;

beforeAll(async () => {
  fs.chmodSync(dir, 0o755);
  a = new Server('a', await freePort());
  b = new Server('b', await freePort());
  a.start();
  b.start();
  for (const s of [a, b]) fs.mkdirSync(path.join(dir, s.name, 'fake-pgdata'), { recursive: true });
  for (const s of [a, b]) fs.writeFileSync(path.join(dir, s.name, 'fake-pgdata', 'pg_hba.conf'), '');
}, 60_000);

afterAll(() => {
  a?.stop();
  b?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The restore commands of docs/postgres.md ("Restore into a new cluster"), with `run=` pointing at `run`. */
function documentedRestore(run: string): string {
  const doc = fs.readFileSync(path.join(__dirname, '../../docs/postgres.md'), 'utf8');
  const section = doc.slice(doc.indexOf('### Restore into a new cluster'));
  const block = [...section.matchAll(/^( *)```sh\n([\s\S]*?)^\1```/gm)].map((m) => m[2].split('\n').map((l) => l.slice(m[1].length)).join('\n'))
    .find((t) => t.includes('pg_restore'));
  expect(block).toBeDefined();
  expect(block).toMatch(/^run=\/backup\/dump-\S+$/m);
  return block!.replace(/^run=.*$/m, `run=${run}`);
}

test('a backup of A restored into a fresh B as documented: B\'s passwords still work, the rows are there', () => {
  // Cluster A: the construct's roles and databases with A's passwords, rows, a role only A has.
  a.bootstrap(initdbFiles, A_PW);
  a.admin("CREATE ROLE reporting LOGIN PASSWORD 'a-reporting'");
  expect(a.login('orders', 'a-orders', 'orders', "CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'one'), (2, 'two');"
    + ' GRANT SELECT ON items TO reporting').status).toBe(0);
  expect(a.login('finance', 'a-finance', 'ledger', 'CREATE TABLE entries (amount numeric); INSERT INTO entries VALUES (12.5)').status).toBe(0);
  a.admin('CREATE DATABASE scratch OWNER reporting');
  a.admin("CREATE TABLE notes AS SELECT 'kept' AS note", 'scratch');

  // The backup CronJob's container, as synthesized, pointed at A over TCP.
  const env = envOf(backup);
  const volume = path.join(dir, 'backup');
  fs.mkdirSync(volume);
  const dump = sh(backup.command[0], backup.command.slice(1), {
    KEEP: env.KEEP, BACKUP_DIR: volume, PGHOST: '127.0.0.1', PGPORT: `${a.port}`, PGUSER: env.PGUSER, PGSSLMODE: env.PGSSLMODE, PGPASSWORD: 'a-super',
  });
  expect(dump.stderr).toBe('');
  expect(dump.status).toBe(0);
  const runs = fs.readdirSync(volume);
  expect(runs).toHaveLength(1);
  const run = path.join(volume, runs[0]);
  expect(fs.readdirSync(run).sort()).toEqual(['globals.sql', 'ledger.dump', 'orders.dump', 'postgres.dump', 'scratch.dump']);
  const globals = fs.readFileSync(path.join(run, 'globals.sql'), 'utf8');
  expect(globals).toContain('CREATE ROLE "orders"');
  expect(globals).not.toMatch(/PASSWORD|SCRAM-SHA-256\$|md5[0-9a-f]{32}/);

  // Cluster B: fresh, its own passwords (its Secret). Restore with the documented commands, over
  // TCP as the superuser with B's password.
  b.bootstrap(initdbFiles, B_PW);
  const restore = sh('bash', ['-euo', 'pipefail', '-c', documentedRestore(run)], {
    PGHOST: '127.0.0.1', PGPORT: `${b.port}`, PGUSER: 'postgres', PGPASSWORD: 'b-super', PGSSLMODE: 'prefer',
  });
  expect(restore.status).toBe(0);
  // Only the expected complaints: the roles B has already.
  expect(restore.stderr.trim().split('\n').filter((l) => l && !/role ".*" already exists/.test(l))).toEqual([]);

  // B's Secret still logs everyone in; A's passwords do not.
  for (const [user, key, db] of [['postgres', 'superuser-password', 'postgres'], ['replicator', 'replication-password', 'postgres'],
    ['orders', 'orders-password', 'orders'], ['finance', 'finance-password', 'ledger']] as const) {
    const ok = b.login(user, (B_PW as any)[key], db, 'SELECT current_user');
    expect(ok.stderr).toBe('');
    expect(ok.stdout.trim()).toBe(user);
    expect(b.login(user, (A_PW as any)[key], db, 'SELECT 1').status).not.toBe(0);
  }
  expect(b.login('orders', 'b-orders', 'orders', 'SELECT id, name FROM items ORDER BY id').stdout.trim()).toBe('1|one\n2|two');
  expect(b.login('finance', 'b-finance', 'ledger', 'SELECT amount FROM entries').stdout.trim()).toBe('12.5');
  // Replication attribute kept; the role only A had exists with its grants, without a password.
  expect(b.admin("SELECT rolreplication FROM pg_roles WHERE rolname = 'replicator'")).toBe('t');
  expect(b.admin("SELECT rolpassword IS NULL FROM pg_authid WHERE rolname = 'reporting'")).toBe('t');
  expect(b.admin("SELECT has_table_privilege('reporting', 'items', 'SELECT')", 'orders')).toBe('t');
  // A database B does not declare is created by the restore, with its owner.
  expect(b.admin("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'scratch'")).toBe('reporting');
  expect(b.admin('SELECT note FROM notes', 'scratch')).toBe('kept');

  // Restoring the same run again (a retry) converges: same rows, passwords untouched.
  const again = sh('bash', ['-euo', 'pipefail', '-c', documentedRestore(run)], {
    PGHOST: '127.0.0.1', PGPORT: `${b.port}`, PGUSER: 'postgres', PGPASSWORD: 'b-super', PGSSLMODE: 'prefer',
  });
  expect(again.status).toBe(0);
  expect(b.login('orders', 'b-orders', 'orders', 'SELECT count(*) FROM items').stdout.trim()).toBe('2');
}, 120_000);
