import { App, Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { AntiAffinity, EtcdCluster, EtcdClusterProps, EtcdVersion, UpgradeSafety } from '../../src';
import { Errors } from '../../src/core/errors';
import { container, envOf, find, ofKind, synthValidated } from '../util/validate';

function synth(props: EtcdClusterProps = {}, namespace: string | undefined = 'coordination') {
  const chart = new Chart(Testing.app(), 'test', { namespace });
  const etcd = new EtcdCluster(chart, 'etcd', props);
  return { chart, etcd, objs: synthValidated(chart) };
}

test('defaults', () => {
  expect(synth().objs).toMatchSnapshot();
});

describe('defaults, explicitly', () => {
  const { objs, etcd } = synth();
  const sts = find(objs, 'StatefulSet', 'etcd');
  const c = container(sts, 'etcd');

  test('3 members of the pinned 3.5 image, started in parallel, found through the headless Service', () => {
    expect(sts.spec.replicas).toBe(3);
    expect(c.image).toBe('gcr.io/etcd-development/etcd:v3.5.21');
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(find(objs, 'Service', 'etcd-headless').spec.publishNotReadyAddresses).toBe(true);
    expect(c.args).toContain(
      '--initial-cluster=' + [0, 1, 2].map((i) => `etcd-${i}=http://etcd-${i}.etcd-headless.$(POD_NAMESPACE).svc.cluster.local:2380`).join(','));
    expect(c.args).toContain('--advertise-client-urls=http://$(POD_NAME).etcd-headless.$(POD_NAMESPACE).svc.cluster.local:2379');
  });

  test('client 2379, peer 2380, metrics and probes on 2381', () => {
    expect(c.ports.map((p: any) => [p.name, p.containerPort])).toEqual([['client', 2379], ['peer', 2380], ['metrics', 2381]]);
    expect(c.args).toContain('--listen-metrics-urls=http://0.0.0.0:2381');
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 2381 });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/livez', port: 2381 });
    expect(find(objs, 'Service', 'etcd-client').spec.ports).toEqual([expect.objectContaining({ name: 'client', port: 2379 })]);
  });

  test('the join script starts etcd, with busybox copied in by an init container', () => {
    expect(c.command).toEqual(['/tools/busybox', 'sh', '/scripts/etcd-join.sh']);
    expect(envOf(c).BUSYBOX).toBe('/tools/busybox');
    expect(sts.spec.template.spec.initContainers[0].command).toEqual(['cp', '/bin/busybox', '/tools/busybox']);
  });

  test('quota 40% of the 8 GiB volume, periodic compaction of 1 h', () => {
    expect(c.args).toContain(`--quota-backend-bytes=${3276 * 1024 * 1024}`);
    expect(etcd.quotaBackendBytes).toBe(3276 * 1024 * 1024);
    expect(c.args).toEqual(expect.arrayContaining(['--auto-compaction-mode=periodic', '--auto-compaction-retention=1h']));
  });

  test('PDB allows one disruption, hard anti-affinity', () => {
    expect(find(objs, 'PodDisruptionBudget', 'etcd').spec.maxUnavailable).toBe(1);
    expect(sts.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
  });

  test('a weekly defrag CronJob reaching every member; no backup unless asked', () => {
    const cron = find(objs, 'CronJob', 'etcd-defrag');
    expect(cron.spec.schedule).toBe('30 3 * * 0');
    const job = cron.spec.jobTemplate.spec.template.spec.containers[0];
    expect(envOf(job).ETCD_ENDPOINTS).toBe([0, 1, 2].map((i) => `http://etcd-${i}.etcd-headless.$(POD_NAMESPACE).svc.cluster.local:2379`).join(','));
    expect(ofKind(objs, 'CronJob')).toHaveLength(1);
    const np = find(objs, 'NetworkPolicy', 'etcd');
    expect(JSON.stringify(np.spec.ingress)).toContain('"app.kubernetes.io/component":"defrag"');
  });

  test('endpoint and IStatefulService', () => {
    expect(etcd.endpoint).toEqual({ host: 'etcd-client.coordination.svc.cluster.local', port: 2379 });
    expect(etcd.clientUrl).toBe('http://etcd-client.coordination.svc.cluster.local:2379');
  });
});

test('backup: a snapshot CronJob writing to its own claim, keeping N', () => {
  const { objs } = synth({ backup: { size: Size.gibibytes(10), keep: 3, schedule: '15 1 * * *' } });
  const cron = find(objs, 'CronJob', 'etcd-backup');
  expect(cron.spec.schedule).toBe('15 1 * * *');
  const c = cron.spec.jobTemplate.spec.template.spec.containers[0];
  expect(envOf(c).KEEP).toBe('3');
  expect(envOf(c).BACKUP_DIR).toBe('/backup');
  expect(find(objs, 'PersistentVolumeClaim', 'etcd-backup').spec.resources.requests.storage).toBe('10Gi');
});

test('defrag can be turned off; 5 members, a pinned 3.6 and a given quota', () => {
  const { objs } = synth({
    defrag: { enabled: false }, replicas: 5, version: EtcdVersion.V3_6_6, quotaBackend: Size.gibibytes(2), compactionRetention: Duration.hours(6),
  });
  expect(ofKind(objs, 'CronJob')).toHaveLength(0);
  const sts = find(objs, 'StatefulSet', 'etcd');
  expect(sts.spec.replicas).toBe(5);
  const c = container(sts, 'etcd');
  expect(c.image).toBe('gcr.io/etcd-development/etcd:v3.6.6');
  expect(c.args).toEqual(expect.arrayContaining([`--quota-backend-bytes=${2 * 1024 ** 3}`, '--auto-compaction-retention=6h']));
});

test('a single member gets soft anti-affinity; antiAffinity can be given', () => {
  const one = find(synth({ replicas: 1 }).objs, 'StatefulSet', 'etcd');
  expect(one.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
  const soft = find(synth({ antiAffinity: AntiAffinity.SOFT }).objs, 'StatefulSet', 'etcd');
  expect(soft.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
});

test.each<[string, EtcdClusterProps, string, string]>([
  ['even replicas', { replicas: 4 }, 'EtcdReplicasInvalid',
    'replicas must be an odd whole number (1, 3, 5, 7), got 4: a majority of 4 tolerates no more failures than one member fewer'],
  ['zero replicas', { replicas: 0 }, 'EtcdReplicasInvalid',
    'replicas must be an odd whole number (1, 3, 5, 7), got 0: a majority of 0 tolerates no more failures than one member fewer'],
  ['3.4', { version: EtcdVersion.of('3.4.23') }, 'EtcdVersionInvalid', "version '3.4.23' is not an etcd release of the form x.y.z, 3.5.0 or later"],
  ['a v prefix', { version: EtcdVersion.of('v3.5.21') }, 'EtcdVersionInvalid', "version 'v3.5.21' is not an etcd release of the form x.y.z, 3.5.0 or later"],
  ['a tiny volume', { storageSize: Size.mebibytes(512) }, 'EtcdStorageTooSmall',
    'storageSize must be at least 1 GiB (the database, its WAL and a defragmentation copy), got 536870912 bytes'],
  ['a quota over half the volume', { quotaBackend: Size.gibibytes(5) }, 'EtcdQuotaInvalid',
    'quotaBackend (5368709120 bytes) is more than half of the data volume (8589934592 bytes): a defragmentation writes a second copy of the database next to the first; grow storageSize or lower quotaBackend'],
  ['compaction in minutes', { compactionRetention: Duration.minutes(30) }, 'EtcdCompactionInvalid', 'compactionRetention must be a whole number of hours ≥ 1, got 0.5 h'],
  ['backup keep 0', { backup: { size: Size.gibibytes(1), keep: 0 } }, 'EtcdBackupKeepInvalid', 'backup.keep must be a whole number ≥ 1, got 0'],
  ['a bad defrag schedule', { defrag: { schedule: 'weekly' } }, 'ScriptJobInvalid', "schedule 'weekly'"],
])('%s', (_, props, code, message) => {
  let err: any;
  try {
    synth(props);
  } catch (e) {
    err = e;
  }
  expect(err).toBeDefined();
  expect(Errors.codeOf(err)).toBe(code);
  expect(err.message).toContain(message);
});

test('a name too long for the backup CronJob', () => {
  expect(() => synth({ name: 'e'.repeat(46), backup: { size: Size.gibibytes(1) } })).toThrow(/backup CronJob name 'e{46}-backup' is longer than 52 characters/);
});

describe('bind', () => {
  function client(chart: Chart, id = 'app') {
    const d = new kplus.Deployment(chart, id);
    d.addContainer({ image: 'docker.io/library/busybox:1.37.0', securityContext: { ensureNonRoot: false } });
    return d;
  }

  test('same namespace: ETCD_ENDPOINTS with the short Service name, NetworkPolicy opened on the client port', () => {
    const chart = new Chart(new App(), 'c', { namespace: 'coordination' });
    const etcd = new EtcdCluster(chart, 'etcd');
    etcd.bind(client(chart));
    const objs = synthValidated(chart);
    const d = find(objs, 'Deployment', ofKind(objs, 'Deployment')[0].metadata.name);
    expect(envOf(d.spec.template.spec.containers[0]).ETCD_ENDPOINTS).toBe('http://etcd-client:2379');
    const rule = find(objs, 'NetworkPolicy', 'etcd').spec.ingress.find((r: any) => JSON.stringify(r.from).includes('cdk8s.io/metadata.addr'));
    expect(rule.ports).toEqual([{ port: 2379, protocol: 'TCP' }]);
  });

  test('another namespace: the qualified name and a namespaced peer; envName for a second cluster', () => {
    const app = new App();
    const db = new Chart(app, 'db', { namespace: 'coordination' });
    const etcd = new EtcdCluster(db, 'etcd');
    const other = new EtcdCluster(db, 'locks');
    const apps = new Chart(app, 'apps', { namespace: 'apps' });
    const d = client(apps);
    etcd.bind(d);
    other.bind(d, { envName: 'LOCKS_ENDPOINTS' });
    const env = Object.fromEntries(d.containers[0].env.variables ? Object.entries(d.containers[0].env.variables).map(([k, v]) => [k, v.value]) : []);
    expect(env.ETCD_ENDPOINTS).toBe('http://etcd-client.coordination.svc.cluster.local:2379');
    expect(env.LOCKS_ENDPOINTS).toBe('http://locks-client.coordination.svc.cluster.local:2379');
  });

  test.each<[string, (etcd: EtcdCluster, chart: Chart) => void, string]>([
    ['twice', (e, c) => { const d = client(c); e.bind(d); e.bind(d); }, 'EtcdBindDuplicate'],
    ['env taken', (e, c) => { const d = client(c); d.containers[0].env.addVariable('ETCD_ENDPOINTS', kplus.EnvValue.fromValue('x')); e.bind(d); }, 'EtcdBindEnvConflict'],
    ['no containers', (e, c) => e.bind(new kplus.Deployment(c, 'empty')), 'EtcdBindNoContainers'],
    ['one namespace unknown', (e) => e.bind(client(new Chart(new App(), 'x'))), 'EtcdBindNamespaceUnknown'],
  ])('%s', (_, act, code) => {
    const chart = new Chart(new App(), 'c', { namespace: 'coordination' });
    const etcd = new EtcdCluster(chart, 'etcd');
    let err: any;
    try { act(etcd, chart); } catch (e) { err = e; }
    expect(Errors.codeOf(err)).toBe(code);
  });
});

test("UpgradeSafety's quorumShrink fires when replicas drop (members must be removed first)", () => {
  const five = synth({ replicas: 5 }).objs;
  const three = synth({ replicas: 3 }).objs;
  const findings = UpgradeSafety.check(five, three);
  expect(findings.map((f) => `${f.id} ${f.kind}/${f.name}`)).toContain('@cdk8s-stateful/policy:quorumShrink StatefulSet/etcd');
  expect(UpgradeSafety.check(three, five).map((f) => f.id)).not.toContain('@cdk8s-stateful/policy:quorumShrink');
});
