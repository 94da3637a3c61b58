// Safety issue (9), storage: values the API server or the driver rejects, caught at synth.
import { ApiObject, App, Chart, JsonPatch, Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { caught, newChart, workload } from './helpers';
import {
  EbsVolumeType, Errors, KafkaCluster, LocalVolumePool, LocalVolumePoolMode, PostgresCluster, StorageClass, StorageProfile, TaintEffect,
} from '../../src';
import { find, synthValidated } from '../util/validate';

/** The error's code and message, for `toEqual`-style tables. */
function codeAndMessage(fn: () => unknown): [string | undefined, string] {
  const e = caught(fn);
  expect(Errors.isValidationError(e)).toBe(true);
  return [Errors.codeOf(e), e.message];
}

function claim(scope: Chart, id: string, storageClassName: string | undefined, storage: string): k8s.KubePersistentVolumeClaim {
  return new k8s.KubePersistentVolumeClaim(scope, id, {
    metadata: { name: id },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: k8s.Quantity.fromString(storage) } } },
  });
}

describe('C: empty or invalid Secret references are not written as "" parameters', () => {
  test.each([
    ['longhorn encryptionSecret name', () => StorageProfile.longhorn({ encryptionSecret: { name: '', namespace: 'longhorn-system' } }),
      'StorageProfileLonghornInvalid', "longhorn: encryptionSecret name '' is not a Secret name"],
    ['longhorn encryptionSecret namespace', () => StorageProfile.longhorn({ encryptionSecret: { name: 'crypto', namespace: '' } }),
      'StorageProfileLonghornInvalid', "longhorn: encryptionSecret namespace '' is not a namespace name"],
    ['cephRbd provisionerSecret', () => StorageProfile.cephRbd({ pool: 'p', provisionerSecret: { name: '', namespace: 'rook-ceph' } }),
      'StorageProfileCephRbdInvalid', "cephRbd: provisionerSecret name '' is not a Secret name"],
    ['cephRbd nodeStageSecret', () => StorageProfile.cephRbd({ pool: 'p', nodeStageSecret: { name: 'Bad_Name', namespace: 'rook-ceph' } }),
      'StorageProfileCephRbdInvalid', "cephRbd: nodeStageSecret name 'Bad_Name' is not a Secret name"],
    ['ondat apiSecret namespace', () => StorageProfile.ondat({ apiSecret: { name: 'storageos-api', namespace: 'a.b' } }),
      'StorageProfileOndatInvalid', "ondat: apiSecret namespace 'a.b' is not a namespace name"],
    ['any empty parameter value', () => StorageProfile.openebsLvm({ volumeGroup: '' }),
      'StorageProfileOpenebsLvmInvalid', "parameter 'volgroup' is empty"],
  ])('%s', (_n, profile, code, message) => {
    const chart = newChart();
    const [c, m] = codeAndMessage(() => new StorageClass(chart, 'sc', { profile: profile() }));
    expect(c).toBe(code);
    expect(m).toContain(message);
  });

  test("the CSI provisioner's per-claim templates stay allowed", () => {
    const chart = newChart();
    new StorageClass(chart, 'sc', { profile: StorageProfile.longhorn({ encryptionSecret: { name: '${pvc.name}-key', namespace: '${pvc.namespace}' } }) });
    expect(find(synthValidated(chart), 'StorageClass', 'sc').parameters['csi.storage.k8s.io/node-stage-secret-name']).toBe('${pvc.name}-key');
  });
});

describe('C: AWS EBS rules of each volume, when its size is known', () => {
  const gp3 = (o = {}) => StorageProfile.awsEbs({ type: EbsVolumeType.GP3, ...o });
  test.each([
    ['gp3 IOPS above 500 per GiB', gp3({ iops: 16000 }), Size.gibibytes(10),
      "test/db: data volume 'data' of StorageClass 'sc' is 10Gi (10 GiB): 16000 IOPS exceed 500 IOPS per GiB (at most 5000 for 10 GiB), so EBS rejects the volume; " +
      'make it at least Size.gibibytes(32) or lower iops to 5000'],
    ['io1 IOPS above 50 per GiB', StorageProfile.awsEbs({ type: EbsVolumeType.IO1, iops: 5000 }), Size.gibibytes(50), '5000 IOPS exceed 50 IOPS per GiB (at most 2500 for 50 GiB)'],
    ['io2 IOPS above 1000 per GiB', StorageProfile.awsEbs({ type: EbsVolumeType.IO2, iops: 20000 }), Size.gibibytes(10), '20000 IOPS exceed 1000 IOPS per GiB'],
    ['st1 below 125 GiB', StorageProfile.awsEbs({ type: EbsVolumeType.ST1 }), Size.gibibytes(100),
      'is 100Gi (100 GiB): st1 volumes are 125 GiB to 16384 GiB, so EBS rejects this one; give a size in that range (at least Size.gibibytes(125))'],
    ['sc1 below 125 GiB', StorageProfile.awsEbs({ type: EbsVolumeType.SC1 }), Size.gibibytes(124), 'sc1 volumes are 125 GiB to 16384 GiB'],
    ['io2 below 4 GiB', StorageProfile.awsEbs({ type: EbsVolumeType.IO2, iopsPerGb: 100 }), Size.gibibytes(2), 'io2 volumes are 4 GiB to 65536 GiB'],
    ['gp3 above 64 TiB', gp3(), Size.tebibytes(65), 'gp3 volumes are 1 GiB to 65536 GiB'],
    ['gp3 iopsPerGb below the 3000 minimum', gp3({ iopsPerGb: 10 }), Size.gibibytes(100),
      'iopsPerGb 10 × 100 GiB = 1000 IOPS, below the gp3 minimum of 3000, so the driver rejects the volume; make it at least Size.gibibytes(300) or raise iopsPerGb'],
    ['gp3 throughput above 0.25 MiB/s per IOPS from iopsPerGb', gp3({ iopsPerGb: 500, throughputMibps: 1000 }), Size.gibibytes(7),
      'throughputMibps 1000 needs at least 4000 IOPS (gp3 allows 0.25 MiB/s per IOPS), but the volume gets 3500; raise iops or lower throughputMibps to 875'],
    ['sizes round up to whole GiB, as the driver does', gp3({ iops: 3000 }), Size.mebibytes(5000), 'is 5000Mi (5 GiB): 3000 IOPS exceed 500 IOPS per GiB (at most 2500 for 5 GiB)'],
  ])('%s', (_n, profile, size, message) => {
    const chart = newChart('ns');
    const sc = new StorageClass(chart, 'sc', { profile });
    workload(chart, 'db', sc, {}, size);
    expect(() => synthValidated(chart)).toThrow(message);
  });

  test.each([
    ['gp3 16000 IOPS at 32 GiB', gp3({ iops: 16000 }), Size.gibibytes(32)],
    ['gp3 baseline at 1 GiB', gp3(), Size.gibibytes(1)],
    ['gp3 1000 MiB/s with 4000 IOPS at 8 GiB', gp3({ iops: 4000, throughputMibps: 1000 }), Size.gibibytes(8)],
    ['gp3 iopsPerGb above the 80000 cap (the driver caps it)', gp3({ iopsPerGb: 500 }), Size.tebibytes(1)],
    ['st1 at 125 GiB', StorageProfile.awsEbs({ type: EbsVolumeType.ST1 }), Size.gibibytes(125)],
    ['io1 50 IOPS per GiB', StorageProfile.awsEbs({ type: EbsVolumeType.IO1, iops: 2500 }), Size.gibibytes(50)],
  ])('%s is accepted', (_n, profile, size) => {
    const chart = newChart('ns');
    workload(chart, 'db', new StorageClass(chart, 'sc', { profile }), {}, size);
    expect(() => synthValidated(chart)).not.toThrow();
  });

  test('gp3 throughput above 0.25 MiB/s per IOPS is known without a size (the baseline is 3000 IOPS)', () => {
    const [code, message] = codeAndMessage(() => new StorageClass(newChart(), 'sc', { profile: StorageProfile.awsEbs({ throughputMibps: 1000 }) }));
    expect(code).toBe('StorageProfileAwsEbsInvalid');
    expect(message).toContain('gp3 throughputMibps 1000 needs at least 4000 IOPS (0.25 MiB/s per IOPS) but volumes get 3000 (the baseline); raise iops or lower throughputMibps');
  });

  test("PostgresCluster's data volume, Kafka's storage and standalone claims (a backup claim, a user's claim) are checked, each once", () => {
    const app = new App();
    const chart = new Chart(app, 'test', { namespace: 'db' });
    const sc = new StorageClass(chart, 'fast', { profile: StorageProfile.awsEbs({ iops: 6000 }) });
    new PostgresCluster(chart, 'orders-db', { instances: 2, storage: { size: Size.gibibytes(10), storageClass: sc }, backup: { size: Size.gibibytes(5), storageClass: sc } });
    new KafkaCluster(chart, 'events', { storage: { size: Size.gibibytes(11), storageClass: sc, expandable: true } });
    claim(chart, 'scratch', 'fast', '4Gi');
    claim(chart, 'other', 'other-class', '1Gi');
    const e = caught(() => app.synth());
    const lines = String(e.message).split('\n').filter((l: string) => l.includes('IOPS exceed'));
    expect(lines.map((l: string) => l.replace(/^.*?\] /, '').replace(/ \(at most.*$/, ''))).toEqual([
      "test/orders-db/Workload: data volume 'data' of StorageClass 'fast' is 10Gi (10 GiB): 6000 IOPS exceed 500 IOPS per GiB",
      "test/orders-db/Backup/Claim: PersistentVolumeClaim 'orders-db-backup' of StorageClass 'fast' is 5Gi (5 GiB): 6000 IOPS exceed 500 IOPS per GiB",
      expect.stringMatching(/^test\/events\/.*data volume 'data' of StorageClass 'fast' is 11Gi \(11 GiB\): 6000 IOPS exceed 500 IOPS per GiB$/),
      "test/scratch: PersistentVolumeClaim 'scratch' of StorageClass 'fast' is 4Gi (4 GiB): 6000 IOPS exceed 500 IOPS per GiB",
    ]);
  });

  test('a default class also checks the claims that name no class', () => {
    const chart = newChart('ns');
    new StorageClass(chart, 'sc', { profile: StorageProfile.awsEbs({ type: EbsVolumeType.ST1 }), isDefault: true });
    workload(chart, 'db', undefined, {}, Size.gibibytes(10));
    expect(() => synthValidated(chart)).toThrow("test/db: data volume 'data' of StorageClass 'sc' is 10Gi (10 GiB): st1 volumes are 125 GiB");
  });
});

describe('C: the local pool counts standalone claims of its class', () => {
  test("a Postgres backup claim and a user's claim take disks too", () => {
    const app = new App();
    const chart = new Chart(app, 'test', { namespace: 'db' });
    const pool = new LocalVolumePool(chart, 'pool', { diskSets: [{ nodes: ['n1', 'n2'], paths: ['/mnt/disks/a'], capacity: Size.gibibytes(100) }] });
    new PostgresCluster(chart, 'orders-db', { instances: 2, storage: { size: Size.gibibytes(10), storageClass: pool.storageClass }, backup: { size: Size.gibibytes(5), storageClass: pool.storageClass } });
    expect(() => app.synth()).toThrow("workloads claim 3 Filesystem volume(s) of class 'pool' but the pool has 2 Filesystem disk(s)");
  });

  test('a standalone claim larger than every disk, or with another access mode, is reported by name', () => {
    const chart = newChart();
    const pool = new LocalVolumePool(chart, 'pool', { disks: [{ node: 'n1', path: '/mnt/disks/a', capacity: Size.gibibytes(100) }] });
    claim(chart, 'big', pool.storageClass.storageClassName, '200Gi');
    expect(() => synthValidated(chart)).toThrow("test/big: PersistentVolumeClaim 'big' asks for 200Gi but the largest Filesystem disk holds 100Gi");
    const chart2 = newChart();
    new LocalVolumePool(chart2, 'pool', { disks: [{ node: 'n1', path: '/mnt/disks/a', capacity: Size.gibibytes(100) }] });
    const c = claim(chart2, 'shared', 'pool', '1Gi');
    ApiObject.of(c).addJsonPatch(JsonPatch.replace('/spec/accessModes', ['ReadWriteMany']));
    expect(() => synthValidated(chart2)).toThrow("test/shared: PersistentVolumeClaim 'shared' asks for access mode ReadWriteMany");
  });

  test("a workload's expandable per-ordinal claims are its data volume's claims, not counted twice", () => {
    const chart = newChart('ns');
    const pool = new LocalVolumePool(chart, 'pool', { diskSets: [{ nodes: ['n1', 'n2'], paths: ['/mnt/disks/a'], capacity: Size.gibibytes(100) }] });
    workload(chart, 'db', pool.storageClass, { replicas: 2 });
    expect(() => synthValidated(chart)).not.toThrow();
  });
});

describe('F: storage inputs the API server rejects', () => {
  const chart = () => newChart();
  const discovery = (d: object) => (c: Chart) => new LocalVolumePool(c, 'pool', { mode: LocalVolumePoolMode.DISCOVERY, discovery: d });
  test.each<[string, (c: Chart) => unknown, string, string]>([
    ["StorageClass.fromName('')", (c) => StorageClass.fromName(c, 'x', ''), 'StorageClassNameInvalid', "StorageClass.fromName: '' is not a StorageClass name"],
    ['a static pool class name of 64 characters (its label value)', (c) => new LocalVolumePool(c, 'pool', {
      storageClassName: 'a'.repeat(64), disks: [{ node: 'n1', path: '/mnt/disks/a', capacity: Size.gibibytes(1) }],
    }), 'LocalVolumePoolNameTooLong', 'is 64 characters; a pool\'s class name is also its app.kubernetes.io/instance label value, so use at most 63'],
    ['a class name of 253 characters', (c) => new LocalVolumePool(c, 'pool', { storageClassName: `${'a'.repeat(63)}.`.repeat(3) + 'a'.repeat(61), mode: LocalVolumePoolMode.DISCOVERY }),
      'LocalVolumePoolNameTooLong', 'is 253 characters'],
    ['mountDir /dev', discovery({ mountDir: '/dev' }), 'LocalVolumePoolDiscoveryDirInvalid', "discovery.mountDir '/dev' is, contains or sits inside /dev"],
    ['mountDir over the config', discovery({ mountDir: '/etc/provisioner' }), 'LocalVolumePoolDiscoveryDirInvalid', 'sits inside /etc'],
    ['mountDir over the token', discovery({ mountDir: '/var' }), 'LocalVolumePoolDiscoveryDirInvalid', "discovery.mountDir '/var' is, contains or sits inside /var/run/secrets"],
    ['mountDir with ..', discovery({ mountDir: '/mnt/../dev' }), 'LocalVolumePoolDiscoveryDirInvalid', "discovery.mountDir '/mnt/../dev' must be an absolute directory other than '/', without '..'"],
    ['hostDir with ..', discovery({ hostDir: '/mnt/disks/../../etc' }), 'LocalVolumePoolDiscoveryDirInvalid', "discovery.hostDir '/mnt/disks/../../etc' must be an absolute directory"],
    ['hostDir /dev', discovery({ hostDir: '/dev', mountDir: '/mnt/dev' }), 'LocalVolumePoolDiscoveryDirInvalid', "discovery.hostDir '/dev' is or contains the system directory /dev"],
    ['hostDir /var', discovery({ hostDir: '/var/' }), 'LocalVolumePoolDiscoveryDirInvalid', 'is or contains the system directory /var'],
    ['hostDir in kubelet', discovery({ hostDir: '/var/lib/kubelet/pods' }), 'LocalVolumePoolDiscoveryDirInvalid', 'is or contains the system directory /var/lib/kubelet'],
    ['hostDir in /etc', discovery({ hostDir: '/etc/disks' }), 'LocalVolumePoolDiscoveryDirInvalid', 'is or contains the system directory /etc'],
    ['every device under /dev', discovery({ hostDir: '/dev/disk/by-id', mountDir: '/mnt/by-id' }), 'LocalVolumePoolDiscoveryDirInvalid', "is under /dev and namePattern is '*'"],
    ['namePattern with /', discovery({ namePattern: 'a/b' }), 'LocalVolumePoolDiscoveryNamePatternInvalid', "discovery.namePattern 'a/b' is not a file name glob"],
    ['namePattern unclosed', discovery({ namePattern: 'nvme[0-9' }), 'LocalVolumePoolDiscoveryNamePatternInvalid', 'is not a file name glob'],
    ['nodeSelector key', discovery({ nodeSelector: { 'bad key': 'x' } }), 'LocalVolumePoolDiscoveryNodeSelectorInvalid', "discovery.nodeSelector key 'bad key' is not a label key"],
    ['nodeSelector value', discovery({ nodeSelector: { disks: 'x'.repeat(64) } }), 'LocalVolumePoolDiscoveryNodeSelectorInvalid', "discovery.nodeSelector 'disks' has value"],
    ['toleration: empty key with a value', discovery({ tolerations: [{ key: '', value: 'x' }] }), 'LocalVolumePoolDiscoveryTolerationInvalid',
      'discovery.tolerations: a toleration with an empty key matches every taint and cannot have a value'],
    ['toleration key', discovery({ tolerations: [{ key: 'a b', effect: TaintEffect.NO_SCHEDULE }] }), 'LocalVolumePoolDiscoveryTolerationInvalid', "key 'a b' is not a taint key"],
    ['empty image', discovery({ image: '' }), 'LocalVolumePoolDiscoveryImageInvalid', "discovery.image '' is not an image reference"],
    ['node-cleanup image with a space', discovery({ nodeCleanup: true, nodeCleanupImage: 'a b' }), 'LocalVolumePoolDiscoveryImageInvalid', "discovery.nodeCleanupImage 'a b'"],
    ['cephRbd operatorNamespace of 47 characters', (c) => new StorageClass(c, 'sc', { profile: StorageProfile.cephRbd({ pool: 'p', operatorNamespace: 'a'.repeat(47) }) }),
      'StorageProfileCephRbdInvalid', "is 47 characters, too long for the provisioner name '<namespace>.rbd.csi.ceph.com' (at most 63)"],
    ['custom zone topology key', (c) => new StorageClass(c, 'sc', { profile: StorageProfile.custom('x.csi.io', {}, { zoneTopologyKey: 'zone key' }) }),
      'StorageProfileCustomInvalid', "custom: zoneTopologyKey 'zone key' is not a node label key"],
    ['an empty zone', (c) => new StorageClass(c, 'sc', { profile: StorageProfile.awsEbs(), zones: [''] }), 'StorageClassZoneInvalid', "zone '' is not a zone label value"],
    ['a zone no node label can hold', (c) => new StorageClass(c, 'sc', { profile: StorageProfile.awsEbs(), zones: ['eu west'] }), 'StorageClassZoneInvalid',
      "zone 'eu west' is not a zone label value (e.g. 'eu-west-1a'); no node can match it; list the zone names your nodes carry under topology.kubernetes.io/zone"],
    ['a disk of infinite capacity', (c) => new LocalVolumePool(c, 'pool', { disks: [{ node: 'n1', path: '/mnt/a', capacity: Size.gibibytes(Infinity) }] }),
      'LocalVolumePoolDiskCapacityInvalid', 'disk n1:/mnt/a has capacity Infinity; give at least 1Mi and at most 1Pi'],
    ['more disks than a pool holds', (c) => new LocalVolumePool(c, 'pool', {
      diskSets: [{ nodes: Array.from({ length: 101 }, (_, i) => `n${i}`), paths: Array.from({ length: 100 }, (_, i) => `/mnt/d${i}`), capacity: Size.gibibytes(1) }],
    }), 'LocalVolumePoolDisksTooMany', 'a disk set of 101 nodes × 100 paths is more than the 10000 disks a pool holds'],
  ])('%s', (_n, build, code, message) => {
    const [c, m] = codeAndMessage(() => build(chart()));
    expect(c).toBe(code);
    expect(m).toContain(message);
  });

  test('edges that stay valid: 63-character pool names, 46-character Rook namespaces, selected devices under /dev', () => {
    const c = newChart();
    new LocalVolumePool(c, 'pool', { storageClassName: 'a'.repeat(63), disks: [{ node: 'n1', path: '/mnt/disks/a', capacity: Size.gibibytes(1) }] });
    new StorageClass(c, 'sc', { profile: StorageProfile.cephRbd({ pool: 'p', operatorNamespace: 'a'.repeat(46) }) });
    new LocalVolumePool(c, 'nvme', {
      mode: LocalVolumePoolMode.DISCOVERY,
      discovery: { hostDir: '/dev/disk/by-id', mountDir: '/mnt/by-id', namePattern: 'nvme-Amazon_EC2_NVMe_Instance_Storage_*' },
    });
    const objs = synthValidated(c);
    expect(find(objs, 'StorageClass', 'sc').provisioner).toBe(`${'a'.repeat(46)}.rbd.csi.ceph.com`);
    expect(find(objs, 'StorageClass', 'a'.repeat(63)).metadata.labels['app.kubernetes.io/instance']).toBe('a'.repeat(63));
  });
});
