// The etcd assets run as the manifests wire them: etcd-join.sh against stub etcd/etcdctl (every
// branch of its decision), etcd-snapshot.py and etcd-defrag.py against a real single-member etcd
// on loopback (Debian's etcd-server; skipped when it is not installed).
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ASSETS = path.join(__dirname, '../../src/etcd/assets');
const JOIN = path.join(ASSETS, 'etcd-join.sh');
const PEERS = 'e-0=http://e-0.h:2380,e-1=http://e-1.h:2380,e-2=http://e-2.h:2380';

function sandbox(memberList: string | undefined) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcd-join-'));
  const log = path.join(dir, 'log');
  // etcdctl: `member list` prints the list file (or fails: no cluster); `member add/remove` edit it
  // as etcd would (an added member is unstarted and unnamed); every call is logged.
  const list = path.join(dir, 'members');
  if (memberList !== undefined) fs.writeFileSync(list, memberList + '\n');
  fs.writeFileSync(path.join(dir, 'etcdctl'), `#!/bin/sh\necho "etcdctl $*" >> ${log}\n` + (memberList === undefined ? 'exit 1\n' : [
    'for a do case $a in --peer-urls=*) url=${a#*=} ;; esac; done',
    'case "$*" in',
    `  *"member list"*) cat ${list} ;;`,
    `  *"member add"*) echo "ff, unstarted, , $url, , false" >> ${list} ;;`,
    `  *"member remove"*) id=$(for a do last=$a; done; echo "$last"); grep -v "^$id, " ${list} > ${list}.new; mv ${list}.new ${list} ;;`,
    'esac',
  ].join('\n') + '\n'), { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'etcd'), `#!/bin/sh\necho "etcd $*" >> ${log}\n`, { mode: 0o755 });
  const run = (name: string) => {
    const r = spawnSync('/bin/busybox', ['sh', JOIN, `--name=${name}`, `--data-dir=${dir}/data`, `--initial-cluster=${PEERS}`,
      `--initial-advertise-peer-urls=http://${name}.h:2380`, '--initial-cluster-state=new'],
    { env: { PATH: '/usr/bin:/bin', CLIENT_PORT: '2379', BUSYBOX: '/bin/busybox', ETCD_BIN: `${dir}/etcd`, ETCDCTL_BIN: `${dir}/etcdctl` }, encoding: 'utf8' });
    return { code: r.status, out: r.stdout + r.stderr, log: fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '' };
  };
  return { dir, run };
}

const skipBusybox = !fs.existsSync('/bin/busybox');
(skipBusybox ? describe.skip : describe)('etcd-join.sh', () => {
  test('no member answers (bootstrap): starts as the manifest says', () => {
    const r = sandbox(undefined).run('e-0');
    expect(r.code).toBe(0);
    expect(r.log).toContain('etcd --name=e-0 --data-dir=');
    expect(r.log).toContain(`--initial-cluster=${PEERS} `);
    expect(r.log).toContain('--initial-cluster-state=new');
  });

  test('a bootstrap member that never started (no client URLs): starts as new, adds nothing', () => {
    const r = sandbox('1, started, e-0, http://e-0.h:2380, , false\n2, started, e-1, http://e-1.h:2380, http://e-1.h:2379, false').run('e-0');
    expect(r.log).not.toContain('member add');
    expect(r.log).toContain('--initial-cluster-state=new');
  });

  test('no data but listed as started: removes the stale entry, re-adds itself, starts as existing, a restart keeps the list', () => {
    const list = 'aa, started, e-0, http://e-0.h:2380, http://e-0.h:2379, false\nbb, started, e-1, http://e-1.h:2380, http://e-1.h:2379, false\n' +
      'cc, started, e-2, http://e-2.h:2380, http://e-2.h:2379, false';
    const s = sandbox(list);
    const r = s.run('e-2');
    expect(r.code).toBe(0);
    expect(r.out).toContain('e-2 has no data but the cluster lists it (cc): replacing the stale member');
    expect(r.log).toContain('etcdctl --endpoints=http://e-0.h:2379 --dial-timeout=2s --command-timeout=10s member remove cc');
    expect(r.log).toContain('member add e-2 --peer-urls=http://e-2.h:2380');
    // The re-added member is listed last, unnamed: named from the manifest's list.
    const joined = 'e-0=http://e-0.h:2380,e-1=http://e-1.h:2380,e-2=http://e-2.h:2380';
    expect(r.log).toContain(`--initial-cluster=${joined} `);
    expect(r.log).toContain('--initial-cluster-state=existing');
    expect(fs.readFileSync(`${s.dir}/data.rejoining`, 'utf8')).toBe(joined);
    const again = s.run('e-2');
    expect(again.out).toContain('starting e-2 as existing');
    fs.mkdirSync(`${s.dir}/data/member`, { recursive: true });
    expect(s.run('e-2').out).toContain('starting e-2 as new');
    expect(fs.existsSync(`${s.dir}/data.rejoining`)).toBe(false);
  });

  test('scale-up: a member not in the cluster adds itself and joins with the current members, the unnamed new one named', () => {
    const list = 'aa, started, e-0, http://e-0.h:2380, http://e-0.h:2379, false\nbb, started, e-1, http://e-1.h:2380, http://e-1.h:2379, false\n' +
      'cc, started, e-2, http://e-2.h:2380, http://e-2.h:2379, false';
    const s = sandbox(list);
    const r = s.run('e-3');
    expect(r.out).toContain('e-3 has no data and is not a member: adding it');
    expect(r.log).toContain('member add e-3 --peer-urls=http://e-3.h:2380');
    // etcd refuses an existing-state start whose list is not the cluster's: 4 members, not the manifest's 3.
    expect(r.log).toContain(`--initial-cluster=${PEERS},e-3=http://e-3.h:2380 `);
    expect(r.log).toContain('--initial-cluster-state=existing');
  });

  test('missing flags: exits 2', () => {
    const r = spawnSync('/bin/busybox', ['sh', JOIN, '--name=x'], { env: { CLIENT_PORT: '1' }, encoding: 'utf8' });
    expect(r.status).toBe(2);
  });
});

const haveEtcd = fs.existsSync('/usr/bin/etcd') && fs.existsSync('/usr/bin/etcdctl');
(haveEtcd ? describe : describe.skip)('etcd-snapshot.py and etcd-defrag.py against a real etcd', () => {
  let proc: ChildProcess;
  let dir: string;
  const url = 'http://127.0.0.77:23791';
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcd-py-'));
    proc = spawn('/usr/bin/etcd', ['--name=m', `--data-dir=${dir}/d`, `--listen-client-urls=${url}`, `--advertise-client-urls=${url}`,
      '--listen-peer-urls=http://127.0.0.77:23801', '--initial-advertise-peer-urls=http://127.0.0.77:23801', '--initial-cluster=m=http://127.0.0.77:23801'],
    { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (spawnSync('/usr/bin/etcdctl', [`--endpoints=${url}`, 'put', 'k/a', 'b'], { env: { ETCDCTL_API: '3' } }).status === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('etcd did not start');
  });
  afterAll(() => { proc?.kill('SIGKILL'); fs.rmSync(dir, { recursive: true, force: true }); });

  const py = (script: string, env: Record<string, string>) =>
    spawnSync('python3', [path.join(ASSETS, script)], { env: { PATH: process.env.PATH!, ...env }, encoding: 'utf8' });

  test('etcd-snapshot.py saves a hash-checked snapshot (an unreachable member is skipped) and keeps the newest KEEP', async () => {
    const b = path.join(dir, 'b');
    fs.mkdirSync(b);
    fs.writeFileSync(path.join(b, 'etcd-20000101T000000Z-rev1.db'), 'old');
    const r = py('etcd-snapshot.py', { ETCD_ENDPOINTS: `http://127.0.0.77:1,${url}`, BACKUP_DIR: b, KEEP: '1' });
    expect(r.stderr + r.stdout).toContain('etcd-snapshot: saved');
    expect(r.status).toBe(0);
    const files = fs.readdirSync(b);
    expect(files).toHaveLength(1);
    const st = spawnSync('/usr/bin/etcdctl', ['snapshot', 'status', path.join(b, files[0]), '-w', 'json'], { env: { ETCDCTL_API: '3' }, encoding: 'utf8' });
    expect(JSON.parse(st.stdout).totalKey).toBeGreaterThanOrEqual(1);
  });

  test('etcd-defrag.py defragments every member and fails when one does not answer', () => {
    const ok = py('etcd-defrag.py', { ETCD_ENDPOINTS: url });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/etcd-defrag: http:\/\/127\.0\.0\.77:23791: \d+ -> \d+ bytes/);
    const bad = py('etcd-defrag.py', { ETCD_ENDPOINTS: `${url},http://127.0.0.77:1` });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('-> ');
  });
});
