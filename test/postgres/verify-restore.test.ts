// assets/verify-restore.sh, run as the synthesized CronJob wires it (command, env), against stub
// wal-g, pg_controldata, pg_ctl and psql on PATH (bash -n and shellcheck: assets.test.ts).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { ObjectStore, PostgresCluster } from '../../src/postgres';
import { container, envOf, find, synthValidated } from '../util/validate';

function cronJobContainer() {
  const chart = new Chart(new App(), 'test', { namespace: 'db' });
  const cluster = new PostgresCluster(chart, 'orders', {
    continuousBackup: { objectStore: ObjectStore.s3({ bucket: 'acme-pg', endpoint: 'http://minio.storage:9000' }), verify: {} },
  });
  const objs = synthValidated(chart, { externalSecrets: [cluster.secretName] });
  return container(find(objs, 'CronJob', 'orders-verify'), 'verify-restore');
}

class Sandbox {
  public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-verify-'));
  public readonly bin = path.join(this.dir, 'bin');
  public readonly restore = path.join(this.dir, 'restore');
  constructor() {
    fs.mkdirSync(this.bin);
    fs.mkdirSync(this.restore);
  }

  /** A stub that logs `name args` (and WALG_S3_PREFIX for wal-g), then runs body. */
  public stub(name: string, body = 'exit 0'): void {
    fs.writeFileSync(path.join(this.bin, name),
      `#!/bin/bash\n{ printf '%s' "${name}"; printf ' %s' "$@"; echo; } >> "${this.dir}/log"\n${body}\n`, { mode: 0o755 });
  }

  public run(c: any, overrides: { [k: string]: string } = {}) {
    const env = Object.fromEntries(Object.entries(envOf(c)).filter(([, v]) => typeof v === 'string')) as { [k: string]: string };
    const r = spawnSync(c.command[0], c.command.slice(1), {
      env: { PATH: `${this.bin}:${process.env.PATH}`, HOME: this.dir, ...env, PGBIN: this.bin, RESTORE_DIR: this.restore, ...overrides },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
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

function standardStubs(s: Sandbox, overrides: { [name: string]: string } = {}) {
  const stubs: { [name: string]: string } = {
    'wal-g': [
      'case "$1" in',
      '  backup-list) echo "name modified wal_segment_backup_start"; echo "base_000000010000000000000004 2026-01-02T01:00:00Z 000000010000000000000004";;',
      '  backup-fetch) mkdir -p "$2"; echo 17 > "$2/PG_VERSION"; echo "shared_buffers = 4GB" > "$2/postgresql.auto.conf";;',
      '  *) exit 2;;',
      'esac',
    ].join('\n'),
    'pg_controldata': 'echo "pg_control version number: 1700"; echo "Database cluster state: in production"',
    'pg_ctl': 'exit 0',
    // First the recovery poll (t, then f), then the query.
    'psql': `n=$(cat "${s.dir}/psql-calls" 2>/dev/null || echo 0); echo $((n + 1)) > "${s.dir}/psql-calls"
case "$n" in 0) echo t;; 1) echo f;; *) echo "restored: 4 databases, 7 MB";; esac`,
    ...overrides,
  };
  for (const [n, body] of Object.entries(stubs)) s.stub(n, body);
}

describe('verify-restore.sh (the restore verification CronJob)', () => {
  test('fetches LATEST, recovers to consistency with wal-g wal-fetch, checks the control file, queries, stops', () => {
    const c = cronJobContainer();
    expect(envOf(c).WALG_S3_PREFIX).toBe('s3://acme-pg/spilo/orders/wal/17');
    const s = new Sandbox();
    standardStubs(s);
    const r = s.run(c);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Database cluster state: in production');
    expect(r.stdout).toContain('restored: 4 databases, 7 MB');
    expect(r.stdout.trim().endsWith('restore verified')).toBe(true);
    const data = path.join(s.restore, 'data');
    expect(fs.existsSync(path.join(data, 'recovery.signal'))).toBe(true);
    const conf = fs.readFileSync(path.join(data, 'postgresql.auto.conf'), 'utf8');
    expect(conf).toContain('restore_command = \'wal-g wal-fetch "%f" "%p"\'');
    expect(conf).toContain("recovery_target = 'immediate'");
    expect(conf).toContain("recovery_target_action = 'promote'");
    expect(s.log[0]).toBe('wal-g backup-list');
    expect(s.log[1]).toBe(`wal-g backup-fetch ${data} LATEST`);
    expect(s.log[2]).toBe(`pg_controldata ${data}`);
    expect(s.log[3]).toMatch(new RegExp(`^pg_ctl -D ${data} -w -t 3600 -l ${s.restore}/postgres.log start -o -c ssl=off .*-c hot_standby=off`));
    expect(s.log.filter((l) => l.startsWith('psql'))).toHaveLength(3);
    expect(s.log[s.log.length - 1]).toBe(`pg_ctl -D ${data} -m fast stop`);
    s.cleanup();
  });

  test.each<[string, { [name: string]: string }, RegExp]>([
    ['no backup to fetch', { 'wal-g': '[ "$1" = backup-list ] && exit 0; echo "ERROR: No backups found" >&2; exit 1' }, /No backups found/],
    ['a control file without a state', { pg_controldata: 'echo garbage' }, /^$/],
    ['PostgreSQL does not start', { pg_ctl: 'case " $* " in *" start "*) echo "pg_ctl: could not start server" >&2; echo "FATAL: bad setting" > "$7"; exit 1;; esac' }, /could not start server[\s\S]*FATAL: bad setting/],
    ['the query fails', { psql: 'case "$*" in *pg_is_in_recovery*) echo f;; *) echo "ERROR: relation" >&2; exit 1;; esac' }, /ERROR: relation/],
  ])('fails (non-zero) when %s', (_name, overrides, stderr) => {
    const s = new Sandbox();
    standardStubs(s, overrides);
    const r = s.run(cronJobContainer());
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(stderr);
    expect(r.stdout).not.toContain('restore verified');
    s.cleanup();
  });
});
