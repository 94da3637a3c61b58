// start.sh, probe.sh, bootstrap.sh and reconcile.js of src/mongodb/assets, run as the synthesized
// StatefulSet wires them (command, env, mounted files) against stubs: a fake mongosh
// (test/mongodb/stubs/mongosh) that runs reconcile.js in a vm whose db, rs and Mongo answer from a
// scripted state of the local member and its peers, and records every change it is asked for.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Size, Testing } from 'cdk8s';
import { MongoReplicaSet, MongoReplicaSetProps } from '../../src';
import { kubeletEnv } from '../util/kubelet-env';
import { container, find, synthValidated } from '../util/validate';

const ASSETS = path.join(__dirname, '../../src/mongodb/assets');
const STUBS = path.join(__dirname, 'stubs');
const ROOT_PW = 'cm9vdC1wYXNzd29yZA';
const APP_PW = 'YXBwLXBhc3N3b3Jk';

function synth(props: MongoReplicaSetProps = {}) {
  const c = new Chart(Testing.app(), 'test', { namespace: 'db' });
  const rs = new MongoReplicaSet(c, 'mongo', props);
  const objs = synthValidated(c, { externalSecrets: [rs.secretName] });
  return { sts: find(objs, 'StatefulSet', 'mongo'), members: find(objs, 'ConfigMap', 'mongo-members'), scripts: find(objs, 'ConfigMap', 'mongo-scripts') };
}

const host = (i: number) => `mongo-${i}.mongo-headless.db.svc.cluster.local:27017`;

interface Pod {
  readonly dir: string;
  /** Runs one bootstrap pass in pod `mongo-<ordinal>`. */
  pass(ordinal: number, extraEnv?: { [k: string]: string }): { status: number | null; stdout: string; stderr: string; calls: any[] };
  state(): any;
  setState(s: any): void;
}

/**
 * A pod's files: the scripts ConfigMap at MONGO_SCRIPTS, the members ConfigMap and the Secret
 * (root and app passwords) at their mount paths, rewritten into a temp dir.
 */
function pod(props: MongoReplicaSetProps, state: any): Pod {
  const { sts, members, scripts } = synth(props);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-asset-'));
  for (const d of ['scripts', 'members', 'credentials']) fs.mkdirSync(path.join(dir, d));
  for (const [k, v] of Object.entries(scripts.data as Record<string, string>)) fs.writeFileSync(path.join(dir, 'scripts', k), v);
  for (const [k, v] of Object.entries(members.data as Record<string, string>)) {
    fs.writeFileSync(path.join(dir, 'members', k), v.replace(/\/etc\/mongodb\/credentials/g, path.join(dir, 'credentials')));
  }
  fs.writeFileSync(path.join(dir, 'credentials', 'root-password'), ROOT_PW);
  fs.writeFileSync(path.join(dir, 'credentials', 'app-password'), APP_PW);
  const statePath = path.join(dir, 'state.json');
  fs.writeFileSync(statePath, JSON.stringify(state));
  const sidecar = container(sts, 'bootstrap');
  expect(sidecar.command).toEqual(['bash', '/opt/cdk8s-stateful/mongodb/bootstrap.sh']);
  return {
    dir,
    pass(ordinal, extraEnv = {}) {
      const logPath = path.join(dir, 'calls.log');
      fs.writeFileSync(logPath, '');
      const env = {
        ...kubeletEnv(sidecar, { 'metadata.name': `mongo-${ordinal}`, 'metadata.namespace': 'db' }),
        MONGO_SCRIPTS: path.join(dir, 'scripts'),
        MONGO_MEMBERS_FILE: path.join(dir, 'members', 'members'),
        MONGO_USERS_FILE: path.join(dir, 'members', 'users'),
        MONGO_ROOT_PASSWORD_FILE: path.join(dir, 'credentials', 'root-password'),
        MONGO_RECONCILE_ONCE: '1',
        FAKE_MONGO_STATE: statePath,
        FAKE_MONGO_LOG: logPath,
        PATH: `${STUBS}:/usr/bin:/bin`,
        ...extraEnv,
      };
      const r = spawnSync('bash', [path.join(ASSETS, 'bootstrap.sh')], { env, encoding: 'utf8' });
      const calls = fs.readFileSync(logPath, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l));
      return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls };
    },
    state: () => JSON.parse(fs.readFileSync(statePath, 'utf8')),
    setState: (s: any) => fs.writeFileSync(statePath, JSON.stringify(s)),
  };
}

/** A member without a replica set config, as `hello` reports it. */
const fresh = { isWritablePrimary: false, secondary: false, isreplicaset: true, info: 'Does not have a valid replica set config' };
const inSet = (primary: boolean) => ({ setName: 'mongo', isWritablePrimary: primary, secondary: !primary });
const config = (ordinals: number[]) => ({ _id: 'mongo', members: ordinals.map((i) => ({ _id: i, host: host(i) })) });

describe('bootstrap.sh + reconcile.js: initiate', () => {
  test('the first ordinal initiates once, with every member by its stable DNS name; the second pass changes nothing', () => {
    const p = pod({}, { local: fresh, peers: { [host(1)]: fresh, [host(2)]: fresh } });
    const first = p.pass(0);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.calls).toEqual([{ initiate: config([0, 1, 2]) }]);
    expect(first.stdout).toContain(`initiated replica set 'mongo' with ${host(0)}, ${host(1)}, ${host(2)}`);
    // Not primary yet (the election takes seconds): nothing to do.
    const second = p.pass(0);
    expect(second.status).toBe(0);
    expect(second.calls).toEqual([]);
  });

  test('never when a peer already belongs to a set (e.g. member 0 lost its disk)', () => {
    const p = pod({}, { local: fresh, peers: { [host(1)]: inSet(true), [host(2)]: inSet(false) } });
    const r = p.pass(0);
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([]);
    expect(r.stdout).toContain(`not initiating: ${host(1)} already belongs to replica set 'mongo'`);
  });

  test('never while a peer does not answer', () => {
    const p = pod({}, { local: fresh, peers: { [host(1)]: fresh } });
    const r = p.pass(0);
    expect(r.calls).toEqual([]);
    expect(r.stdout).toContain(`not initiating: ${host(2)} does not answer`);
  });

  test('never from another ordinal', () => {
    const p = pod({}, { local: fresh, peers: { [host(0)]: fresh, [host(2)]: fresh } });
    const r = p.pass(1);
    expect(r.calls).toEqual([]);
    expect(r.stdout).toContain('mongo-0 initiates the set, or the primary adds this member');
  });

  test('a pass that hangs is stopped after MONGO_RECONCILE_TIMEOUT seconds', () => {
    const p = pod({}, { local: fresh, hang: true });
    const r = p.pass(0, { MONGO_RECONCILE_TIMEOUT: '1' });
    expect(r.status).toBe(124);
  });

  test('a pass that cannot reach its mongod fails, and bootstrap.sh reports the status', () => {
    const p = pod({}, { local: fresh, down: true });
    const r = p.pass(0);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ECONNREFUSED');
  });
});

describe('bootstrap.sh + reconcile.js: with an arbiter', () => {
  const arb = 'mongo-arbiter-0.mongo-arbiter-headless.db.svc.cluster.local:27017';

  test('the set is initiated with the arbiter (_id 255, arbiterOnly) once it answers too', () => {
    const p = pod({ replicas: 2, arbiter: true }, { local: fresh, peers: { [host(1)]: fresh } });
    expect(p.pass(0).stdout).toContain(`not initiating: ${arb} does not answer`);
    p.setState({ ...p.state(), peers: { [host(1)]: fresh, [arb]: fresh } });
    const r = p.pass(0);
    expect(r.calls).toEqual([{ initiate: { _id: 'mongo', members: [{ _id: 0, host: host(0) }, { _id: 1, host: host(1) }, { _id: 255, host: arb, arbiterOnly: true }] } }]);
  });

  test('the primary adds a missing arbiter with rs.addArb, after the data members', () => {
    const p = pod({ replicas: 2, arbiter: true }, {
      local: inSet(true),
      config: config([0]),
      users: { root: { pwd: ROOT_PW }, app: { pwd: APP_PW } },
      peers: { [host(1)]: fresh, [arb]: fresh },
    });
    expect(p.pass(0).calls).toEqual([{ add: { _id: 1, host: host(1) } }]);
    expect(p.pass(0).calls).toEqual([{ addArb: arb }]);
    expect(p.pass(0).calls).toEqual([]);
  });
});

describe('bootstrap.sh + reconcile.js: on the primary', () => {
  test('creates root through the localhost exception, then the app user; the next pass creates nothing', () => {
    const p = pod({}, { local: inSet(true), config: config([0, 1, 2]) });
    const r = p.pass(0);
    expect(r.stderr).toBe('');
    expect(r.calls).toEqual([
      { createUser: 'root', roles: [{ role: 'root', db: 'admin' }] },
      { createUser: 'app', roles: [{ role: 'readWrite', db: 'app' }] },
    ]);
    expect(p.state().users.root.pwd).toBe(ROOT_PW);
    expect(p.state().users.app.pwd).toBe(APP_PW);
    expect(p.pass(0).calls).toEqual([]);
  });

  test('a secondary does nothing', () => {
    const p = pod({}, { local: inSet(false), config: config([0, 1, 2]) });
    expect(p.pass(1).calls).toEqual([]);
  });

  test('a root password that does not match fails the pass without touching users', () => {
    const p = pod({}, { local: inSet(true), config: config([0, 1, 2]), users: { root: { pwd: 'other' } } });
    const r = p.pass(0);
    expect(r.status).toBe(1);
    expect(r.calls).toEqual([]);
    expect(r.stderr).toContain('command createUser requires authentication');
  });

  test('scale-up 3 → 5: adds the missing members that answer, one per pass, with their ordinal as _id', () => {
    const p = pod({ replicas: 5 }, {
      local: inSet(true),
      config: config([0, 1, 2]),
      users: { root: { pwd: ROOT_PW }, app: { pwd: APP_PW } },
      peers: { [host(3)]: fresh, [host(4)]: fresh },
    });
    expect(p.pass(0).calls).toEqual([{ add: { _id: 3, host: host(3) } }]);
    expect(p.pass(0).calls).toEqual([{ add: { _id: 4, host: host(4) } }]);
    expect(p.pass(0).calls).toEqual([]);
    expect(p.state().config.members.map((m: any) => m.host)).toEqual([0, 1, 2, 3, 4].map(host));
  });

  test('a new member that does not answer yet is not added', () => {
    const p = pod({ replicas: 4 }, { local: inSet(true), config: config([0, 1, 2]), users: { root: { pwd: ROOT_PW }, app: { pwd: APP_PW } } });
    const r = p.pass(0);
    expect(r.calls).toEqual([]);
    expect(r.stdout).toContain(`${host(3)} does not answer`);
  });

  test('scale-down 5 → 3: members beyond replicas stay unless removeMembersOnScaleDown', () => {
    const state = { local: inSet(true), config: config([0, 1, 2, 3, 4]), users: { root: { pwd: ROOT_PW }, app: { pwd: APP_PW } } };
    const kept = pod({}, state);
    const r = kept.pass(0);
    expect(r.calls).toEqual([]);
    expect(r.stdout).toContain(`${host(3)}, ${host(4)} are members beyond replicas; not removing them`);

    const removing = pod({ removeMembersOnScaleDown: true }, state);
    expect(removing.pass(0).calls).toEqual([{ remove: host(4) }]);
    expect(removing.pass(0).calls).toEqual([{ remove: host(3) }]);
    expect(removing.pass(0).calls).toEqual([]);
  });

  test('members that are not pods of this StatefulSet are never removed', () => {
    const cfg = config([0, 1, 2]);
    cfg.members.push({ _id: 9, host: 'backup-0.elsewhere.db.svc.cluster.local:27017' });
    const p = pod({ removeMembersOnScaleDown: true }, { local: inSet(true), config: cfg, users: { root: { pwd: ROOT_PW }, app: { pwd: APP_PW } } });
    expect(p.pass(0).calls).toEqual([]);
  });
});

describe('probe.sh', () => {
  function probe(local: any) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-probe-'));
    const statePath = path.join(dir, 'state.json');
    fs.writeFileSync(statePath, JSON.stringify({ local }));
    const { sts } = synth();
    expect(container(sts, 'mongod').readinessProbe.exec.command).toEqual(['bash', '/opt/cdk8s-stateful/mongodb/probe.sh']);
    return spawnSync('bash', [path.join(ASSETS, 'probe.sh')], {
      env: { PATH: `${STUBS}:/usr/bin:/bin`, MONGO_PORT: '27017', FAKE_MONGO_STATE: statePath, FAKE_MONGO_LOG: path.join(dir, 'log') },
      encoding: 'utf8',
    });
  }

  test.each([
    ['primary', inSet(true), 0],
    ['secondary', inSet(false), 0],
    ['not in a set yet', fresh, 1],
    ['recovering', { setName: 'mongo', isWritablePrimary: false, secondary: false }, 1],
    ['arbiter', { setName: 'mongo', isWritablePrimary: false, secondary: false, arbiterOnly: true }, 0],
  ])('%s', (_name, local, status) => {
    expect(probe(local).status).toBe(status);
  });
});

describe('start.sh', () => {
  test('copies the keyfile with mode 0400 in the base64 alphabet, then runs mongod with its arguments', () => {
    const { sts } = synth();
    const main = container(sts, 'mongod');
    expect(main.command).toEqual(['bash', '/opt/cdk8s-stateful/mongodb/start.sh']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-start-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    // A numactl that does not work here (as under a seccomp profile that forbids set_mempolicy).
    fs.writeFileSync(path.join(dir, 'bin', 'numactl'), '#!/bin/bash\nexit 1\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'bin', 'mongod'), '#!/bin/bash\necho "mongod $*"\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'secret-keyfile'), 'ab-cd_EF12-_xy', { mode: 0o440 });
    const env = {
      ...kubeletEnv(main, {}),
      MONGO_KEYFILE_SOURCE: path.join(dir, 'secret-keyfile'),
      MONGO_KEYFILE: path.join(dir, 'keyfile'),
      PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`,
    };
    const r = spawnSync('bash', [path.join(ASSETS, 'start.sh'), ...main.args], { env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`mongod ${main.args.slice(1).join(' ')}`);
    expect(fs.readFileSync(path.join(dir, 'keyfile'), 'utf8')).toBe('ab+cd/EF12+/xy');
    expect((fs.statSync(path.join(dir, 'keyfile')).mode % 0o1000).toString(8)).toBe('400');
    // A restart finds the read-only copy and replaces it.
    expect(spawnSync('bash', [path.join(ASSETS, 'start.sh'), ...main.args], { env, encoding: 'utf8' }).status).toBe(0);
  });

  test('a missing key stops the start with the reason', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-start-'));
    const r = spawnSync('bash', [path.join(ASSETS, 'start.sh'), 'mongod'], {
      env: { MONGO_KEYFILE_SOURCE: path.join(dir, 'none'), MONGO_KEYFILE: path.join(dir, 'keyfile'), PATH: '/usr/bin:/bin' }, encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('keyfile');
  });
});

describe('dump.sh', () => {
  test('mongodump --archive --gzip --oplog with the password in a 0600 config file, renamed when complete; keeps the newest KEEP', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'db' });
    const rs = new MongoReplicaSet(c, 'mongo', { backup: { size: Size.gibibytes(5), keep: 3 } });
    const objs = synthValidated(c, { externalSecrets: [rs.secretName] });
    const job = find(objs, 'CronJob', 'mongo-backup').spec.jobTemplate.spec.template.spec.containers[0];
    expect(job.command.slice(0, 2)).toEqual(['bash', '-ec']);
    expect(job.command[2]).toBe(fs.readFileSync(path.join(ASSETS, 'dump.sh'), 'utf8'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-dump-'));
    for (const d of ['bin', 'backup', 'tmp']) fs.mkdirSync(path.join(dir, d));
    fs.writeFileSync(path.join(dir, 'root-password'), ROOT_PW);
    // Records its arguments and the config it was given, and writes the archive.
    fs.writeFileSync(path.join(dir, 'bin', 'mongodump'), [
      '#!/bin/bash',
      'echo "$*" > "$DUMP_LOG"; cfg=""; out=""',
      'while [ $# -gt 0 ]; do case "$1" in --config) cfg="$2"; shift;; --archive=*) out="${1#--archive=}";; esac; shift; done',
      'cat "$cfg" >> "$DUMP_LOG"; stat -c %a "$cfg" >> "$DUMP_LOG"; echo archive > "$out"',
    ].join('\n'), { mode: 0o755 });
    for (const old of ['20250101T020000Z', '20250102T020000Z', '20250103T020000Z']) fs.writeFileSync(path.join(dir, 'backup', `${old}.archive.gz`), 'old');
    fs.writeFileSync(path.join(dir, 'backup', '.partial-20250104T020000Z.archive.gz'), 'stopped run');
    const env = {
      ...kubeletEnv(job, {}),
      MONGO_PASSWORD_FILE: path.join(dir, 'root-password'),
      BACKUP_DIR: path.join(dir, 'backup'),
      TMPDIR: path.join(dir, 'tmp'),
      DUMP_LOG: path.join(dir, 'dump.log'),
      PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`,
    };
    const r = spawnSync('bash', ['-ec', job.command[2], 'dump'], { env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [argv, cfg, mode] = fs.readFileSync(path.join(dir, 'dump.log'), 'utf8').trim().split('\n');
    expect(argv).toMatch(/^--config \S+\/mongodump.yaml --archive=\S+\/\.partial-\d{8}T\d{6}Z\.archive\.gz --gzip --oplog$/);
    expect(cfg).toBe(`uri: "mongodb://root:${ROOT_PW}@mongo-0.mongo-headless:27017,mongo-1.mongo-headless:27017,mongo-2.mongo-headless:27017` +
      '/?replicaSet=mongo&authSource=admin"');
    expect(mode).toBe('600');
    const left = fs.readdirSync(path.join(dir, 'backup')).sort();
    expect(left).toHaveLength(3);
    expect(left.slice(0, 2)).toEqual(['20250102T020000Z.archive.gz', '20250103T020000Z.archive.gz']);
    expect(left[2]).toMatch(/^2\d{7}T\d{6}Z\.archive\.gz$/);
    expect(r.stdout).toContain('removed');
  });
});
