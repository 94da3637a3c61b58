// Every script in src/postgres/assets: syntax-checked by bash, linted by shellcheck, and run as
// the synthesized objects wire it (command, env, mounted files), against stub binaries on PATH.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Size } from 'cdk8s';
import { PostgresCluster, PostgresClusterProps, ReplicationMode } from '../../src/postgres';
import { kubeletEnv } from '../util/kubelet-env';
import { container, envOf, find, synthValidated } from '../util/validate';

const ASSETS = path.join(__dirname, '../../src/postgres/assets');
const CREDENTIALS_DIR = '/etc/postgres-credentials';

function synth(props: PostgresClusterProps = {}) {
  const c = new Chart(new App(), 'test', { namespace: 'db' });
  const cluster = new PostgresCluster(c, 'orders-db', props);
  return synthValidated(c, { externalSecrets: [cluster.secretName] });
}

/**
 * A container's env as the kubelet gives it to the process: fieldRefs from `fields`, and
 * `$(VAR)` replaced when VAR is defined earlier in the list (else left as it is).
 */
/** A temp dir with bin/ (stubs that log `name args` to log) and creds/ (password files). */
class Sandbox {
  public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-asset-'));
  public readonly bin = path.join(this.dir, 'bin');
  public readonly creds = path.join(this.dir, 'creds');
  constructor() {
    fs.mkdirSync(this.bin);
    fs.mkdirSync(this.creds);
  }

  /** A stub command: logs its name and arguments (and its stdin with `stdin: true`), then runs `body`. */
  public stub(name: string, body = 'exit 0', options: { stdin?: boolean } = {}): void {
    const log = path.join(this.dir, 'log');
    const stdin = options.stdin ? `cat >> "${log}"\n` : '';
    fs.writeFileSync(path.join(this.bin, name),
      `#!/bin/bash\n{ printf '%s' "${name}"; printf ' %s' "$@"; [ -n "\${PGOPTIONS:-}" ] && printf ' [PGOPTIONS=%s]' "$PGOPTIONS"; echo; } >> "${log}"\n${stdin}${body}\n`,
      { mode: 0o755 });
  }

  public writeFiles(sub: string, files: { [name: string]: string }): string {
    const d = path.join(this.dir, sub);
    fs.mkdirSync(d, { recursive: true });
    for (const [n, text] of Object.entries(files)) {
      // The credentials path is data in the list files; point it at the sandbox.
      fs.writeFileSync(path.join(d, n), text.split(CREDENTIALS_DIR).join(this.creds), { mode: 0o755 });
    }
    return d;
  }

  public run(command: string[], env: { [k: string]: string }): { status: number; stdout: string; stderr: string } {
    // stdin not a socket: `bash -c` on a socket stdin takes itself for an rshd session and reads ~/.bashrc.
    const r = spawnSync(command[0], command.slice(1), {
      env: { PATH: `${this.bin}:${process.env.PATH}`, HOME: this.dir, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  public get log(): string[] {
    const f = path.join(this.dir, 'log');
    return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim().split('\n') : [];
  }

  public cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('every asset', () => {
  const files = fs.readdirSync(ASSETS).filter((f) => f.endsWith('.sh'));

  test('the assets are the known scripts', () => {
    // rollout.sh and major-upgrade.sh run against stubs in rollout.test.ts and major-upgrade.test.ts.
    expect(files.sort()).toEqual([
      'databases.sh', 'dump-all.sh', 'kanister-backup.sh', 'kanister-restore.sh', 'major-upgrade.sh', 'patroni-post-init.sh', 'pgbouncer-start.sh',
      'reconcile.sh', 'restore-run.sh', 'rollout.sh', 'streaming-clone.sh', 'streaming-initdb.sh', 'tls-reload.sh', 'verify-restore.sh',
    ]);
  });

  test.each(files)('%s: bash -n', (f) => {
    const r = spawnSync('bash', ['-n', path.join(ASSETS, f)], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test.each(files)('%s: shellcheck (default severity, with and without -x)', (f) => {
    for (const args of [[f], ['-x', f]]) {
      const r = spawnSync('shellcheck', args, { cwd: ASSETS, encoding: 'utf8' });
      expect(r.error).toBeUndefined();
      expect(r.stdout).toBe('');
      expect(r.status).toBe(0);
    }
  });
});

describe('patroni-post-init.sh + databases.sh (the bootstrap ConfigMap, as Patroni runs post_init)', () => {
  const URL = 'postgres://postgres@localhost:5432/postgres';

  function runPostInit(s: Sandbox, props: PostgresClusterProps = {}) {
    const data = find(synth(props), 'ConfigMap', 'orders-db-bootstrap').data;
    const dir = s.writeFiles('etc', data);
    s.stub('post_init.sh');
    s.stub('psql', 'cat > /dev/null', { stdin: false });
    // Patroni: `<post_init> <connection URL>`, with the pod env dropped.
    return s.run([path.join(dir, 'post-init.sh'), URL], { SPILO_POST_INIT: path.join(s.bin, 'post_init.sh') });
  }

  test('runs Spilo\'s post_init, then creates each owner once and each database, in order', () => {
    const s = new Sandbox();
    fs.writeFileSync(path.join(s.creds, 'orders-password'), 'pw-orders');
    fs.writeFileSync(path.join(s.creds, 'billing_owner-password'), 'pw-billing');
    const r = runPostInit(s, { databases: [{ name: 'orders' }, { name: 'billing', owner: 'billing_owner' }, { name: 'audit', owner: 'billing_owner' }] });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const psql = '-X -q -v ON_ERROR_STOP=1 -d ' + URL;
    expect(s.log).toEqual([
      `post_init.sh zalandos ${URL}`,
      `psql ${psql} -v role=orders -v pw=pw-orders -v attrs= [PGOPTIONS=-c synchronous_commit=local]`,
      `psql ${psql} -v role=billing_owner -v pw=pw-billing -v attrs= [PGOPTIONS=-c synchronous_commit=local]`,
      `psql ${psql} -v db=orders -v owner=orders [PGOPTIONS=-c synchronous_commit=local]`,
      `psql ${psql} -v db=billing -v owner=billing_owner [PGOPTIONS=-c synchronous_commit=local]`,
      `psql ${psql} -v db=audit -v owner=billing_owner [PGOPTIONS=-c synchronous_commit=local]`,
    ]);
    s.cleanup();
  });

  test('the SQL is create-if-absent, with the names quoted by format()', () => {
    const s = new Sandbox();
    fs.writeFileSync(path.join(s.creds, 'app-password'), 'pw');
    const data = find(synth(), 'ConfigMap', 'orders-db-bootstrap').data;
    const dir = s.writeFiles('etc', data);
    s.stub('post_init.sh');
    s.stub('psql', 'exit 0', { stdin: true });
    expect(s.run([path.join(dir, 'post-init.sh'), URL], { SPILO_POST_INIT: path.join(s.bin, 'post_init.sh') }).status).toBe(0);
    const log = s.log.join('\n');
    expect(log).toContain("SELECT format('CREATE ROLE %I LOGIN %s PASSWORD %L', :'role', :'attrs', :'pw')\n WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'role')\\gexec");
    expect(log).toContain("SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner')\n WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = :'db')\\gexec");
    s.cleanup();
  });

  test('a missing password file fails the bootstrap before psql creates a role without a password', () => {
    const s = new Sandbox();
    const r = runPostInit(s);
    expect(r.status).not.toBe(0);
    expect(s.log.filter((l) => l.startsWith('psql'))).toEqual([]);
    s.cleanup();
  });

  test('create_from_list returns non-zero on a missing password file whatever the caller\'s errexit (A7)', () => {
    // Without `|| return 1` the failed `$(cat …)` counts only under `set -e`, which bash ignores in
    // a function called from `if`, `||` or `&&`: psql would then clear the role's password.
    const s = new Sandbox();
    const dir = s.writeFiles('etc', find(synth(), 'ConfigMap', 'orders-db-bootstrap').data);
    s.stub('psql');
    for (const caller of ['create_from_list "$1/databases.list" -d x; echo "rc=$?"', 'set -e; create_from_list "$1/databases.list" -d x || echo "rc=$?"']) {
      const r = s.run(['bash', '-c', `. "$1/databases.sh"; ${caller}`, 'test', dir], {});
      expect(r.stdout.trim()).toBe('rc=1');
    }
    expect(s.log).toEqual([]);
    s.cleanup();
  });

  test('a failing psql fails the bootstrap', () => {
    const s = new Sandbox();
    fs.writeFileSync(path.join(s.creds, 'app-password'), 'pw');
    const data = find(synth(), 'ConfigMap', 'orders-db-bootstrap').data;
    const dir = s.writeFiles('etc', data);
    s.stub('post_init.sh');
    s.stub('psql', 'exit 3');
    expect(s.run([path.join(dir, 'post-init.sh'), URL], { SPILO_POST_INIT: path.join(s.bin, 'post_init.sh') }).status).not.toBe(0);
    expect(s.log.filter((l) => l.startsWith('psql'))).toHaveLength(1);
    s.cleanup();
  });

  test('a failing Spilo post_init stops before the application roles', () => {
    const s = new Sandbox();
    fs.writeFileSync(path.join(s.creds, 'app-password'), 'pw');
    const data = find(synth(), 'ConfigMap', 'orders-db-bootstrap').data;
    const dir = s.writeFiles('etc', data);
    s.stub('post_init.sh', 'exit 1');
    s.stub('psql');
    expect(s.run([path.join(dir, 'post-init.sh'), URL], { SPILO_POST_INIT: path.join(s.bin, 'post_init.sh') }).status).not.toBe(0);
    expect(s.log).toEqual([`post_init.sh zalandos ${URL}`]);
    s.cleanup();
  });
});

describe('streaming-initdb.sh + databases.sh (the initdb ConfigMap, as docker-entrypoint.sh processes it)', () => {
  // docker-entrypoint.sh docker_process_init_files: sources each non-executable *.sh in order,
  // ignores other files; it runs with `set -Eeo pipefail`.
  const ENTRYPOINT = 'set -Eeo pipefail; for f in "$1"/*; do case "$f" in *.sh) . "$f" ;; *) echo "ignoring $f" ;; esac; done';

  test('creates the replication role first, allows it in pg_hba.conf, then owners and databases', () => {
    const s = new Sandbox();
    const objs = synth({ mode: ReplicationMode.STREAMING, databases: [{ name: 'orders' }] });
    const dir = s.writeFiles('initdb', find(objs, 'ConfigMap', 'orders-db-initdb').data);
    fs.writeFileSync(path.join(s.creds, 'replication-password'), 'pw-repl');
    fs.writeFileSync(path.join(s.creds, 'orders-password'), 'pw-orders');
    const pgdata = path.join(s.dir, 'pgdata');
    fs.mkdirSync(pgdata);
    fs.writeFileSync(path.join(pgdata, 'pg_hba.conf'), 'host all all all scram-sha-256\n');
    s.stub('psql');
    const env = envOf(container(find(objs, 'StatefulSet', 'orders-db'), 'postgres'));
    const r = s.run(['bash', '-c', ENTRYPOINT, 'docker-entrypoint.sh', dir], {
      POSTGRES_USER: env.POSTGRES_USER, PGDATA: pgdata, REPLICATION_USER: env.REPLICATION_USER,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const psql = 'psql -X -q -v ON_ERROR_STOP=1 --username postgres --no-password --dbname postgres';
    expect(s.log).toEqual([
      `${psql} -v role=replicator -v pw=pw-repl -v attrs=REPLICATION [PGOPTIONS=-c synchronous_commit=local]`,
      `${psql} -v role=orders -v pw=pw-orders -v attrs= [PGOPTIONS=-c synchronous_commit=local]`,
      `${psql} -v db=orders -v owner=orders [PGOPTIONS=-c synchronous_commit=local]`,
    ]);
    expect(fs.readFileSync(path.join(pgdata, 'pg_hba.conf'), 'utf8')).toBe('host all all all scram-sha-256\nhost replication replicator all scram-sha-256\n');
    s.cleanup();
  });
});

describe('streaming-clone.sh (the clone init container)', () => {
  /**
   * Runs the synthesized init container with its env (`$(VAR)` expanded as the kubelet does, the
   * pod in namespace 'db'), paths moved into a sandbox. `getent` answers for the headless Service
   * with `peers` (pod 0 itself is 10.0.0.10); `pg_isready` exits with `ready[address]` (2, no
   * response, when absent).
   */
  function runClone(ordinal: number, dropSlotExit: number, options: {
    basebackupExit?: number; peers?: string[]; ready?: { [addr: string]: number }; isready?: string; walSize?: Size;
  } = {}) {
    const s = new Sandbox();
    const sts = find(synth({ mode: ReplicationMode.STREAMING, storage: { walSize: options.walSize } }), 'StatefulSet', 'orders-db');
    const clone = container(sts, 'clone');
    const env = kubeletEnv(clone, { 'metadata.namespace': 'db' });
    fs.writeFileSync(path.join(s.creds, 'replication-password'), 'pw');
    const ready = Object.entries(options.ready ?? {}).map(([a, rc]) => `*" ${a} "*) exit ${rc};;`).join(' ');
    s.stub('pg_isready', options.isready ?? `case " $* " in ${ready} *" ${env.PRIMARY_HOST} "*) exit 0;; esac; exit 2`);
    const peers = options.peers ?? ['10.0.0.10'];
    s.stub('getent', `[ "$1 $2" = "ahostsv4 ${env.PEERS_HOST}" ] || exit 2; for a in ${peers.join(' ')}; do echo "$a STREAM $2"; echo "$a DGRAM"; done`);
    s.stub('sleep');
    s.stub('pg_receivewal', `case " $* " in *" --drop-slot "*) exit ${dropSlotExit};; esac; exit 0`);
    // Like pg_basebackup: PG_VERSION early in the -D directory; a killed run leaves the directory.
    s.stub('pg_basebackup', `while [ $# -gt 0 ]; do [ "$1" = -D ] && d="$2"; shift; done; mkdir -p "$d" && echo 17 > "$d/PG_VERSION"; exit ${options.basebackupExit ?? 0}`);
    const pgdata = path.join(s.dir, 'data', 'pgdata');
    const r = s.run(clone.command, {
      ...env,
      HOSTNAME: `orders-db-${ordinal}`,
      PGDATA: pgdata,
      REPLICATION_PASSWORD_FILE: path.join(s.creds, 'replication-password'),
      ...(env.WAL_DIR ? { WAL_DIR: path.join(s.dir, 'wal', 'pg_wal') } : {}),
    });
    return { s, r, pgdata, env };
  }

  test('an interrupted clone is not taken for a database on the next start', () => {
    const killed = runClone(1, 1, { basebackupExit: 137 });
    expect(killed.r.status).not.toBe(0);
    expect(fs.existsSync(path.join(killed.pgdata, 'PG_VERSION'))).toBe(false); // the next start clones again
    killed.s.cleanup();
    const done = runClone(1, 1);
    expect(done.r.status).toBe(0);
    expect(fs.readFileSync(path.join(done.pgdata, 'PG_VERSION'), 'utf8').trim()).toBe('17');
    expect(fs.existsSync(`${done.pgdata}.partial`)).toBe(false);
    done.s.cleanup();
  });

  test('a re-clone drops the leftover slot (it may be invalidated) and creates it afresh with pg_basebackup -C', () => {
    for (const dropExit of [0, 1]) { // 0: a slot was left over (e.g. invalidated); 1: none exists
      const { s, r, pgdata, env } = runClone(1, dropExit);
      expect(r.status).toBe(0);
      const log = s.log;
      const drop = log.findIndex((l) => l === `pg_receivewal -h ${env.PRIMARY_HOST} -U replicator --drop-slot --slot replica_1`);
      const clone = log.findIndex((l) => l.startsWith('pg_basebackup'));
      expect(drop).toBeGreaterThanOrEqual(0);
      expect(clone).toBeGreaterThan(drop);
      expect(log[clone]).toBe(`pg_basebackup -h ${env.PRIMARY_HOST} -U replicator -D ${pgdata}.partial -R -X stream -C -S replica_1 --checkpoint=fast`);
      expect(r.stdout).toContain(dropExit === 0 ? 'dropped the leftover slot replica_1' : 'cloned from');
      // no path reuses an existing slot
      expect(log.filter((l) => l.includes('--create-slot') || l.includes('--if-not-exists'))).toEqual([]);
      s.cleanup();
    }
  });

  test('with a WAL volume: the WAL goes to WAL_DIR, emptied first', () => {
    const { s, r, pgdata } = runClone(2, 1, { walSize: Size.gibibytes(8) });
    expect(r.status).toBe(0);
    const wal = path.join(s.dir, 'wal', 'pg_wal');
    expect(s.log.find((l) => l.startsWith('pg_basebackup'))).toBe(
      `pg_basebackup -h orders-db-0.orders-db-headless.db.svc.cluster.local -U replicator -D ${pgdata}.partial -R -X stream -C -S replica_2 --checkpoint=fast --waldir=${wal}`);
    s.cleanup();
  });

  test('an empty pod 0 with no other instance answering initializes, after looking for PEER_WAIT seconds', () => {
    const alone = runClone(0, 1, { peers: ['10.0.0.10', '10.0.0.11'] });
    expect(alone.r.stderr).toBe('');
    expect(alone.r.status).toBe(0);
    expect(alone.r.stdout).toContain('ordinal 0 is the primary: no other instance has data after 60s; nothing to clone');
    const log = alone.s.log;
    // 13 rounds, 5 s apart, each asking every address behind the headless Service directly.
    expect(log.filter((l) => l === 'sleep 5')).toHaveLength(12);
    expect(log.filter((l) => l === 'pg_isready -q -t 3 -h 10.0.0.11 -p 5432')).toHaveLength(13);
    expect(log.filter((l) => !/^(pg_isready|getent|sleep)/.test(l))).toEqual([]);
    alone.s.cleanup();
  });

  test.each([
    ['accepting (a hot standby, Ready or not)', 0],
    ['rejecting (starting up or recovering: not Ready)', 1],
  ])('an empty pod 0 refuses to initialize while another instance answers %s', (_what, rc) => {
    const lost = runClone(0, 1, { peers: ['10.0.0.10', '10.0.0.12'], ready: { '10.0.0.12': rc } });
    expect(lost.r.status).toBe(1);
    expect(lost.r.stderr).toContain('refusing to initialize an empty primary: the instance at 10.0.0.12 (behind orders-db-headless.db.svc.cluster.local)');
    expect(lost.s.log.filter((l) => l.startsWith('pg_basebackup'))).toEqual([]);
    lost.s.cleanup();
  });

  test('an instance that comes up while pod 0 is still looking stops the initialization too', () => {
    // The replica at 10.0.0.13 answers from its fourth round on (its PostgreSQL took a while).
    const late = runClone(0, 1, {
      peers: ['10.0.0.10', '10.0.0.13'],
      isready: 'n=$(cat "$HOME/n" 2>/dev/null || echo 0); echo $((n + 1)) > "$HOME/n"; case " $* " in *" 10.0.0.13 "*) [ "$n" -ge 6 ] && exit 0;; esac; exit 2',
    });
    expect(late.r.status).toBe(1);
    expect(late.r.stderr).toContain('the instance at 10.0.0.13');
    expect(late.s.log.filter((l) => l === 'sleep 5')).toHaveLength(3);
    late.s.cleanup();
  });

  test('pod 0 with a database starts as it is, without looking for the others', () => {
    const s = new Sandbox();
    const clone = container(find(synth({ mode: ReplicationMode.STREAMING }), 'StatefulSet', 'orders-db'), 'clone');
    const pgdata = path.join(s.dir, 'pgdata');
    fs.mkdirSync(pgdata);
    fs.writeFileSync(path.join(pgdata, 'PG_VERSION'), '17\n');
    const r = s.run(clone.command, { ...kubeletEnv(clone, { 'metadata.namespace': 'db' }), HOSTNAME: 'orders-db-0', PGDATA: pgdata });
    expect(r.status).toBe(0);
    expect(s.log).toEqual([]);
    s.cleanup();
  });

  test('a data directory that holds a database is left alone', () => {
    const s = new Sandbox();
    const clone = container(find(synth({ mode: ReplicationMode.STREAMING }), 'StatefulSet', 'orders-db'), 'clone');
    const pgdata = path.join(s.dir, 'pgdata');
    fs.mkdirSync(pgdata);
    fs.writeFileSync(path.join(pgdata, 'PG_VERSION'), '17\n');
    const r = s.run(clone.command, { ...envOf(clone), HOSTNAME: 'orders-db-1', PGDATA: pgdata });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('holds a database: starting as it is');
    expect(s.log).toEqual([]);
    s.cleanup();
  });
});

describe('dump-all.sh (the backup CronJob)', () => {
  /** The synthesized backup container, run in a sandbox with stub pg_dumpall, psql and pg_dump. */
  function setup(dbs = 'orders\npostgres', pgDump = 'exit 0') {
    const s = new Sandbox();
    const cj = find(synth({ backup: { size: Size.gibibytes(50), keep: 2 } }), 'CronJob', 'orders-db-backup');
    const c = container(cj, 'pg-dumpall');
    const env = envOf(c);
    const backup = path.join(s.dir, 'backup');
    fs.mkdirSync(backup);
    s.stub('pg_dumpall', 'echo "CREATE ROLE orders;"');
    s.stub('psql', `printf '${dbs}\\n'`);
    // Like pg_dump -f: the file appears first, then the exit status.
    s.stub('pg_dump', `args=" $* "; while [ $# -gt 0 ]; do [ "$1" = -f ] && f="$2"; shift; done; echo dump > "$f"; ${pgDump}`);
    const run = () => s.run(c.command, { KEEP: env.KEEP, BACKUP_DIR: backup });
    return { s, backup, run };
  }

  test('roles without passwords, then each database with pg_dump -Fc, into one directory per run', () => {
    const { s, backup, run } = setup();
    const r = run();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [dir] = fs.readdirSync(backup);
    expect(dir).toMatch(/^dump-\d{4}-\d\d-\d\dT\d{6}Z$/);
    expect(r.stdout.trim()).toBe(`wrote ${path.join(backup, dir)}`);
    expect(fs.readdirSync(path.join(backup, dir)).sort()).toEqual(['globals.sql', 'orders.dump', 'postgres.dump']);
    expect(s.log[0]).toBe('pg_dumpall --globals-only --no-role-passwords --quote-all-identifiers --no-password');
    expect(s.log[1]).toMatch(/^psql -X -At -v ON_ERROR_STOP=1 --no-password -d postgres -c SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate/);
    const tmp = path.join(backup, `.partial-${dir.slice('dump-'.length)}`);
    expect(s.log.slice(2)).toEqual([
      `pg_dump -Fc --load-via-partition-root --quote-all-identifiers --no-password -d orders -f ${tmp}/orders.dump`,
      `pg_dump -Fc --load-via-partition-root --quote-all-identifiers --no-password -d postgres -f ${tmp}/postgres.dump`,
    ]);
    s.cleanup();
  });

  test('a failed dump leaves no partial run behind; complete runs are kept and rotated to KEEP', () => {
    const { s, backup, run } = setup('orders\nledger', 'case "$args" in *" ledger "*) exit 1;; esac');
    // A run killed earlier (no trap ran) left a partial directory.
    fs.mkdirSync(path.join(backup, '.partial-2026-01-04T020000Z'));
    expect(run().status).not.toBe(0);
    expect(fs.readdirSync(backup)).toEqual([]);
    s.stub('pg_dump', 'while [ $# -gt 0 ]; do [ "$1" = -f ] && f="$2"; shift; done; echo dump > "$f"');
    // Three older runs and two single-file dumps of the earlier format.
    for (const [i, day] of ['2026-01-01', '2026-01-02', '2026-01-03'].entries()) {
      const d = path.join(backup, `dump-${day}T020000Z`);
      fs.mkdirSync(d);
      fs.utimesSync(d, 1_700_000_000 + i, 1_700_000_000 + i);
    }
    fs.writeFileSync(path.join(backup, 'pg_dumpall-2025-12-31T020000Z.sql.gz'), 'old');
    const r = run();
    expect(r.status).toBe(0);
    const left = fs.readdirSync(backup).sort();
    expect(left).toHaveLength(2);
    expect(left).toContain('dump-2026-01-03T020000Z');
    s.cleanup();
  });

  test('a database name that is not a plain file name fails the run loudly', () => {
    const { s, backup, run } = setup('orders\nmy/db');
    const r = run();
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("database 'my/db': its name is not a plain file name");
    expect(fs.readdirSync(backup)).toEqual([]);
    s.cleanup();
  });
});
