import { Duration, Size } from 'cdk8s';
import { caught, newChart, workload } from './helpers';
import {
  AzureCachingMode, AzureDiskSku, EbsVolumeType, Errors, FsType, GcePdType, LonghornDataLocality, RbdImageFeature,
  StorageClass, StorageProfile, ZfsCompression,
} from '../../src';
import { find, synthValidated } from '../util/validate';

/** Every profile, with the parameters it must write. Each output must pass the validators. */
const PROFILES: Array<[string, StorageProfile, string, { [k: string]: string }]> = [
  ['awsEbs io2', StorageProfile.awsEbs({ type: EbsVolumeType.IO2, iops: 20000, kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/abcd-1234', fsType: FsType.XFS }),
    'ebs.csi.aws.com', { 'type': 'io2', 'iops': '20000', 'encrypted': 'true', 'kmsKeyId': 'arn:aws:kms:eu-west-1:123456789012:key/abcd-1234', 'csi.storage.k8s.io/fstype': 'xfs' }],
  ['awsEbs gp3', StorageProfile.awsEbs({ iops: 6000, throughputMibps: 250 }),
    'ebs.csi.aws.com', { 'type': 'gp3', 'iops': '6000', 'throughput': '250', 'encrypted': 'true', 'csi.storage.k8s.io/fstype': 'ext4' }],
  ['gcePd hyperdisk', StorageProfile.gcePd({ type: GcePdType.HYPERDISK_BALANCED, provisionedIops: 6000, provisionedThroughputMibps: 300, kmsKey: 'projects/p/locations/l/keyRings/r/cryptoKeys/k' }),
    'pd.csi.storage.gke.io', { 'type': 'hyperdisk-balanced', 'provisioned-iops-on-create': '6000', 'provisioned-throughput-on-create': '300Mi', 'disk-encryption-kms-key': 'projects/p/locations/l/keyRings/r/cryptoKeys/k', 'csi.storage.k8s.io/fstype': 'ext4' }],
  ['azureDisk PremiumV2', StorageProfile.azureDisk({ sku: AzureDiskSku.PREMIUM_V2_LRS, iops: 5000, throughputMbps: 200 }),
    'disk.csi.azure.com', { 'skuName': 'PremiumV2_LRS', 'cachingMode': 'None', 'DiskIOPSReadWrite': '5000', 'DiskMBpsReadWrite': '200', 'csi.storage.k8s.io/fstype': 'ext4' }],
  ['cephRbd', StorageProfile.cephRbd({ pool: 'replicapool' }), 'rook-ceph.rbd.csi.ceph.com', {
    'clusterID': 'rook-ceph',
    'pool': 'replicapool',
    'imageFormat': '2',
    'imageFeatures': 'layering',
    'csi.storage.k8s.io/provisioner-secret-name': 'rook-csi-rbd-provisioner',
    'csi.storage.k8s.io/provisioner-secret-namespace': 'rook-ceph',
    'csi.storage.k8s.io/controller-expand-secret-name': 'rook-csi-rbd-provisioner',
    'csi.storage.k8s.io/controller-expand-secret-namespace': 'rook-ceph',
    'csi.storage.k8s.io/node-stage-secret-name': 'rook-csi-rbd-node',
    'csi.storage.k8s.io/node-stage-secret-namespace': 'rook-ceph',
    'csi.storage.k8s.io/fstype': 'ext4',
  }],
  ['cephRbd other operator namespace', StorageProfile.cephRbd({ pool: 'p', operatorNamespace: 'storage', clusterId: 'ceph-a', dataPool: 'ec-data' }),
    'storage.rbd.csi.ceph.com', {
      'clusterID': 'ceph-a',
      'pool': 'p',
      'dataPool': 'ec-data',
      'imageFormat': '2',
      'imageFeatures': 'layering',
      'csi.storage.k8s.io/provisioner-secret-name': 'rook-csi-rbd-provisioner',
      'csi.storage.k8s.io/provisioner-secret-namespace': 'ceph-a',
      'csi.storage.k8s.io/controller-expand-secret-name': 'rook-csi-rbd-provisioner',
      'csi.storage.k8s.io/controller-expand-secret-namespace': 'ceph-a',
      'csi.storage.k8s.io/node-stage-secret-name': 'rook-csi-rbd-node',
      'csi.storage.k8s.io/node-stage-secret-namespace': 'ceph-a',
      'csi.storage.k8s.io/fstype': 'ext4',
    }],
  ['longhorn', StorageProfile.longhorn({ replicas: 1, dataLocality: LonghornDataLocality.STRICT_LOCAL, staleReplicaTimeout: Duration.hours(1), diskSelector: ['nvme'] }),
    'driver.longhorn.io', { numberOfReplicas: '1', dataLocality: 'strict-local', staleReplicaTimeout: '60', diskSelector: 'nvme', fsType: 'ext4' }],
  // Encrypted volumes can only grow when the kubelet gets the key for NodeExpandVolume too
  // (Longhorn docs, advanced-resources/security/volume-encryption).
  ['longhorn encrypted', StorageProfile.longhorn({ encryptionSecret: { name: 'longhorn-crypto', namespace: 'longhorn-system' } }),
    'driver.longhorn.io', {
      'numberOfReplicas': '3',
      'dataLocality': 'disabled',
      'fsType': 'ext4',
      'encrypted': 'true',
      'csi.storage.k8s.io/provisioner-secret-name': 'longhorn-crypto',
      'csi.storage.k8s.io/provisioner-secret-namespace': 'longhorn-system',
      'csi.storage.k8s.io/node-publish-secret-name': 'longhorn-crypto',
      'csi.storage.k8s.io/node-publish-secret-namespace': 'longhorn-system',
      'csi.storage.k8s.io/node-stage-secret-name': 'longhorn-crypto',
      'csi.storage.k8s.io/node-stage-secret-namespace': 'longhorn-system',
      'csi.storage.k8s.io/node-expand-secret-name': 'longhorn-crypto',
      'csi.storage.k8s.io/node-expand-secret-namespace': 'longhorn-system',
    }],
  ['openebsLvm', StorageProfile.openebsLvm({ volumeGroup: 'lvmvg', thinProvision: true }),
    'local.csi.openebs.io', { storage: 'lvm', volgroup: 'lvmvg', thinProvision: 'yes', fsType: 'ext4' }],
  ['openebsZfs', StorageProfile.openebsZfs({ poolName: 'zfspv-pool', recordSize: Size.kibibytes(16), compression: ZfsCompression.LZ4, dedup: false }),
    'zfs.csi.openebs.io', { poolname: 'zfspv-pool', fstype: 'zfs', recordsize: '16k', compression: 'lz4', dedup: 'off' }],
  ['topolvm', StorageProfile.topolvm({ deviceClass: 'ssd' }),
    'topolvm.io', { 'csi.storage.k8s.io/fstype': 'xfs', 'topolvm.io/device-class': 'ssd' }],
  ['ondat', StorageProfile.ondat({ replicas: 2, encryption: true, compression: false }), 'csi.storageos.com', {
    'csi.storage.k8s.io/secret-name': 'storageos-api',
    'csi.storage.k8s.io/secret-namespace': 'storageos',
    'storageos.com/replicas': '2',
    'storageos.com/encryption': 'true',
    'storageos.com/nocompress': 'true',
    'csi.storage.k8s.io/fstype': 'ext4',
  }],
  ['custom', StorageProfile.custom('nfs.csi.k8s.io', { server: 'nfs.example.com', share: '/exports' }), 'nfs.csi.k8s.io', { server: 'nfs.example.com', share: '/exports' }],
  // Prefixed (non-CSI) provisioners are qualified names the API server accepts.
  ['custom nfs-subdir', StorageProfile.custom('k8s-sigs.io/nfs-subdir-external-provisioner', { archiveOnDelete: 'true' }), 'k8s-sigs.io/nfs-subdir-external-provisioner', { archiveOnDelete: 'true' }],
];

describe('profiles', () => {
  test.each(PROFILES)('%s writes the driver parameters and validates', (_n, profile, provisioner, parameters) => {
    const chart = newChart('ns');
    const sc = new StorageClass(chart, 'sc', { profile });
    // 50Gi: EBS allows 20000 io2 IOPS (1000/GiB) and 6000 gp3 IOPS (500/GiB) from 20 and 12 GiB only.
    workload(chart, 'db', sc, {}, provisioner === 'ebs.csi.aws.com' ? Size.gibibytes(50) : undefined);
    const obj = find(synthValidated(chart), 'StorageClass', 'sc');
    expect(obj.provisioner).toBe(provisioner);
    expect(obj.parameters).toEqual(parameters);
    expect(obj.allowVolumeExpansion).toBe(true);
    expect(obj.metadata.namespace).toBeUndefined();
  });

  test.each(['rancher.io/local-path', 'openebs.io/local', 'example.com/Some_Provisioner'])('custom accepts the prefixed provisioner %s (a qualified name, as the API server validates it)', (provisioner) => {
    const chart = newChart('ns');
    new StorageClass(chart, 'sc', { profile: StorageProfile.custom(provisioner, {}, { supportsExpansion: false }) });
    const obj = find(synthValidated(chart), 'StorageClass', 'sc');
    expect(obj.provisioner).toBe(provisioner);
    expect(obj.allowVolumeExpansion).toBe(false);
  });

  test('localStatic: no parameters, no expansion', () => {
    const chart = newChart('ns');
    const sc = new StorageClass(chart, 'manual', { profile: StorageProfile.localStatic() });
    const obj = find(synthValidated(chart), 'StorageClass', 'manual');
    expect(obj.provisioner).toBe('kubernetes.io/no-provisioner');
    expect(obj.parameters).toBeUndefined();
    expect(obj.allowVolumeExpansion).toBe(false);
    expect(sc.allowVolumeExpansion).toBe(false);
  });

  test('Ondat never writes a compression key', () => {
    const chart = newChart();
    new StorageClass(chart, 'sc', { profile: StorageProfile.ondat({ compression: true }) });
    const params = find(synthValidated(chart), 'StorageClass', 'sc').parameters;
    expect(params['storageos.com/nocompress']).toBe('false');
    expect(Object.keys(params).filter((k) => /compression/.test(k))).toEqual([]);
  });
});

describe('profile validation', () => {
  test.each([
    ['gp3 iops too low', () => StorageProfile.awsEbs({ iops: 1000 }), 'gp3 iops must be a whole number from 3000 to 80000, got 1000'],
    ['gp3 iops too high', () => StorageProfile.awsEbs({ iops: 90000 }), 'gp3 iops must be a whole number from 3000 to 80000, got 90000'],
    ['gp3 throughput', () => StorageProfile.awsEbs({ throughputMibps: 100 }), 'gp3 throughputMibps must be a whole number from 125 to 2000, got 100'],
    ['throughput on io2', () => StorageProfile.awsEbs({ type: EbsVolumeType.IO2, iops: 1000, throughputMibps: 200 }), 'throughputMibps applies to gp3 only, not io2'],
    ['io1 without iops', () => StorageProfile.awsEbs({ type: EbsVolumeType.IO1 }), 'io1 volumes need provisioned IOPS; set iops'],
    ['io2 without iops', () => StorageProfile.awsEbs({ type: EbsVolumeType.IO2 }), 'io2 volumes need provisioned IOPS; set iops'],
    ['io1 iops range', () => StorageProfile.awsEbs({ type: EbsVolumeType.IO1, iops: 70000 }), 'io1 iops must be a whole number from 100 to 64000, got 70000'],
    ['iops on st1', () => StorageProfile.awsEbs({ type: EbsVolumeType.ST1, iops: 500 }), 'st1 volumes do not take provisioned IOPS'],
    ['iops and iopsPerGb', () => StorageProfile.awsEbs({ iops: 4000, iopsPerGb: 10 }), 'set either iops (4000) or iopsPerGb (10), not both'],
    ['kms key not an ARN', () => StorageProfile.awsEbs({ kmsKeyId: 'my-key' }), "kmsKeyId 'my-key' must be a full KMS key ARN"],
    ['kms key unencrypted', () => StorageProfile.awsEbs({ encrypted: false, kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k' }), 'kmsKeyId is set but encrypted is false'],
    ['ebs zfs', () => StorageProfile.awsEbs({ fsType: FsType.ZFS }), "awsEbs: fsType 'zfs' is not supported by this driver"],
    ['regional hyperdisk', () => StorageProfile.gcePd({ type: GcePdType.HYPERDISK_BALANCED, regional: true }), 'regional (replication-type regional-pd) is available for pd-standard, pd-balanced and pd-ssd only, not hyperdisk-balanced'],
    ['iops on pd-balanced', () => StorageProfile.gcePd({ provisionedIops: 5000 }), 'provisionedIops applies to pd-extreme, hyperdisk-balanced, hyperdisk-extreme only, not pd-balanced'],
    ['throughput on pd-ssd', () => StorageProfile.gcePd({ type: GcePdType.PD_SSD, provisionedThroughputMibps: 200 }), 'provisionedThroughputMibps applies to hyperdisk-balanced, hyperdisk-throughput only, not pd-ssd'],
    ['gce kms key', () => StorageProfile.gcePd({ kmsKey: 'key' }), "kmsKey 'key' must look like 'projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>'"],
    ['ultra with caching', () => StorageProfile.azureDisk({ sku: AzureDiskSku.ULTRA_SSD_LRS, cachingMode: AzureCachingMode.READ_ONLY }), 'UltraSSD_LRS does not support host caching; set cachingMode to AzureCachingMode.NONE (got ReadOnly)'],
    ['premiumv2 with caching', () => StorageProfile.azureDisk({ sku: AzureDiskSku.PREMIUM_V2_LRS, cachingMode: AzureCachingMode.READ_WRITE }), 'PremiumV2_LRS does not support host caching; set cachingMode to AzureCachingMode.NONE (got ReadWrite)'],
    ['iops on Premium_LRS', () => StorageProfile.azureDisk({ sku: AzureDiskSku.PREMIUM_LRS, iops: 5000 }), 'iops applies to PremiumV2_LRS and UltraSSD_LRS only, not Premium_LRS'],
    ['premiumv2 iops range', () => StorageProfile.azureDisk({ sku: AzureDiskSku.PREMIUM_V2_LRS, iops: 100 }), 'PremiumV2_LRS iops must be a whole number from 3000 to 80000, got 100'],
    ['disk encryption set id', () => StorageProfile.azureDisk({ diskEncryptionSetId: 'des' }), "diskEncryptionSetId 'des' must be a resource id"],
    ['ceph without pool', () => StorageProfile.cephRbd({ pool: '' }), 'pool is required'],
    ['ceph features without layering', () => StorageProfile.cephRbd({ pool: 'p', imageFeatures: [RbdImageFeature.EXCLUSIVE_LOCK] }), "imageFeatures must include 'layering'"],
    ['ceph object-map without lock', () => StorageProfile.cephRbd({ pool: 'p', imageFeatures: [RbdImageFeature.LAYERING, RbdImageFeature.OBJECT_MAP] }), "imageFeatures object-map need 'exclusive-lock'"],
    ['ceph operator namespace', () => StorageProfile.cephRbd({ pool: 'p', operatorNamespace: 'Rook' }), "operatorNamespace 'Rook' is not a namespace name"],
    ['longhorn strict-local with 3 replicas', () => StorageProfile.longhorn({ dataLocality: LonghornDataLocality.STRICT_LOCAL }), 'dataLocality strict-local keeps the only replica on the pod\'s node and requires replicas: 1, got 3'],
    ['longhorn replicas', () => StorageProfile.longhorn({ replicas: 0 }), 'longhorn: replicas must be a whole number from 1 to 20, got 0'],
    ['longhorn stale timeout', () => StorageProfile.longhorn({ staleReplicaTimeout: Duration.seconds(90) }), 'staleReplicaTimeout must be a whole number of minutes'],
    ['lvm without vg', () => StorageProfile.openebsLvm({}), 'set exactly one of volumeGroup'],
    ['lvm with both', () => StorageProfile.openebsLvm({ volumeGroup: 'a', volumeGroupPattern: 'b' }), 'set exactly one of volumeGroup'],
    ['lvm bad pattern', () => StorageProfile.openebsLvm({ volumeGroupPattern: '(' }), "volumeGroupPattern '(' is not a regular expression"],
    ['zfs without pool', () => StorageProfile.openebsZfs({ poolName: '' }), 'poolName is required'],
    ['zfs recordsize on zvol', () => StorageProfile.openebsZfs({ poolName: 'p', fsType: FsType.EXT4, recordSize: Size.kibibytes(16) }), 'recordSize applies to ZFS datasets (fsType zfs) only'],
    ['zfs volblocksize on dataset', () => StorageProfile.openebsZfs({ poolName: 'p', volBlockSize: Size.kibibytes(16) }), 'volBlockSize applies to zvols'],
    ['zfs recordsize not power of two', () => StorageProfile.openebsZfs({ poolName: 'p', recordSize: Size.kibibytes(24) }), 'recordSize must be a power of two from 4Ki to 1024Ki'],
    ['topolvm ext3', () => StorageProfile.topolvm({ fsType: FsType.EXT3 }), "topolvm: fsType 'ext3' is not supported by this driver; use one of xfs, ext4, btrfs"],
    ['ondat replicas', () => StorageProfile.ondat({ replicas: 6 }), 'ondat: replicas must be a whole number from 0 to 5, got 6'],
    ['custom provisioner', () => StorageProfile.custom('Not A Driver'), "provisioner 'Not A Driver' is not a provisioner name"],
    ['custom provisioner with two slashes', () => StorageProfile.custom('example.com/a/b'), "provisioner 'example.com/a/b' is not a provisioner name"],
    ['custom provisioner with a bad prefix', () => StorageProfile.custom('-bad-/x'), "provisioner '-bad-/x' is not a provisioner name"],
    ['custom provisioner name over 63', () => StorageProfile.custom('a'.repeat(64)), 'is not a provisioner name'],
  ])('%s', (_n, profile, message) => {
    const chart = newChart();
    expect(() => new StorageClass(chart, 'sc', { profile: profile() })).toThrow(message);
    // Scoped to the construct: the path comes first; the code names the driver of the message.
    const e = caught(() => new StorageClass(chart, 'sc2', { profile: profile() }));
    expect(e.message).toMatch(/^test\/sc2: /);
    const driver = /^test\/sc2: (\w+): /.exec(e.message)![1];
    expect(Errors.codeOf(e)).toBe(`StorageProfile${driver.charAt(0).toUpperCase()}${driver.slice(1)}Invalid`);
  });
});
