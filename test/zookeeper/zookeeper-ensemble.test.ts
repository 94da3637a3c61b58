import { App, Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Errors, UpgradeSafety, Warnings, ZooKeeperEnsemble, ZooKeeperEnsembleProps, ZooKeeperVersion } from '../../src';
import { container, envOf, find, synthValidated } from '../util/validate';

function chart(namespace: string | null = 'coord'): Chart {
  return new Chart(Testing.app(), 'test', { namespace: namespace ?? undefined });
}

function zk(props: ZooKeeperEnsembleProps = {}, namespace: string | null = 'coord') {
  const c = chart(namespace);
  const ensemble = new ZooKeeperEnsemble(c, 'zk', props);
  return { c, ensemble, objs: synthValidated(c) };
}

describe('defaults: 3 members, official image, static server list', () => {
  const { ensemble, objs } = zk();
  const sts = find(objs, 'StatefulSet', 'zk');
  const main = container(sts, 'zookeeper');
  const env = envOf(main);
  const cfg: string = find(objs, 'ConfigMap', 'zk-config').data['zoo.cfg'];

  test('snapshot', () => {
    expect(objs).toMatchSnapshot();
  });

  test('3 members, Parallel, pinned official image, start script wraps zkServer.sh start-foreground', () => {
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(main.image).toBe('docker.io/library/zookeeper:3.9.4');
    expect(main.command).toEqual(['bash', '/opt/cdk8s-stateful/zookeeper/start.sh']);
    expect(main.args).toEqual(['zkServer.sh', 'start-foreground']);
    expect(ensemble.replicas).toBe(3);
  });

  test('server.N = ordinal + 1 at the stable DNS names, with the pod namespace at run time', () => {
    expect(env.ZOO_SERVERS).toBe([0, 1, 2].map((i) =>
      `server.${i + 1}=zk-${i}.zk-headless.$(POD_NAMESPACE).svc.cluster.local:2888:3888;2181`).join(' '));
    expect(env.POD_NAME).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(env.POD_NAMESPACE).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
  });

  test('ports: client, quorum and election; headless Service publishes not-ready addresses; client Service', () => {
    expect(main.ports.map((p: any) => [p.name, p.containerPort])).toEqual([['client', 2181], ['quorum', 2888], ['election', 3888]]);
    expect(find(objs, 'Service', 'zk-headless').spec.publishNotReadyAddresses).toBe(true);
    const client = find(objs, 'Service', 'zk-client');
    expect(client.spec.ports.map((p: any) => p.port)).toEqual([2181]);
    expect(ensemble.endpoint).toEqual({ host: 'zk-client.coord.svc.cluster.local', port: 2181 });
  });

  test('zoo.cfg: 4lw limited to ruok, srvr, mntr; autopurge daily keeping 3; no dynamic reconfig', () => {
    expect(cfg).toContain('4lw.commands.whitelist=ruok,srvr,mntr\n');
    expect(cfg).toContain('autopurge.purgeInterval=24\n');
    expect(cfg).toContain('autopurge.snapRetainCount=3\n');
    expect(cfg).toContain('reconfigEnabled=false\n');
    expect(cfg).toContain('admin.enableServer=false\n');
  });

  test('probes: srvr for readiness, ruok for liveness', () => {
    expect(main.readinessProbe.exec.command).toEqual(['bash', '/opt/cdk8s-stateful/zookeeper/probe.sh', 'ready']);
    expect(main.livenessProbe.exec.command).toEqual(['bash', '/opt/cdk8s-stateful/zookeeper/probe.sh', 'live']);
  });

  test('heap half the 1Gi limit; PDB allows one disruption; restricted pod as uid 1000 with a read-only root', () => {
    expect(env.JVMFLAGS).toBe('-Xms512m -Xmx512m');
    expect(main.resources.limits.memory).toBe('1Gi');
    expect(find(objs, 'PodDisruptionBudget', 'zk').spec.maxUnavailable).toBe(1);
    expect(sts.spec.template.spec.securityContext.runAsUser).toBe(1000);
    expect(main.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(main.volumeMounts.map((m: any) => m.mountPath)).toEqual(['/data', '/conf', '/logs', '/tmp', '/opt/cdk8s-stateful/zookeeper']);
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
  });
});

test('5 members from ordinal 10: myids 11..15, heap from the given limit, autopurge hourly', () => {
  const { objs } = zk({
    replicas: 5,
    ordinalsStart: 10,
    resources: { memory: { limit: Size.gibibytes(2) } },
    autopurgeInterval: Duration.hours(1),
    snapshotRetainCount: 5,
    storage: Size.gibibytes(20),
  });
  const sts = find(objs, 'StatefulSet', 'zk');
  const env = envOf(container(sts, 'zookeeper'));
  expect(sts.spec.ordinals).toEqual({ start: 10 });
  expect(env.ZOO_SERVERS.split(' ').map((s: string) => s.split('=')[0])).toEqual(['server.11', 'server.12', 'server.13', 'server.14', 'server.15']);
  expect(env.ZOO_SERVERS).toContain('server.15=zk-14.zk-headless.');
  expect(env.JVMFLAGS).toBe('-Xms1024m -Xmx1024m');
  const cfg: string = find(objs, 'ConfigMap', 'zk-config').data['zoo.cfg'];
  expect(cfg).toContain('autopurge.purgeInterval=1\n');
  expect(cfg).toContain('autopurge.snapRetainCount=5\n');
});

test('a single member is allowed, with a warning', () => {
  const { c } = zk({ replicas: 1 });
  expect(Warnings.of(c).ids()).toEqual(['@cdk8s-stateful/zookeeper:singleMember']);
});

test('ZooKeeperVersion.of pins any tag', () => {
  expect(ZooKeeperVersion.of('3.9.5').image).toBe('docker.io/library/zookeeper:3.9.5');
  expect(ZooKeeperVersion.V3_8_4.toString()).toBe('3.8.4');
  const { objs } = zk({ version: ZooKeeperVersion.V3_8_4 });
  expect(container(find(objs, 'StatefulSet', 'zk'), 'zookeeper').image).toBe('docker.io/library/zookeeper:3.8.4');
});

describe('bad props', () => {
  test.each<[string, ZooKeeperEnsembleProps, string, string]>([
    ['even members', { replicas: 4 }, 'ZooKeeperReplicasInvalid',
      'replicas must be an odd number of 1 or more for a majority quorum, got 4: an even ensemble of 4 tolerates no more failures than 3'],
    ['no members', { replicas: 0 }, 'ZooKeeperReplicasInvalid', 'replicas must be an odd number of 1 or more for a majority quorum, got 0: use 3 or 5'],
    ['myid over 255', { ordinalsStart: 254 }, 'ZooKeeperMyIdOutOfRange',
      "myid is the ordinal + 1, so ordinalsStart 254 with 3 replicas gives myids up to 257; ZooKeeper's myid must be within 1..255: lower ordinalsStart"],
    ['heap at the limit', { heap: Size.gibibytes(1) }, 'ZooKeeperHeapNotBelowLimit',
      'heap 1024Mi is not below the memory limit 1024Mi: the JVM also needs metaspace, threads and buffers, and the container is OOM-killed; give a heap of about half the limit'],
    ['tiny heap', { heap: Size.mebibytes(32) }, 'ZooKeeperHeapTooSmall',
      'heap 32Mi is too small for a ZooKeeper server; give at least Size.mebibytes(64) (a whole number of MiB)'],
    ['autopurge in minutes', { autopurgeInterval: Duration.minutes(30) }, 'ZooKeeperAutopurgeInvalid',
      'autopurge interval must be a whole number of hours, 1 or more, got 0.5h'],
    ['retain 2', { snapshotRetainCount: 2 }, 'ZooKeeperAutopurgeInvalid',
      "snapshotRetainCount must be a whole number of 3 or more (ZooKeeper's minimum), got 2"],
    ['old version', { version: ZooKeeperVersion.of('3.4.14') }, 'ZooKeeperVersionInvalid',
      "version '3.4.14' is not a ZooKeeper 3.x.y release of 3.5.0 or later (the image tag, e.g. '3.9.4')"],
    ['negative connections', { maxClientConnections: -1 }, 'ZooKeeperMaxClientConnectionsInvalid',
      'maxClientConnections must be a whole number of 0 (no limit) or more, got -1'],
  ])('%s', (_name, props, code, message) => {
    let err: unknown;
    try {
      new ZooKeeperEnsemble(chart(), 'zk', props);
    } catch (e) {
      err = e;
    }
    expect(Errors.codeOf(err)).toBe(code);
    expect((err as Error).message).toBe(`test/zk: ${message}`);
  });
});

describe('bind', () => {
  function client(c: Chart, id = 'app') {
    return new kplus.Deployment(c, id, { containers: [{ image: 'docker.io/library/busybox:1.36' }] });
  }

  test('same namespace: ZOOKEEPER_CONNECT lists every member by short name; the NetworkPolicy admits it on the client port', () => {
    const c = chart();
    const ensemble = new ZooKeeperEnsemble(c, 'zk');
    const app = client(c);
    ensemble.bind(app, { chroot: '/app' });
    const objs = synthValidated(c);
    const env = envOf(find(objs, 'Deployment', app.name).spec.template.spec.containers[0]);
    expect(env.ZOOKEEPER_CONNECT).toBe('zk-0.zk-headless:2181,zk-1.zk-headless:2181,zk-2.zk-headless:2181/app');
    const rule = find(objs, 'NetworkPolicy', 'zk').spec.ingress[1];
    expect(rule.ports).toEqual([{ port: 2181, protocol: 'TCP' }]);
    expect(rule.from[0].podSelector.matchLabels).toEqual(app.matchLabels);
    expect(ensemble.connectString).toBe([0, 1, 2].map((i) => `zk-${i}.zk-headless.coord.svc.cluster.local:2181`).join(','));
  });

  test('another namespace: qualified names and a rule naming its namespace', () => {
    const app = new App();
    const zc = new Chart(app, 'zkc', { namespace: 'coord' });
    const ac = new Chart(app, 'apps', { namespace: 'apps' });
    const ensemble = new ZooKeeperEnsemble(zc, 'zk');
    const w = client(ac);
    ensemble.bind(w);
    const objs = synthValidated(zc);
    const env = envOf(find(objs, 'Deployment', w.name).spec.template.spec.containers[0]);
    expect(env.ZOOKEEPER_CONNECT).toBe(ensemble.connectString);
    const from = find(objs, 'NetworkPolicy', 'zk').spec.ingress[1].from[0];
    expect(from.namespaceSelector.matchExpressions).toEqual([{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['apps'] }]);
  });

  test.each<[string, (e: ZooKeeperEnsemble, c: Chart) => void, string, string]>([
    ['twice', (e, c) => { const w = client(c); e.bind(w); e.bind(w); }, 'ZooKeeperBindDuplicate',
      "workload 'test/app' is bound to this ensemble already; bind it once"],
    ['env set', (e, c) => { const w = client(c); w.containers[0].env.addVariable('ZOOKEEPER_CONNECT', kplus.EnvValue.fromValue('x')); e.bind(w); },
      'ZooKeeperBindEnvConflict',
      "container 'main' of workload 'test/app' has ZOOKEEPER_CONNECT already (bound to another ensemble, or set by hand); bind one ensemble per workload"],
    ['bad chroot', (e, c) => e.bind(client(c), { chroot: 'app/' }), 'ZooKeeperBindChrootInvalid',
      "chroot 'app/' must be an absolute znode path such as '/app' (letters, digits, '_', '.', '-'; no trailing '/')"],
    ['namespace unknown', (e, c) => e.bind(client(new Chart(c.node.root as App, 'other'))), 'ZooKeeperBindNamespaceUnknown',
      "bind('other/app'): the client's chart has no namespace while the other has 'coord': the NetworkPolicy must name the client's namespace " +
        "and the client must resolve the ensemble's; set `namespace` on both charts (or on neither)"],
  ])('%s', (_name, fn, code, message) => {
    const c = chart();
    const e = new ZooKeeperEnsemble(c, 'zk');
    let err: unknown;
    try {
      fn(e, c);
    } catch (x) {
      err = x;
    }
    expect(Errors.codeOf(err)).toBe(code);
    expect((err as Error).message).toBe(`test/zk: ${message}`);
  });
});

describe('UpgradeSafety', () => {
  const objs = (replicas: number) => {
    const c = chart();
    new ZooKeeperEnsemble(c, 'zk', { replicas });
    return synthValidated(c);
  };

  test('shrinking the ensemble (5 → 3) is flagged as quorumShrink', () => {
    const findings = UpgradeSafety.check(objs(5), objs(3));
    const shrink = findings.filter((f) => f.id === '@cdk8s-stateful/policy:quorumShrink');
    expect(shrink.map((f) => `${f.kind}/${f.name}`)).toEqual(['StatefulSet/zk']);
    expect(shrink[0].message).toContain('zk-3 and zk-4 stop');
  });

  test('the same ensemble again has no findings', () => {
    expect(UpgradeSafety.check(objs(3), objs(3))).toEqual([]);
  });
});
