/** psql against an emulated pod's address (the host reaches the pods through the bridge). */
import { execFile } from 'child_process';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
export const PSQL = `${PG_BIN}/psql`;

export function psql(host: string, user: string, password: string, db: string, sql: string, extraEnv: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(PSQL, ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-h', host, '-U', user, '-d', db, '-c', sql],
      { timeout: 30_000, killSignal: 'SIGKILL', env: { PGPASSWORD: password, PGCONNECT_TIMEOUT: '5', PATH: '/usr/bin:/bin', ...extraEnv } },
      (err, stdout, stderr) => (err ? reject(new Error(`psql ${user}@${host}/${db}: ${stderr || err.message}`)) : resolve(stdout.trim())));
  });
}

/** Like psql, also returning stderr (warnings) and the elapsed time. */
export function psqlTimed(host: string, user: string, password: string, db: string, sql: string): Promise<{ out: string; err: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    execFile(PSQL, ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-h', host, '-U', user, '-d', db, '-c', sql],
      { timeout: 30_000, killSignal: 'SIGKILL', env: { PGPASSWORD: password, PGCONNECT_TIMEOUT: '5', PATH: '/usr/bin:/bin' } },
      (err, stdout, stderr) => (err ? reject(new Error(`psql ${user}@${host}/${db}: ${stderr || err.message}`))
        : resolve({ out: stdout.trim(), err: stderr, ms: Date.now() - t0 })));
  });
}
