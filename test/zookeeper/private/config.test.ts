import { Size } from 'cdk8s';
import {
  autopurgeProblem, chrootProblem, defaultHeapMi, heapProblem, membersProblem, versionProblem, zooCfg, zooServers,
} from '../../../src/zookeeper/private/config';

test('zoo.cfg: static membership, 4lw limited to the probes and mntr, autopurge, no AdminServer', () => {
  const cfg = zooCfg({
    dataDir: '/data',
    clientPort: 2181,
    tickTimeMs: 2000,
    initLimit: 10,
    syncLimit: 5,
    autopurgeIntervalHours: 24,
    snapRetainCount: 3,
    maxClientConnections: 60,
  });
  const lines = cfg.trim().split('\n');
  expect(lines).toEqual(expect.arrayContaining([
    'dataDir=/data', 'clientPort=2181', 'autopurge.purgeInterval=24', 'autopurge.snapRetainCount=3',
    'reconfigEnabled=false', 'standaloneEnabled=false', 'quorumListenOnAllIPs=true', 'admin.enableServer=false',
    '4lw.commands.whitelist=ruok,srvr,mntr',
  ]));
  expect(lines.some((l) => l.startsWith('server.'))).toBe(false);
});

test('server lines: myid = ordinal + 1, quorum:election;client', () => {
  expect(zooServers([3, 4, 5], (o) => `zk-${o}.h`, 2888, 3888, 2181))
    .toBe('server.4=zk-3.h:2888:3888;2181 server.5=zk-4.h:2888:3888;2181 server.6=zk-5.h:2888:3888;2181');
});

test.each([
  [0, 0, 'ZooKeeperReplicasInvalid'],
  [2, 0, 'ZooKeeperReplicasInvalid'],
  [4, 0, 'ZooKeeperReplicasInvalid'],
  [1.5, 0, 'ZooKeeperReplicasInvalid'],
  [3, 253, 'ZooKeeperMyIdOutOfRange'],
])('members %p from ordinal %p: %s', (replicas, start, code) => {
  expect(membersProblem(replicas, start)?.code).toBe(code);
});

test('members within range', () => {
  expect(membersProblem(1, 0)).toBeUndefined();
  expect(membersProblem(5, 250)).toBeUndefined();
});

test('heap: half the limit by default, checked against it', () => {
  expect(defaultHeapMi(Size.gibibytes(2))).toBe(1024);
  expect(defaultHeapMi(undefined)).toBe(512);
  expect(heapProblem(1024, 1024)?.code).toBe('ZooKeeperHeapNotBelowLimit');
  expect(heapProblem(32, undefined)?.code).toBe('ZooKeeperHeapTooSmall');
  expect(heapProblem(100.5, undefined)?.code).toBe('ZooKeeperHeapTooSmall');
  expect(heapProblem(512, 1024)).toBeUndefined();
});

test('autopurge, version and chroot checks', () => {
  expect(autopurgeProblem(0, 3)?.code).toBe('ZooKeeperAutopurgeInvalid');
  expect(autopurgeProblem(1.5, 3)?.code).toBe('ZooKeeperAutopurgeInvalid');
  expect(autopurgeProblem(1, 2)?.code).toBe('ZooKeeperAutopurgeInvalid');
  expect(autopurgeProblem(1, 3)).toBeUndefined();
  expect(versionProblem('3.9.4')).toBeUndefined();
  expect(versionProblem('3.4.14')?.code).toBe('ZooKeeperVersionInvalid');
  expect(versionProblem('latest')?.code).toBe('ZooKeeperVersionInvalid');
  expect(chrootProblem('/app/x')).toBeUndefined();
  for (const bad of ['app', '/app/', '/', '/a/../b', '/a b']) expect(chrootProblem(bad)?.code).toBe('ZooKeeperBindChrootInvalid');
});
