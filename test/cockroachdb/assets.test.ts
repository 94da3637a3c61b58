// start.sh and init.sh of src/cockroachdb/assets, run with the env the synthesized objects give
// them, against a `cockroach` stub on PATH (no CockroachDB binary is packaged for this machine).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { CockroachCluster, CockroachSecurity } from '../../src';
import { kubeletEnv } from '../util/kubelet-env';
import { container, ofKind, synthValidated } from '../util/validate';

const ASSETS = path.join(__dirname, '../../src/cockroachdb/assets');

function synth(security: CockroachSecurity, databases = [{ name: 'payments' }, { name: 'ledger', owner: 'fin' }]) {
  const c = new Chart(Testing.app(), 'test', { namespace: 'db' });
  new CockroachCluster(c, 'crdb', { security, databases, locality: {} });
  return synthValidated(c, { externalSecrets: ['crdb-node', 'crdb-root'] });
}
const SECURE = CockroachSecurity.fromSecrets({ nodeSecretName: 'crdb-node', rootClientSecretName: 'crdb-root' });

/** A sandbox with a `cockroach` stub: logs its argv and stdin, answers `init` per INIT_ANSWER. */
function sandbox() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crdb-asset-'));
  for (const d of ['bin', 'src', 'certs', 'pw']) fs.mkdirSync(path.join(dir, d));
  fs.writeFileSync(path.join(dir, 'bin', 'cockroach'), [
    '#!/bin/bash',
    'echo "cockroach $*" >> "$LOG"',
    'if [ "$1" = init ]; then n=$(cat "$LOG.init" 2>/dev/null || echo 0); echo $((n + 1)) > "$LOG.init";',
    '  case "$INIT_ANSWER" in ok) exit 0;; done) echo "ERROR: cluster has already been initialized" >&2; exit 1;;',
    '    wait) [ "$n" -ge 2 ] && exit 0; echo "connection refused" >&2; exit 1;; esac; fi',
    'if [ "$1" = sql ]; then cat >> "$LOG.sql"; fi',
  ].join('\n') + '\n', { mode: 0o755 });
  return dir;
}

describe('start.sh', () => {
  const objs = synth(SECURE);
  const main = container(ofKind(objs, 'StatefulSet')[0], 'cockroachdb');

  test('copies the node certificates with a 0600 key and starts with the join list, advertised name and locality', () => {
    const dir = sandbox();
    fs.writeFileSync(path.join(dir, 'src', 'ca.crt'), 'CA');
    fs.writeFileSync(path.join(dir, 'src', 'tls.crt'), 'CRT'); // a cert-manager Secret
    fs.writeFileSync(path.join(dir, 'src', 'tls.key'), 'KEY');
    fs.writeFileSync(path.join(dir, 'locality'), 'region=eu-west-1\nzone=eu-west-1b\n');
    const env = {
      ...kubeletEnv(main, { 'metadata.name': 'crdb-1', 'metadata.namespace': 'db' }),
      CERTS_SRC: path.join(dir, 'src'),
      CERTS_DIR: path.join(dir, 'certs'),
      LOCALITY_FILE: path.join(dir, 'locality'),
      LOG: path.join(dir, 'log'),
      PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`,
    };
    const r = spawnSync('bash', [path.join(ASSETS, 'start.sh')], { env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const argv = fs.readFileSync(path.join(dir, 'log'), 'utf8').trim();
    expect(argv).toBe('cockroach start --advertise-addr=crdb-1.crdb-headless.db.svc.cluster.local:26257 --listen-addr=:26257 --http-addr=:8080 ' +
      '--join=crdb-0.crdb-headless.db.svc.cluster.local:26257,crdb-1.crdb-headless.db.svc.cluster.local:26257,crdb-2.crdb-headless.db.svc.cluster.local:26257 ' +
      '--store=/cockroach/cockroach-data --cache=1024MiB --max-sql-memory=1024MiB --certs-dir=' + path.join(dir, 'certs') + ' --locality=region=eu-west-1,zone=eu-west-1b');
    expect(fs.readFileSync(path.join(dir, 'certs', 'node.key'), 'utf8')).toBe('KEY');
    expect(fs.statSync(path.join(dir, 'certs', 'node.key')).mode.toString(8).slice(-3)).toBe('600');
    expect(fs.readFileSync(path.join(dir, 'certs', 'node.crt'), 'utf8')).toBe('CRT');
  });

  test('an empty locality file stops the node instead of starting without a locality', () => {
    const dir = sandbox();
    fs.writeFileSync(path.join(dir, 'locality'), '');
    const env = {
      ...kubeletEnv(main, { 'metadata.name': 'crdb-0', 'metadata.namespace': 'db' }),
      INSECURE: 'true',
      LOCALITY_FILE: path.join(dir, 'locality'),
      LOG: path.join(dir, 'log'),
      PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`,
    };
    const r = spawnSync('bash', [path.join(ASSETS, 'start.sh')], { env, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('is empty');
    expect(fs.existsSync(path.join(dir, 'log'))).toBe(false);
  });
});

describe('init.sh', () => {
  const job = ofKind(synth(SECURE), 'Job').find((j) => j.metadata.name.startsWith('crdb-init-'));
  const c = job.spec.template.spec.containers[0];
  const run = (dir: string, answer: string, extra: Record<string, string> = {}) => spawnSync('bash', [path.join(ASSETS, 'init.sh')], {
    encoding: 'utf8',
    env: {
      ...kubeletEnv(c, { 'metadata.namespace': 'db' }),
      CERTS_SRC: path.join(dir, 'src'),
      CERTS_DIR: path.join(dir, 'certs'),
      PASSWORD_DIR: path.join(dir, 'pw'),
      LOG: path.join(dir, 'log'),
      INIT_ANSWER: answer,
      PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`,
      ...extra,
    },
  });
  const prepare = () => {
    const dir = sandbox();
    for (const [f, v] of [['ca.crt', 'CA'], ['client.root.crt', 'C'], ['client.root.key', 'K']]) fs.writeFileSync(path.join(dir, 'src', f), v);
    fs.writeFileSync(path.join(dir, 'pw', 'payments-password'), 'p1');
    fs.writeFileSync(path.join(dir, 'pw', 'fin-password'), "it's");
    return dir;
  };

  test('initializes once, then creates the databases and owners and sets their passwords (on stdin, quoted)', () => {
    const dir = prepare();
    const r = run(dir, 'ok');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('cluster initialized');
    const log = fs.readFileSync(path.join(dir, 'log'), 'utf8');
    expect(log.split('\n')[0]).toBe(`cockroach init --host=crdb-0.crdb-headless.db.svc.cluster.local:26257 --certs-dir=${path.join(dir, 'certs')}`);
    expect(log).not.toContain('p1');
    const sql = fs.readFileSync(path.join(dir, 'log.sql'), 'utf8');
    expect(sql).toBe([
      "CREATE USER IF NOT EXISTS payments; CREATE DATABASE IF NOT EXISTS payments; ALTER DATABASE payments OWNER TO payments; ALTER USER payments WITH PASSWORD 'p1';",
      "CREATE USER IF NOT EXISTS fin; CREATE DATABASE IF NOT EXISTS ledger; ALTER DATABASE ledger OWNER TO fin; ALTER USER fin WITH PASSWORD 'it''s';",
      '',
    ].join('\n'));
    expect(fs.statSync(path.join(dir, 'certs', 'client.root.key')).mode.toString(8).slice(-3)).toBe('600');
  });

  test('an initialized cluster is not initialized again: success, and the databases converge', () => {
    const dir = prepare();
    const r = run(dir, 'done');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('initialized already');
    expect(fs.readFileSync(path.join(dir, 'log.init'), 'utf8').trim()).toBe('1');
    expect(fs.readFileSync(path.join(dir, 'log.sql'), 'utf8')).toContain('CREATE DATABASE IF NOT EXISTS ledger');
  });

  test('retries while the nodes are not up yet', () => {
    const dir = prepare();
    const r = spawnSync('bash', ['-c', `sed 's/sleep 5/sleep 0/' "${path.join(ASSETS, 'init.sh')}" | bash`], {
      encoding: 'utf8',
      env: {
        ...kubeletEnv(c, { 'metadata.namespace': 'db' }),
        CERTS_SRC: path.join(dir, 'src'),
        CERTS_DIR: path.join(dir, 'certs'),
        PASSWORD_DIR: path.join(dir, 'pw'),
        LOG: path.join(dir, 'log'),
        INIT_ANSWER: 'wait',
        PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`,
      },
    });
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'log.init'), 'utf8').trim()).toBe('3');
  });
});
