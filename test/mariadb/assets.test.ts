// The MariaDBCluster scripts against stubs: mariadb-start.sh picks server_id and role from the
// ordinal and refuses an uncloned replica; mariadb-clone.sh starts a primary or a pod with data
// as it is. (Syntax and shellcheck: test/core/kit/assets.test.ts. The real programs end to end,
// cloning and replication included: test/runtime/mariadb-replication.test.ts.)
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ASSETS = path.join(__dirname, '../../src/mariadb/assets');

function sandbox() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mariadb-assets-'));
  const bin = path.join(dir, 'bin');
  const datadir = path.join(dir, 'data');
  fs.mkdirSync(bin);
  fs.mkdirSync(datadir);
  // The image's entrypoint and the clients: print how they were called.
  for (const p of ['docker-entrypoint.sh', 'mariadb-admin', 'socat', 'mbstream', 'mariadb-backup']) {
    fs.writeFileSync(path.join(bin, p), `#!/bin/sh\necho "${p} $*" >&2\n`, { mode: 0o755 });
  }
  const run = (script: string, hostname: string, args: string[] = [], extra: Record<string, string> = {}) => {
    const r = spawnSync('bash', [path.join(ASSETS, script), ...args], {
      env: { PATH: `${bin}:/usr/bin:/bin`, HOSTNAME: hostname, DATADIR: datadir, PRIMARY_ORDINAL: '0', SERVER_ID_BASE: '100', PRIMARY_HOST: 'db-0.h', PORT: '3306', CLONE_PORT: '3307', PEERS_HOST: 'nothing.invalid', PEER_WAIT: '0', ...extra },
      encoding: 'utf8',
      timeout: 10_000,
    });
    return { code: r.status, out: r.stdout + r.stderr };
  };
  return { datadir, run };
}

describe('mariadb-start.sh', () => {
  test('pod 0 is the primary: server_id 100, writable, the flags passed through', () => {
    const r = sandbox().run('mariadb-start.sh', 'db-0', ['--log-bin=mariadb-bin']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('docker-entrypoint.sh mariadbd --log-bin=mariadb-bin --server-id=100\n');
  });

  test('a cloned replica: server_id 100 + ordinal, read-only', () => {
    const s = sandbox();
    fs.mkdirSync(path.join(s.datadir, 'mysql'));
    const r = s.run('mariadb-start.sh', 'my-db-12');
    expect(r.code).toBe(0);
    expect(r.out).toContain('docker-entrypoint.sh mariadbd --server-id=112 --read-only=ON\n');
  });

  test.each([
    ['a replica without a cloned database', 'db-1', 'replica db-1 has no cloned database'],
    ['a pod name without an ordinal', 'db', "cannot read an ordinal from the pod name 'db'"],
  ])('refuses %s', (_, host, message) => {
    const r = sandbox().run('mariadb-start.sh', host);
    expect(r.code).toBe(1);
    expect(r.out).toContain(message);
    expect(r.out).not.toContain('docker-entrypoint.sh');
  });
});

describe('mariadb-clone.sh', () => {
  test('the primary with an empty volume and no server with data behind the headless Service is left to the entrypoint', () => {
    const r = sandbox().run('mariadb-clone.sh', 'db-0');
    expect([r.code, r.out]).toEqual([0, "ordinal 0 is the primary: no other server has data after 0s; the image's entrypoint initializes the empty data directory\n"]);
  });

  test('an empty primary refuses to initialize while a server with data answers', () => {
    const r = sandbox().run('mariadb-clone.sh', 'db-0', [], { PEERS_HOST: 'localhost' });
    expect(r.code).toBe(1);
    expect(r.out).toContain('refusing to initialize an empty primary: the server at 127.0.0.1 (behind localhost) runs with a database.');
  });

  test('a replica holding a database starts as it is, without contacting the primary', () => {
    const s = sandbox();
    fs.mkdirSync(path.join(s.datadir, 'mysql'));
    const r = s.run('mariadb-clone.sh', 'db-2');
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('socat');
    expect(r.out).toContain('holds a database: starting as it is');
  });

  test('a stream cut short (no checkpoints file) fails the init container and is not taken for a database', () => {
    const s = sandbox();
    fs.writeFileSync(path.join(s.datadir, 'leftover'), 'x');
    const r = s.run('mariadb-clone.sh', 'db-1');
    expect(r.code).toBe(1);
    expect(r.out).toContain('socat -u TCP:db-0.h:3307,connect-timeout=10 STDOUT');
    expect(r.out).toContain('the stream from db-0.h:3307 ended before the backup was complete');
    expect(fs.existsSync(path.join(s.datadir, 'leftover'))).toBe(false);
    expect(fs.existsSync(path.join(s.datadir, 'mysql'))).toBe(false);
  });
});

describe('mariadb-sidecar.sh', () => {
  // A mariadb client stub: logs its arguments and stdin; SHOW SLAVE STATUS prints a row when the
  // replica is configured already (CONFIGURED=1).
  function run(configured: boolean) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mariadb-sidecar-'));
    const bin = path.join(dir, 'bin');
    const datadir = path.join(dir, 'data');
    fs.mkdirSync(bin);
    fs.mkdirSync(datadir);
    const log = path.join(dir, 'log');
    fs.writeFileSync(path.join(bin, 'mariadb'), [
      '#!/bin/bash',
      `echo "mariadb $*" >> ${log}`,
      'case "$*" in *\'SHOW SLAVE STATUS\'*) [ "$CONFIGURED" = 1 ] && echo \'Waiting for master\'; exit 0 ;; *\'SELECT 1\'*) echo 1; exit 0 ;; esac',
      `cat >> ${log}`,
    ].join('\n') + '\n', { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'socat'), `#!/bin/sh\necho "socat $*" >> ${log}\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(datadir, '.replication-gtid'), '0-100-42\n');
    for (const [k, v] of [['root', 'rootpw'], ['repl', "re'pl"]]) fs.writeFileSync(path.join(dir, k), v);
    const cnf = path.join(dir, 'client.cnf');
    const r = spawnSync('bash', [path.join(ASSETS, 'mariadb-sidecar.sh')], {
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        HOSTNAME: 'db-1',
        DATADIR: datadir,
        SOCKET: '/run/mysqld/mysqld.sock',
        PRIMARY_ORDINAL: '0',
        PRIMARY_HOST: 'db-0.h',
        PORT: '3306',
        CLONE_PORT: '3307',
        REPLICATION_USER: 'replicator',
        ROOT_PASSWORD_FILE: path.join(dir, 'root'),
        REPLICATION_PASSWORD_FILE: path.join(dir, 'repl'),
        CONFIGURED: configured ? '1' : '0',
        CLIENT_CNF: cnf,
      },
      encoding: 'utf8',
      timeout: 10_000,
    });
    const mode = fs.statSync(cnf).mode % 0o1000;
    return { code: r.status, out: r.stdout + r.stderr, log: fs.readFileSync(log, 'utf8'), marker: fs.existsSync(path.join(datadir, '.replication-gtid')), mode };
  }

  test('a fresh clone: gtid_slave_pos from the marker, CHANGE MASTER with the escaped password on stdin, then serve clones', () => {
    const r = run(false);
    expect(r.code).toBe(0);
    expect(r.log).toContain("SET GLOBAL gtid_slave_pos = '0-100-42';");
    expect(r.log).toContain("MASTER_HOST = 'db-0.h', MASTER_PORT = 3306");
    expect(r.log).toContain("MASTER_PASSWORD = 're\\'pl'");
    expect(r.log).toContain('MASTER_USE_GTID = slave_pos');
    expect(r.log).not.toMatch(/mariadb .*rootpw/);
    expect(r.log).toContain('socat TCP-LISTEN:3307,reuseaddr,fork EXEC:bash');
    expect(r.marker).toBe(false);
    expect(r.mode).toBe(0o600);
  });

  test('a replica configured already (the marker outlived a run) is not rewound to the clone position', () => {
    const r = run(true);
    expect(r.code).toBe(0);
    expect(r.log).not.toContain('gtid_slave_pos');
    expect(r.log).not.toContain('CHANGE MASTER');
    expect(r.marker).toBe(false);
  });
});

describe('mariadb-ready.sh', () => {
  function ready(host: string, status: string | undefined, ping = true) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mariadb-ready-'));
    fs.writeFileSync(path.join(dir, 'mariadb-admin'), `#!/bin/sh\nexit ${ping ? 0 : 1}\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'status'), status ?? '');
    fs.writeFileSync(path.join(dir, 'mariadb'), status === undefined ? '#!/bin/sh\nexit 1\n' : `#!/bin/sh\ncat ${dir}/status\n`, { mode: 0o755 });
    const r = spawnSync('bash', [path.join(ASSETS, 'mariadb-ready.sh'), '3306'], {
      env: { PATH: `${dir}:/usr/bin:/bin`, HOSTNAME: host, PRIMARY_ORDINAL: '0', CLIENT_CNF: path.join(dir, 'cnf') }, encoding: 'utf8', timeout: 10_000,
    });
    return { code: r.status, out: r.stdout + r.stderr };
  }
  const row = (sql: string, ioErrno: string) => [
    '*************************** 1. row ***************************',
    '                Slave_IO_State: Waiting for master to send event',
    '              Slave_IO_Running: Yes',
    `             Slave_SQL_Running: ${sql}`,
    `                 Last_IO_Errno: ${ioErrno}`,
    '                Last_SQL_Error: ',
  ].join('\n') + '\n';

  test.each<[string, string, string | undefined, boolean, number]>([
    ['the primary answering', 'db-0', undefined, true, 0],
    ['the primary not answering', 'db-0', undefined, false, 1],
    ['a replicating replica', 'db-1', row('Yes', '0'), true, 0],
    ['a replica whose IO thread reconnects (primary down)', 'db-1', row('Yes', '2003'), true, 0],
    ['a replica whose SQL thread stopped', 'db-1', row('No', '0'), true, 1],
    ['a replica the primary cannot serve (1236)', 'db-2', row('Yes', '1236'), true, 1],
    ['a replica not configured yet', 'db-1', '', true, 1],
    ['a replica without the sidecar\'s credentials', 'db-1', undefined, true, 1],
  ])('%s', (_, host, status, ping, code) => {
    expect(ready(host, status, ping).code).toBe(code);
  });
});

