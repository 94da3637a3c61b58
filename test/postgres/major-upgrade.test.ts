// Major-version upgrades (issue 11 part 6): the Job PostgresCluster writes for `upgradeFrom`, its
// RBAC, the bad-prop table, and assets/major-upgrade.sh run the way the Job's `kubectl exec`
// runs it in the primary's container, against a fake API server (`curl` stub) and a fake
// inplace_upgrade.py.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { ValidationError } from '../../src/core/errors';
import { PostgresCluster, PostgresClusterProps, PostgresVersion, ReplicationMode } from '../../src/postgres';
import { container, envOf, find, ofKind, synthValidated } from '../util/validate';

function synth(props: PostgresClusterProps = {}) {
  const c = new Chart(new App(), 'test', { namespace: 'db' });
  const cluster = new PostgresCluster(c, 'orders-db', props);
  return { cluster, objs: synthValidated(c, { externalSecrets: [cluster.secretName] }) };
}

const upgradeJobs = (objs: any[]) => ofKind(objs, 'Job').filter((j) => j.metadata.labels['app.kubernetes.io/component'] === 'major-upgrade');

describe('objects', () => {
  test('upgradeFrom V16 with version V17: a Job keyed by the pair execs the upgrade in the primary', () => {
    const { cluster, objs } = synth({ version: PostgresVersion.V17, upgradeFrom: PostgresVersion.V16 });
    const [job] = upgradeJobs(objs);
    expect(job.metadata.name).toMatch(/^orders-db-upgrade-16-to-17-[0-9a-f]{8}$/);
    expect(cluster.upgradeJob!.name).toBe(job.metadata.name);
    expect(job.metadata.annotations).toEqual({ 'cdk8s-stateful/postgres-major-upgrade': '16-to-17' });
    const c = container(job, 'upgrade');
    expect(c.image).toBe('registry.k8s.io/kubectl:v1.31.4');
    expect(c.command.slice(0, 8)).toEqual(['kubectl', 'exec', 'svc/orders-db', '-c', 'postgres', '--', 'bash', '-c']);
    expect(c.command.slice(9)).toEqual(['major-upgrade', '17', '3', '3600']);
    expect(c.command[8]).toContain('inplace_upgrade.py');
    expect(job.spec.template.spec.serviceAccountName).toBe('orders-db-upgrade');
    // The pods pick the new binaries up through PGVERSION (inplace_upgrade.py get_desired_version).
    expect(envOf(container(find(objs, 'StatefulSet', 'orders-db'), 'postgres')).PGVERSION).toBe('17');
    const pods = ['orders-db-0', 'orders-db-1', 'orders-db-2'];
    expect(find(objs, 'Role', 'orders-db-upgrade').rules).toEqual([
      { apiGroups: [''], resources: ['services'], resourceNames: ['orders-db'], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['pods'], resourceNames: pods, verbs: ['get'] },
      { apiGroups: [''], resources: ['pods/exec'], resourceNames: pods, verbs: ['create', 'get'] },
    ]);
  });

  test.each<[string, PostgresClusterProps]>([
    ['no upgradeFrom', { version: PostgresVersion.V17 }],
    ['upgradeFrom the same major (a patch release)', { version: PostgresVersion.of('17.7', '17'), upgradeFrom: PostgresVersion.V17 }],
  ])('%s: no upgrade Job', (_, props) => {
    const { cluster, objs } = synth(props);
    expect(cluster.upgradeJob).toBeUndefined();
    expect(upgradeJobs(objs)).toEqual([]);
  });

  test('a custom image may upgrade from a major the default Spilo image does not ship', () => {
    const { objs } = synth({ image: 'registry.example.com/spilo:custom', version: PostgresVersion.V16, upgradeFrom: PostgresVersion.of('12.22', '12') });
    expect(upgradeJobs(objs)[0].metadata.name).toMatch(/^orders-db-upgrade-12-to-16-/);
  });
});

describe('invalid props', () => {
  test.each<[string, PostgresClusterProps, string, string]>([
    ['downgrade', { version: PostgresVersion.V16, upgradeFrom: PostgresVersion.V17 }, 'PostgresUpgradeDowngrade',
      'upgradeFrom 17 is newer than version 16: PostgreSQL cannot downgrade a data directory'],
    ['from a major the Spilo image does not ship', { version: PostgresVersion.V17, upgradeFrom: PostgresVersion.of('12.22', '12') }, 'PostgresUpgradeUnsupported',
      'upgradeFrom 12: the Spilo image ships the binaries of PostgreSQL 13 to 17 only'],
    ['streaming mode', { mode: ReplicationMode.STREAMING, version: PostgresVersion.V17, upgradeFrom: PostgresVersion.V16 }, 'PostgresUpgradeNeedsPatroni',
      'streaming mode has no in-place major upgrade'],
    ['a from version that is not a major', { upgradeFrom: PostgresVersion.of('x', 'x') }, 'PostgresUpgradeFromInvalid',
      "upgradeFrom major 'x' is not a PostgreSQL major version"],
  ])('%s', (_, props, code, message) => {
    const c = new Chart(new App(), 'test', { namespace: 'db' });
    let err: unknown;
    try {
      new PostgresCluster(c, 'orders-db', props);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe(code);
    expect((err as Error).message).toContain(message);
    expect((err as Error).message).toContain('orders-db');
  });
});

// ---------------------------------------------------------------- the script, in the primary

const FAKE_CURL = String.raw`#!/usr/bin/env python3
import json, os, sys
print(open(os.environ['FAKE_PODS']).read())
`;

describe('assets/major-upgrade.sh in the primary', () => {
  const job = upgradeJobs(synth({ version: PostgresVersion.V17, upgradeFrom: PostgresVersion.V16 }).objs)[0];
  const argv: string[] = container(job, 'upgrade').command;
  // What `kubectl exec ... -- bash -c <script> major-upgrade 17 3 3600` runs in the container.
  const inContainer = argv.slice(argv.indexOf('--') + 1);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-upgrade-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.mkdirSync(path.join(dir, 'sa'));
    fs.writeFileSync(path.join(dir, 'sa/token'), 't');
    fs.writeFileSync(path.join(dir, 'sa/ca.crt'), 'c');
    fs.writeFileSync(path.join(dir, 'bin/curl'), FAKE_CURL, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'inplace_upgrade.py'), `import sys\nopen(${JSON.stringify(path.join(dir, 'log'))}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n`);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The Spilo container's env the script reads, pointed at the fakes. */
  function containerEnv(pgversion: string): { [k: string]: string } {
    return {
      PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`,
      PGVERSION: pgversion,
      HOSTNAME: 'orders-db-1',
      SCOPE: 'orders-db',
      POD_NAMESPACE: 'db',
      KUBE_API: 'https://kube',
      SA_DIR: path.join(dir, 'sa'),
      UPGRADE_SCRIPT: path.join(dir, 'inplace_upgrade.py'),
      POLL_SECONDS: '0',
      FAKE_PODS: path.join(dir, 'pods.json'),
    };
  }

  function pods(revs: string[], ready = true) {
    const items = revs.map((rev, i) => ({
      metadata: { name: `orders-db-${i}`, labels: { 'controller-revision-hash': rev } },
      status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
    }));
    fs.writeFileSync(path.join(dir, 'pods.json'), JSON.stringify({ items }));
  }

  function run(pgversion: string) {
    const r = spawnSync(inContainer[0], inContainer.slice(1), {
      env: containerEnv(pgversion),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = path.join(dir, 'log');
    return { status: r.status, stderr: r.stderr, upgraded: fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim() : undefined };
  }

  test('every pod on the primary\'s revision and Ready: runs inplace_upgrade.py with the number of instances', () => {
    pods(['new', 'new', 'new']);
    const r = run('17');
    expect(r.stderr).toContain('upgrading orders-db to PostgreSQL 17 in place on orders-db-1');
    expect(r.status).toBe(0);
    expect(r.upgraded).toBe('3');
  });

  test('a primary still on the old template (PGVERSION 16) fails the attempt: the Job retries later', () => {
    pods(['new', 'old', 'new']);
    const r = run('16');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('runs PGVERSION=16, not 17: the rollout is not finished');
    expect(r.upgraded).toBeUndefined();
  });

  test.each([
    ['a replica on the old template', ['old', 'new', 'new'], true],
    ['a pod not Ready', ['new', 'new', 'new'], false],
    ['a missing member', ['new', 'new'], true],
  ])('%s: waits, and gives up after the wait', (_, revs, ready) => {
    pods(revs as string[], ready as boolean);
    const script = inContainer.slice(0, 3);
    const r = spawnSync(script[0], [...script.slice(1), 'major-upgrade', '17', '3', '0'], {
      env: containerEnv('17'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('not every one of the 3 pods of orders-db is Ready on the new template after 0s');
    expect(fs.existsSync(path.join(dir, 'log'))).toBe(false);
  });
});
