/**
 * Property-based tests (safety issue, F) for storage: StorageClass with every profile factory
 * (used by a workload's data volume and a standalone claim, so the per-volume rules run), and
 * LocalVolumePool in static and discovery mode. Whatever the input, the library throws a
 * ValidationError (or a lazy validation message) or writes objects that pass the validators, the
 * API server's value rules and the StorageClass/PersistentVolume rules below.
 * Fixed seed; FC_RUNS=<n> runs more cases.
 */
import { Duration, Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { RUNS, SEED, opt, either, word, count, size, path, Outcomes, onlyValidationErrorsOrValidOutput } from './arbitraries';
import {
  AzureCachingMode, AzureDiskSku, BlockCleaner, EbsVolumeType, FsType, GcePdType, LocalVolumePool, LocalVolumePoolMode, LonghornDataLocality,
  RbdImageFeature, ReclaimPolicy, StatefulWorkload, StorageClass, StorageProfile, TaintEffect, VolumeBindingMode, VolumeMode, ZfsCompression,
} from '../../src';
import { kibibytes } from '../../src/core/units';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const isLabelValue = (v: unknown) => typeof v === 'string' && v.length <= 63 && LABEL_VALUE.test(v);
const isQualified = (k: unknown) => typeof k === 'string' && QUALIFIED.test(k) && k.split('/').pop()!.length <= 63 && k.length <= 253 + 64;

/**
 * What apiRuleErrors does not look at: StorageClass provisioner, parameters and allowedTopologies
 * (ValidateStorageClass; an empty CSI secret name or namespace is our rule: the driver fails on it), and a
 * PersistentVolume's local path, capacity and node affinity.
 */
function storageErrors(objs: any[]): string[] {
  const out: string[] = [];
  for (const o of objs) {
    const where = `${o.kind}/${o.metadata?.name}`;
    if (o.kind === 'StorageClass') {
      if (!isQualified(String(o.provisioner).toLowerCase())) out.push(`${where}: provisioner '${o.provisioner}'`);
      for (const [k, v] of Object.entries(o.parameters ?? {})) {
        if (!k || typeof v !== 'string' || (v === '' && /-secret-(name|namespace)$/.test(k))) out.push(`${where}: parameter '${k}'='${v}'`);
      }
      for (const t of o.allowedTopologies ?? []) {
        for (const e of t.matchLabelExpressions ?? []) {
          if (!isQualified(e.key)) out.push(`${where}: topology key '${e.key}'`);
          for (const v of e.values ?? []) if (!isLabelValue(v) || v === '') out.push(`${where}: zone '${v}'`);
        }
      }
      for (const m of o.mountOptions ?? []) if (!m || /\s/.test(m)) out.push(`${where}: mount option '${m}'`);
    }
    if (o.kind === 'PersistentVolume') {
      const p = String(o.spec?.local?.path ?? '');
      if (!p.startsWith('/') || p.split('/').includes('..')) out.push(`${where}: local path '${p}'`);
      if (!/^[0-9]+(Ki|Mi|Gi|Ti|Pi)?$/.test(String(o.spec?.capacity?.storage))) out.push(`${where}: capacity '${o.spec?.capacity?.storage}'`);
      for (const t of o.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
        for (const e of t.matchExpressions ?? []) for (const v of e.values ?? []) if (!isLabelValue(v)) out.push(`${where}: node '${v}'`);
      }
    }
  }
  return out;
}

const secretOf = (h: boolean) => fc.record({
  name: either(fc.constantFrom('crypto', 'rook-csi-rbd-node', '${pvc.name}'), fc.constantFrom('', 'Bad_Name', 'a b', 'x'.repeat(254)))(h),
  namespace: either(fc.constantFrom('longhorn-system', 'rook-ceph', '${pvc.namespace}'), fc.constantFrom('', 'a.b', 'x'.repeat(64)))(h),
});
const fsOf = opt(fc.constantFrom(...Object.values(FsType)));
const intOf = (h: boolean, min: number, max: number) => either(fc.integer({ min, max }), fc.constantFrom(-1, 0, 0.5, NaN, Infinity, 2 ** 31, 1e9))(h);

/** Every factory, with tame and hostile options. */
const profileOf = (h: boolean): fc.Arbitrary<() => StorageProfile> => fc.oneof(
  fc.record({
    type: opt(fc.constantFrom(...Object.values(EbsVolumeType))),
    iops: opt(intOf(h, 100, 80000)),
    iopsPerGb: opt(intOf(h, 1, 1000)),
    throughputMibps: opt(intOf(h, 125, 2000)),
    encrypted: opt(fc.boolean()),
    kmsKeyId: opt(either(fc.constant('arn:aws:kms:eu-west-1:123456789012:key/abcd'), word(true))(h)),
    fsType: fsOf,
  }).map((o) => () => StorageProfile.awsEbs(o)),
  fc.record({
    type: opt(fc.constantFrom(...Object.values(GcePdType))),
    regional: opt(fc.boolean()),
    provisionedIops: opt(intOf(h, 1, 350000)),
    provisionedThroughputMibps: opt(intOf(h, 1, 10000)),
    kmsKey: opt(either(fc.constant('projects/p/locations/l/keyRings/r/cryptoKeys/k'), word(true))(h)),
    fsType: fsOf,
  }).map((o) => () => StorageProfile.gcePd(o)),
  fc.record({
    sku: opt(fc.constantFrom(...Object.values(AzureDiskSku))),
    cachingMode: opt(fc.constantFrom(...Object.values(AzureCachingMode))),
    iops: opt(intOf(h, 100, 400000)),
    throughputMbps: opt(intOf(h, 1, 10000)),
    diskEncryptionSetId: opt(word(h)),
    fsType: fsOf,
  }).map((o) => () => StorageProfile.azureDisk(o)),
  fc.record({
    pool: word(h),
    operatorNamespace: opt(either(word(false), fc.constantFrom('a'.repeat(46), 'a'.repeat(47), 'a'.repeat(63)))(h)),
    clusterId: opt(word(h)),
    dataPool: opt(word(h)),
    imageFeatures: opt(fc.subarray(Object.values(RbdImageFeature))),
    provisionerSecret: opt(secretOf(h)),
    controllerExpandSecret: opt(secretOf(h)),
    nodeStageSecret: opt(secretOf(h)),
    fsType: fsOf,
  }).map((o) => () => StorageProfile.cephRbd(o)),
  fc.record({
    replicas: opt(intOf(h, 1, 20)),
    dataLocality: opt(fc.constantFrom(...Object.values(LonghornDataLocality))),
    staleReplicaTimeout: opt(either(
      fc.integer({ min: 1, max: 600 }).map((m) => Duration.minutes(m)), fc.constantFrom(Duration.seconds(90), Duration.millis(1)),
    )(h)),
    diskSelector: opt(fc.array(word(h), { maxLength: 2 })),
    nodeSelector: opt(fc.array(word(h), { maxLength: 2 })),
    encryptionSecret: opt(secretOf(h)),
    fsType: fsOf,
  }).map((o) => () => StorageProfile.longhorn(o)),
  fc.record({ volumeGroup: opt(word(h)), volumeGroupPattern: opt(either(fc.constant('lvmvg.*'), fc.constantFrom('(', ''))(h)), thinProvision: opt(fc.boolean()), fsType: fsOf })
    .map((o) => () => StorageProfile.openebsLvm(o)),
  fc.record({
    poolName: word(h),
    fsType: fsOf,
    recordSize: opt(size(h)),
    volBlockSize: opt(size(h)),
    compression: opt(fc.constantFrom(...Object.values(ZfsCompression))),
    dedup: opt(fc.boolean()),
    thinProvision: opt(fc.boolean()),
  }).map((o) => () => StorageProfile.openebsZfs(o)),
  fc.record({ deviceClass: opt(word(h)), fsType: fsOf }).map((o) => () => StorageProfile.topolvm(o)),
  fc.record({
    replicas: opt(intOf(h, 0, 5)),
    encryption: opt(fc.boolean()),
    compression: opt(fc.boolean()),
    topologyAware: opt(fc.boolean()),
    apiSecret: opt(secretOf(h)),
    fsType: fsOf,
  })
    .map((o) => () => StorageProfile.ondat(o)),
  fc.constant(() => StorageProfile.localStatic()),
  fc.record({
    provisioner: either(fc.constantFrom('nfs.csi.k8s.io', 'rancher.io/local-path'), word(true))(h),
    parameters: fc.dictionary(word(h), word(h), { maxKeys: 3 }),
    zoneTopologyKey: opt(either(fc.constant('topology.kubernetes.io/zone'), word(true))(h)),
    supportsExpansion: opt(fc.boolean()),
  }).map((o) => () => StorageProfile.custom(o.provisioner, o.parameters, {
    zoneTopologyKey: o.zoneTopologyKey, supportsExpansion: o.supportsExpansion,
  })),
);

const storageClassCase = (h: boolean) => fc.record({
  profile: profileOf(h),
  name: opt(word(h)),
  reclaimPolicy: opt(fc.constantFrom(...Object.values(ReclaimPolicy))),
  volumeBindingMode: opt(fc.constantFrom(...Object.values(VolumeBindingMode))),
  allowVolumeExpansion: opt(fc.boolean()),
  zones: opt(either(fc.subarray(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']), fc.array(word(true), { maxLength: 3 }))(h)),
  mountOptions: opt(fc.array(either(fc.constantFrom('noatime', 'discard'), word(true))(h), { maxLength: 2 })),
  isDefault: opt(fc.boolean()),
  volumeSize: size(h),
  claimSize: opt(size(h)),
  replicas: opt(fc.integer({ min: 1, max: 3 })),
});

test(`StorageClass (every profile): only ValidationErrors, never an invalid manifest (${RUNS} cases)`, () => {
  const outcomes = new Outcomes();
  fc.assert(fc.property(fc.boolean().chain(storageClassCase), (p) => onlyValidationErrorsOrValidOutput(outcomes, (chart) => {
    const sc = new StorageClass(chart, 'sc', { ...p, profile: p.profile() });
    new StatefulWorkload(chart, 'w', {
      image: 'docker.io/library/redis:7.4.1', replicas: p.replicas, dataVolumes: { data: { mountPath: '/data', size: p.volumeSize, storageClass: sc } },
    });
    if (p.claimSize) {
      new k8s.KubePersistentVolumeClaim(chart, 'claim', {
        metadata: { name: 'claim' },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: sc.storageClassName, resources: { requests: { storage: k8s.Quantity.fromString(quantityOf(p.claimSize)) } } },
      });
    }
  }, storageErrors)), { seed: SEED, numRuns: RUNS });
  process.stdout.write(`StorageClass property test: ${outcomes}\n`);
  expect(outcomes.synthesized).toBeGreaterThan(RUNS / 10);
  expect(outcomes.rejected).toBeGreaterThan(RUNS / 10);
});

/** A claim request as users write it (whole KiB), or something that is not a quantity. */
function quantityOf(s: Size): string {
  const kib = kibibytes(s);
  return Number.isFinite(kib) && kib > 0 ? `${Math.round(kib)}Ki` : '1Gi';
}

const diskOf = (h: boolean) => fc.record({
  node: word(h), path: path(h), capacity: size(h), volumeMode: opt(fc.constantFrom(...Object.values(VolumeMode))), name: opt(word(h)),
});
const poolCase = (h: boolean) => fc.record({
  mode: opt(fc.constantFrom(...Object.values(LocalVolumePoolMode))),
  storageClassName: opt(either(word(false), fc.constantFrom('a'.repeat(38), 'a'.repeat(39), 'a'.repeat(63), 'a'.repeat(64), `${'a'.repeat(63)}.${'b'.repeat(63)}`))(h)),
  disks: opt(fc.array(diskOf(h), { maxLength: 3 })),
  diskSets: opt(fc.array(fc.record({
    nodes: fc.array(word(h), { maxLength: 3 }),
    paths: fc.array(path(h), { maxLength: 2 }),
    capacity: size(h),
    volumeMode: opt(fc.constantFrom(...Object.values(VolumeMode))),
  }), { maxLength: 2 })),
  volumeMode: opt(fc.constantFrom(...Object.values(VolumeMode))),
  reclaimPolicy: opt(fc.constantFrom(...Object.values(ReclaimPolicy))),
  discovery: opt(fc.record({
    hostDir: opt(either(fc.constantFrom('/mnt/disks', '/mnt/fast-disks'), fc.oneof(path(true), fc.constantFrom('/dev', '/dev/disk/by-id', '/etc', '/var/lib/kubelet', '/mnt/../etc')))(h)),
    mountDir: opt(either(fc.constantFrom('/mnt/disks', '/discovery'), fc.oneof(path(true), fc.constantFrom('/dev', '/etc/provisioner', '/var', '/scripts')))(h)),
    fsType: fsOf,
    blockCleaner: opt(fc.oneof(
      fc.constant(BlockCleaner.quickReset()), fc.constant(BlockCleaner.blkdiscard()), count(h).map((n) => BlockCleaner.shred(n)),
    )),
    namePattern: opt(either(fc.constantFrom('*', 'nvme*'), fc.constantFrom('', 'a/b', '[x', 'a\\'))(h)),
    nodeSelector: opt(fc.dictionary(word(h), word(h), { maxKeys: 2 })),
    tolerations: opt(fc.array(fc.record({
      key: word(h), value: opt(word(h)), effect: opt(fc.constantFrom(...Object.values(TaintEffect))),
    }), { maxLength: 2 })),
    nodeCleanup: opt(fc.boolean()),
    namespace: opt(word(h)),
    image: opt(either(fc.constant('registry.k8s.io/sig-storage/local-volume-provisioner:v2.9.0'), fc.constantFrom('', 'a b'))(h)),
    nodeCleanupImage: opt(either(fc.constant('registry.k8s.io/sig-storage/local-volume-node-cleanup:v2.9.0'), fc.constantFrom('', 'a b'))(h)),
  })),
  volumeSize: opt(size(h)),
});

test(`LocalVolumePool (static and discovery): only ValidationErrors, never an invalid manifest (${RUNS} cases)`, () => {
  const outcomes = new Outcomes();
  fc.assert(fc.property(fc.boolean().chain(poolCase), (p) => onlyValidationErrorsOrValidOutput(outcomes, (chart) => {
    const pool = new LocalVolumePool(chart, 'pool', p);
    if (p.volumeSize) {
      new StatefulWorkload(chart, 'w', {
        image: 'docker.io/library/redis:7.4.1', dataVolumes: { data: { mountPath: '/data', size: p.volumeSize, storageClass: pool.storageClass } },
      });
    }
  }, storageErrors)), { seed: SEED, numRuns: RUNS });
  process.stdout.write(`LocalVolumePool property test: ${outcomes}\n`);
  expect(outcomes.synthesized).toBeGreaterThan(RUNS / 10);
  expect(outcomes.rejected).toBeGreaterThan(RUNS / 10);
});
