import { App, Chart, Size } from 'cdk8s';
import {
  AntiAffinity, EbsVolumeType, LocalVolumePool, LocalVolumePoolMode, LocalVolumePoolProps, PodManagementPolicy, ReclaimPolicy, RetentionPolicy,
  StatefulWorkload, StatefulWorkloadProps, StorageClass, StorageClassProps, StorageProfile,
} from '../../src';
import { UpgradeRisk, UpgradeSafety } from '../../src/upgrade';
import { UnsafeUpgradeError } from '../../src/upgrade/unsafe-upgrade-error';
import { synthValidated } from '../util/validate';

interface Version {
  readonly workload?: Partial<StatefulWorkloadProps>;
  readonly size?: Size;
  readonly expandable?: boolean;
  readonly storageClass?: Partial<StorageClassProps>;
  readonly pool?: LocalVolumePoolProps;
  readonly withWorkload?: boolean;
}

/** One synth output of a small app: a StorageClass, a workload, optionally a local pool. */
function output(v: Version = {}): any[] {
  const chart = new Chart(new App(), 'app', { namespace: 'db' });
  const sc = new StorageClass(chart, 'gp3', { profile: StorageProfile.awsEbs(), ...v.storageClass });
  if (v.pool) new LocalVolumePool(chart, 'local-nvme', v.pool);
  if (v.withWorkload ?? true) {
    new StatefulWorkload(chart, 'pg', {
      image: 'docker.io/library/postgres:16.4',
      replicas: 3,
      dataVolumes: { data: { mountPath: '/data', size: v.size ?? Size.gibibytes(20), storageClass: sc, expandable: v.expandable } },
      ...v.workload,
    });
  }
  return synthValidated(chart);
}

const disks = (capacity: Size) => ({ diskSets: [{ nodes: ['n1'], paths: ['/mnt/disks/a'], capacity }] });

function ids(before: Version, after: Version): string[] {
  return UpgradeSafety.check(output(before), output(after)).map((f) => `${f.id.replace('@cdk8s-stateful/policy:', '')} ${f.kind}/${f.name}`);
}

describe('upgrade safety', () => {
  test('the same output, and safe changes, give no finding', () => {
    expect(UpgradeSafety.check(output(), output())).toEqual([]);
    expect(ids({}, { workload: { replicas: 5, image: 'docker.io/library/postgres:16.5' } })).toEqual([]);
    expect(ids({ expandable: true }, { expandable: true, size: Size.gibibytes(100) })).toEqual([]);
    expect(ids({}, { storageClass: { zones: ['eu-west-1a'], mountOptions: ['noatime'] } })).toEqual([]);
    expect(ids({ pool: disks(Size.gibibytes(100)) }, { pool: disks(Size.gibibytes(200)) })).toEqual([]);
    // Writing a server default explicitly is no change.
    expect(ids({}, { workload: { podManagementPolicy: PodManagementPolicy.ORDERED_READY } })).toEqual([]);
  });

  test('StorageClass fields left out equal their server defaults (Delete, Immediate, no parameters)', () => {
    const sc = (extra: any) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'ebs.csi.aws.com', ...extra });
    expect(UpgradeSafety.check([sc({})], [sc({ reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate', parameters: {} })])).toEqual([]);
    expect(UpgradeSafety.check([sc({})], [sc({ reclaimPolicy: 'Retain' })]).map((f) => f.id)).toEqual(['@cdk8s-stateful/policy:storageClassImmutableField']);
    expect(UpgradeSafety.check([sc({ volumeBindingMode: 'WaitForFirstConsumer' })], [sc({})]).map((f) => f.id)).toEqual(['@cdk8s-stateful/policy:storageClassImmutableField']);
  });

  test('volumeMode left out equals Filesystem (the API server default in claims, claim templates and PVs)', () => {
    const withMode = (objs: any[], mode: string) => JSON.parse(JSON.stringify(objs)).map((o: any) => {
      if (o.kind === 'StatefulSet') for (const t of o.spec.volumeClaimTemplates) t.spec.volumeMode = mode;
      if (o.kind === 'PersistentVolumeClaim' || o.kind === 'PersistentVolume') o.spec.volumeMode = mode;
      return o;
    });
    const before = output({ expandable: true, pool: disks(Size.gibibytes(100)) });
    for (const o of before) if (o.kind === 'PersistentVolume') delete o.spec.volumeMode;
    expect(before.some((o) => o.spec?.volumeMode !== undefined || o.spec?.volumeClaimTemplates?.some((t: any) => t.spec.volumeMode))).toBe(false);
    expect(UpgradeSafety.check(before, withMode(before, 'Filesystem'))).toEqual([]);
    expect(UpgradeSafety.check(withMode(before, 'Filesystem'), before)).toEqual([]);
    // A real change of mode is still caught.
    expect(UpgradeSafety.check(before, withMode(before, 'Block')).map((f) => `${f.id.replace('@cdk8s-stateful/policy:', '')} ${f.kind}`).sort()).toEqual([
      'claimImmutableField PersistentVolumeClaim', 'claimImmutableField PersistentVolumeClaim', 'claimImmutableField PersistentVolumeClaim',
      'persistentVolumeImmutableField PersistentVolume', 'statefulSetImmutableField StatefulSet',
    ]);
  });

  test.each([
    ['claim shrink', { expandable: true, size: Size.gibibytes(50) }, { expandable: true, size: Size.gibibytes(20) },
      ['claimShrink PersistentVolumeClaim/data-pg-0', 'claimShrink PersistentVolumeClaim/data-pg-1', 'claimShrink PersistentVolumeClaim/data-pg-2']],
    ['growing a claim template', { size: Size.gibibytes(20) }, { size: Size.gibibytes(50) }, ['claimTemplateGrowth StatefulSet/pg']],
    ['shrinking a claim template', { size: Size.gibibytes(50) }, { size: Size.gibibytes(20) }, ['statefulSetImmutableField StatefulSet/pg']],
    ['making a running volume expandable', {}, { expandable: true }, ['statefulSetImmutableField StatefulSet/pg']],
    ['podManagementPolicy', {}, { workload: { podManagementPolicy: PodManagementPolicy.PARALLEL } }, ['statefulSetImmutableField StatefulSet/pg']],
    ['a component label (selector)', {}, { workload: { component: 'database' } }, ['statefulSetImmutableField StatefulSet/pg']],
    ['StatefulSet renamed', {}, { workload: { name: 'orders' } }, ['statefulSetRenamed StatefulSet/pg']],
    ['StatefulSet removed', {}, { withWorkload: false }, ['statefulSetRemoved StatefulSet/pg']],
    ['expandable claims removed', { expandable: true }, { expandable: true, workload: { replicas: 2 } }, ['claimRemoved PersistentVolumeClaim/data-pg-2']],
    ['StorageClass parameters', {}, { storageClass: { profile: StorageProfile.awsEbs({ type: EbsVolumeType.IO2, iops: 5000 }) } }, ['storageClassImmutableField StorageClass/gp3']],
    ['StorageClass reclaim policy', {}, { storageClass: { reclaimPolicy: ReclaimPolicy.DELETE } }, ['storageClassImmutableField StorageClass/gp3']],
    ['StorageClass expansion turned off', {}, { storageClass: { allowVolumeExpansion: false } }, ['storageClassExpansionDisabled StorageClass/gp3']],
    ['StorageClass renamed', {}, { storageClass: { name: 'gp3-encrypted' } }, ['storageClassRemoved StorageClass/gp3', 'statefulSetImmutableField StatefulSet/pg']],
    ['retention to Delete', {}, { workload: { whenDeleted: RetentionPolicy.DELETE } }, ['retentionDelete StatefulSet/pg']],
    ['scale down deleting claims', {}, { workload: { replicas: 1, whenScaled: RetentionPolicy.DELETE } }, ['scaleDownDeletesClaims StatefulSet/pg']],
    ['local PV moved to another path', { pool: disks(Size.gibibytes(100)) },
      { pool: { disks: [{ node: 'n1', path: '/mnt/disks/b', capacity: Size.gibibytes(100), name: 'local-nvme-n1-mnt-disks-a' }] } },
      ['persistentVolumeImmutableField PersistentVolume/local-nvme-n1-mnt-disks-a']],
    ['local PV removed', { pool: disks(Size.gibibytes(100)) }, { pool: { mode: LocalVolumePoolMode.DISCOVERY } },
      ['persistentVolumeRemoved PersistentVolume/local-nvme-n1-mnt-disks-a']],
  ])('%s', (_n, before, after, expected) => {
    expect(ids(before as Version, after as Version)).toEqual(expected);
  });

  test('findings carry risk, namespace, message and migration steps', () => {
    const [f] = UpgradeSafety.check(output({ size: Size.gibibytes(20) }), output({ size: Size.gibibytes(50) }));
    expect(f.risk).toBe(UpgradeRisk.REJECTED);
    expect(f.namespace).toBe('db');
    expect(f.message).toContain('spec.volumeClaimTemplates changed');
    expect(f.message).toContain("(claim template 'data': spec.resources.requests.storage 20Gi → 50Gi)");
    expect(f.migration).toContain('kubectl delete statefulset pg -n db --cascade=orphan   # pods and claims keep running');
    expect(f.migration.join('\n')).toContain("set 'expandable: true'");

    const [shrink] = UpgradeSafety.check(
      output({ expandable: true, size: Size.gibibytes(50) }),
      output({ expandable: true, size: Size.gibibytes(20) }),
    );
    expect(shrink.message).toBe('storage request 50Gi → 20Gi: a PersistentVolumeClaim can never shrink');

    const [removed] = UpgradeSafety.check(output({ workload: { whenDeleted: RetentionPolicy.DELETE } }), output({ withWorkload: false }));
    expect(removed.risk).toBe(UpgradeRisk.DATA_LOSS);
  });

  test('claim growth on a class that does not allow expansion', () => {
    const claim = (size: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { storageClassName: 'slow', resources: { requests: { storage: size } } } });
    const sc = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'slow' }, provisioner: 'x.example.com' };
    const findings = UpgradeSafety.check([sc, claim('10Gi')], [sc, claim('10.5Gi')]);
    expect(findings.map((f) => f.id)).toEqual(['@cdk8s-stateful/policy:claimExpansionNotAllowed']);
    // Quantities compare by value, not by text.
    expect(UpgradeSafety.check([claim('1Gi')], [claim('1024Mi')])).toEqual([]);
    expect(UpgradeSafety.check([claim('1G')], [claim('1Gi')])).toEqual([]);
    expect(UpgradeSafety.check([claim('1Gi')], [claim('1G')]).map((f) => f.id)).toEqual(['@cdk8s-stateful/policy:claimShrink']);
  });

  test('claim fields other than the request are immutable', () => {
    const claim = (accessModes: string[]) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'db' }, spec: { accessModes, resources: { requests: { storage: '1Gi' } } } });
    const [f] = UpgradeSafety.check([claim(['ReadWriteOnce'])], [claim(['ReadWriteOncePod'])]);
    expect(f.id).toBe('@cdk8s-stateful/policy:claimImmutableField');
    expect(f.message).toContain('spec.accessModes changed');
  });

  test('assertSafe throws every finding with its migration; acknowledge skips them', () => {
    const before = output({ size: Size.gibibytes(20) });
    const after = output({ size: Size.gibibytes(50), workload: { placement: { antiAffinity: AntiAffinity.HARD } } });
    expect(() => UpgradeSafety.assertSafe(before, before)).not.toThrow();
    let err: any;
    try {
      UpgradeSafety.assertSafe(before, after);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsafeUpgradeError);
    expect(err.findings).toHaveLength(1);
    expect(err.message).toContain('upgrade-safety: 1 unsafe change(s):');
    expect(err.message).toContain('[rejected] StatefulSet/pg (namespace db):');
    expect(err.message).toContain('[@cdk8s-stateful/policy:claimTemplateGrowth]');
    expect(err.message).toContain('2. kubectl delete statefulset pg -n db --cascade=orphan');
    expect(() => UpgradeSafety.assertSafe(before, after, { acknowledge: ['@cdk8s-stateful/policy:claimTemplateGrowth'] })).not.toThrow();
    expect(() => UpgradeSafety.assertSafe(before, after, { acknowledge: ['@cdk8s-stateful/policy:claimTemplateGrowth:StatefulSet/pg'] })).not.toThrow();
    expect(() => UpgradeSafety.assertSafe(before, after, { acknowledge: ['@cdk8s-stateful/policy:claimTemplateGrowth:StatefulSet/other'] })).toThrow(UnsafeUpgradeError);
  });

  test('objectsOf returns what the app synthesizes', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    new StorageClass(chart, 'gp3', { profile: StorageProfile.awsEbs() });
    const objs = UpgradeSafety.objectsOf(app);
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['StorageClass/gp3']);
    expect(objs).toEqual(synthValidated(chart));
  });
});
