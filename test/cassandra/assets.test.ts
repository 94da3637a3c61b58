// start.sh, ready.sh and auth.sh of src/cassandra/assets, run with the env the synthesized
// objects give them, against `cassandra`, `nodetool` and `cqlsh` stubs on PATH (Cassandra is not
// packaged for this machine).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { CassandraCluster } from '../../src';
import { kubeletEnv } from '../util/kubelet-env';
import { container, find, ofKind, synthValidated } from '../util/validate';

const ASSETS = path.join(__dirname, '../../src/cassandra/assets');

const c = new Chart(Testing.app(), 'test', { namespace: 'events' });
new CassandraCluster(c, 'cass', { keyspaces: [{ name: 'telemetry', role: 'ingest' }] });
const objs = synthValidated(c);
const sts = find(objs, 'StatefulSet', 'cass');
const cm = find(objs, 'ConfigMap', 'cass-config');
const main = container(sts, 'cassandra');

function sandbox() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cass-asset-'));
  for (const d of ['bin', 'image-conf', 'conf', 'tpl', 'pw']) fs.mkdirSync(path.join(dir, d));
  for (const [k, v] of Object.entries(cm.data as Record<string, string>)) fs.writeFileSync(path.join(dir, 'tpl', k), v);
  fs.writeFileSync(path.join(dir, 'image-conf', 'jvm17-server.options'), '-Xss256k\n');
  fs.writeFileSync(path.join(dir, 'image-conf', 'cassandra.yaml'), 'image default\n');
  fs.writeFileSync(path.join(dir, 'bin', 'cassandra'), '#!/bin/bash\necho "cassandra $* CONF=$CASSANDRA_CONF"\n', { mode: 0o755 });
  return dir;
}

describe('start.sh', () => {
  const env = (dir: string, extra: Record<string, string> = {}) => ({
    ...kubeletEnv(main, { 'metadata.name': 'cass-1', 'metadata.namespace': 'events', 'status.podIP': '10.1.2.3' }),
    CONF_DIR: path.join(dir, 'conf'),
    TEMPLATE_DIR: path.join(dir, 'tpl'),
    IMAGE_CONF: path.join(dir, 'image-conf'),
    PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`,
    ...extra,
  });

  test('writes cassandra.yaml with the pod IP and seeds over a copy of the image\'s configuration, then cassandra -f', () => {
    const dir = sandbox();
    const r = spawnSync('bash', [path.join(ASSETS, 'start.sh')], { env: env(dir), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`cassandra -f CONF=${path.join(dir, 'conf')}`);
    const yaml = fs.readFileSync(path.join(dir, 'conf', 'cassandra.yaml'), 'utf8');
    expect(yaml).toContain('listen_address: 10.1.2.3\nbroadcast_address: 10.1.2.3\n');
    expect(yaml).toContain('- seeds: "cass-0.cass-headless.events.svc.cluster.local,cass-1.cass-headless.events.svc.cluster.local,cass-2.cass-headless.events.svc.cluster.local"');
    expect(yaml).not.toContain('@');
    expect(fs.readFileSync(path.join(dir, 'conf', 'jvm17-server.options'), 'utf8')).toBe('-Xss256k\n');
    expect(fs.readFileSync(path.join(dir, 'conf', 'cassandra-rackdc.properties'), 'utf8')).toBe('dc=dc1\nrack=rack1\nprefer_local=true\n');
  });

  test('the rack comes from the node label file; a file without one stops the node', () => {
    const dir = sandbox();
    fs.writeFileSync(path.join(dir, 'loc'), 'rack=eu-west-1c\n');
    expect(spawnSync('bash', [path.join(ASSETS, 'start.sh')], { env: env(dir, { LOCALITY_FILE: path.join(dir, 'loc') }), encoding: 'utf8' }).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'conf', 'cassandra-rackdc.properties'), 'utf8')).toContain('rack=eu-west-1c\n');
    fs.writeFileSync(path.join(dir, 'loc'), '');
    const r = spawnSync('bash', [path.join(ASSETS, 'start.sh')], { env: env(dir, { LOCALITY_FILE: path.join(dir, 'loc') }), encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('no rack');
  });
});

describe('ready.sh', () => {
  const run = (status: string) => {
    const dir = sandbox();
    fs.writeFileSync(path.join(dir, 'bin', 'nodetool'), `#!/bin/bash\ncat <<'EOF'\n${status}\nEOF\n`, { mode: 0o755 });
    return spawnSync('bash', [path.join(ASSETS, 'ready.sh')], { env: { POD_IP: '10.1.2.3', CONF_DIR: '/x', PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin` } }).status;
  };
  test('ready when this node is UN; not when joining (UJ), down, or only another node is UN', () => {
    expect(run('UN  10.1.2.3  1.2 MiB  16  ?  abc  rack1')).toBe(0);
    expect(run('UJ  10.1.2.3  1.2 MiB  16  ?  abc  rack1')).not.toBe(0);
    expect(run('DN  10.1.2.3  1.2 MiB  16  ?  abc  rack1')).not.toBe(0);
    expect(run('UN  10.1.2.30  1.2 MiB  16  ?  abc  rack1')).not.toBe(0);
  });
});

describe('auth.sh', () => {
  const job = ofKind(objs, 'Job').find((j) => j.metadata.name.startsWith('cass-auth-'));
  const jc = job.spec.template.spec.containers[0];
  /** cqlsh stub: logins per STATE (new|done), statements on stdin or -e appended to $LOG. */
  const run = (state: string) => {
    const dir = sandbox();
    fs.writeFileSync(path.join(dir, 'pw', 'admin-password'), "adm'pw");
    fs.writeFileSync(path.join(dir, 'pw', 'ingest-password'), 'ing');
    fs.writeFileSync(path.join(dir, 'bin', 'cqlsh'), [
      '#!/bin/bash',
      'rc="${1#--cqlshrc=}"; shift',
      'user="$(sed -n "s/^username = //p" "$rc")"; pw="$(sed -n "s/^password = //p" "$rc")"',
      'echo "login $user" >> "$LOG"',
      'ok=false',
      'if [ "$user" = admin ] && { [ "$STATE" = done ] || [ -f "$LOG.admin" ]; } && [ "$pw" = "adm\'pw" ]; then ok=true; fi',
      'if [ "$user" = cassandra ] && [ "$STATE" = new ] && [ "$pw" = cassandra ] && [ ! -f "$LOG.admin" ]; then ok=true; fi',
      '$ok || { echo "Provided username $user and/or password are incorrect" >&2; exit 1; }',
      'if [ "${1:-}" = -e ]; then echo "$2" >> "$LOG"; else cat >> "$LOG"; fi',
      'grep -q "CREATE ROLE IF NOT EXISTS admin" "$LOG" && touch "$LOG.admin"',
      'exit 0',
    ].join('\n') + '\n', { mode: 0o755 });
    const r = spawnSync('bash', [path.join(ASSETS, 'auth.sh')], {
      encoding: 'utf8',
      env: {
        ...kubeletEnv(jc, {}),
        PASSWORD_DIR: path.join(dir, 'pw'),
        ADMIN_PASSWORD_FILE: path.join(dir, 'pw', 'admin-password'),
        TMPDIR: dir,
        LOG: path.join(dir, 'log'),
        STATE: state,
        SLEEP: '0',
        TRIES: '3',
        PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`,
      },
    });
    return { r, log: fs.existsSync(path.join(dir, 'log')) ? fs.readFileSync(path.join(dir, 'log'), 'utf8') : '' };
  };

  test('a new cluster: admin created with the Secret\'s password, system_auth replicated, the default role disabled, keyspace and role', () => {
    const { r, log } = run('new');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(log).toContain("CREATE ROLE IF NOT EXISTS admin WITH PASSWORD = 'adm''pw' AND SUPERUSER = true AND LOGIN = true;");
    expect(log).toContain("ALTER KEYSPACE system_auth WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3};");
    expect(log).toMatch(/ALTER ROLE cassandra WITH PASSWORD = '[0-9a-f]{64}' AND SUPERUSER = false AND LOGIN = false;/);
    expect(log).toContain("CREATE KEYSPACE IF NOT EXISTS telemetry WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3};");
    expect(log).toContain("ALTER ROLE ingest WITH PASSWORD = 'ing';\nGRANT ALL PERMISSIONS ON KEYSPACE telemetry TO ingest;");
    // Disabling the default role happens as admin, after admin exists.
    const lines = log.split('\n');
    const disable = lines.findIndex((l) => l.startsWith('ALTER ROLE cassandra'));
    expect(lines.slice(0, disable).filter((l) => l.startsWith('login ')).pop()).toBe('login admin');
  });

  test('an existing cluster: admin logs in, the default superuser is never used, keyspaces converge', () => {
    const { r, log } = run('done');
    expect(r.status).toBe(0);
    expect(log).not.toContain('login cassandra');
    expect(log).not.toContain('CREATE ROLE IF NOT EXISTS admin');
    expect(log).toContain('GRANT ALL PERMISSIONS ON KEYSPACE telemetry TO ingest;');
  });
});
