import { ApiObject, Chart, Testing } from 'cdk8s';
import { caught, newChart, workload } from './helpers';
import {
  Errors, GcePdType, ReclaimPolicy, StorageClass, StorageProfile, VolumeBindingMode,
} from '../../src';
import { find, ofKind, synthValidated } from '../util/validate';

describe('StorageClass defaults', () => {
  test('Retain, WaitForFirstConsumer, expansion where the driver supports it, no namespace', () => {
    const chart = newChart('databases');
    const sc = new StorageClass(chart, 'gp3', { profile: StorageProfile.awsEbs() });
    workload(chart, 'db', sc);
    const objs = synthValidated(chart);
    const obj = find(objs, 'StorageClass', 'gp3');
    expect(obj).toMatchSnapshot();
    expect(obj.metadata.namespace).toBeUndefined();
    expect(obj.provisioner).toBe('ebs.csi.aws.com');
    expect(obj.reclaimPolicy).toBe('Retain');
    expect(obj.volumeBindingMode).toBe('WaitForFirstConsumer');
    expect(obj.allowVolumeExpansion).toBe(true);
    expect(obj.parameters).toEqual({ 'type': 'gp3', 'encrypted': 'true', 'csi.storage.k8s.io/fstype': 'ext4' });
    expect(obj.metadata.annotations).toBeUndefined();
    // Namespaced objects keep the chart's namespace.
    expect(find(objs, 'StatefulSet', 'db').metadata.namespace).toBe('databases');
    expect(find(objs, 'StatefulSet', 'db').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('gp3');
    expect(sc.storageClassName).toBe('gp3');
    expect(sc.allowVolumeExpansion).toBe(true);
  });

  test('props: name, reclaim, binding mode, zones under the driver key, mount options, default class', () => {
    const chart = newChart('x');
    new StorageClass(chart, 'Fast', {
      name: 'fast-ssd',
      profile: StorageProfile.gcePd({ type: GcePdType.PD_SSD, regional: true }),
      reclaimPolicy: ReclaimPolicy.DELETE,
      volumeBindingMode: VolumeBindingMode.IMMEDIATE,
      zones: ['europe-west1-b', 'europe-west1-c'],
      mountOptions: ['noatime'],
      isDefault: true,
    });
    const obj = find(synthValidated(chart), 'StorageClass', 'fast-ssd');
    expect(obj.metadata.namespace).toBeUndefined();
    expect(obj.metadata.annotations).toEqual({ 'storageclass.kubernetes.io/is-default-class': 'true' });
    expect(obj.reclaimPolicy).toBe('Delete');
    expect(obj.volumeBindingMode).toBe('Immediate');
    expect(obj.mountOptions).toEqual(['noatime']);
    expect(obj.allowedTopologies).toEqual([{ matchLabelExpressions: [{ key: 'topology.gke.io/zone', values: ['europe-west1-b', 'europe-west1-c'] }] }]);
    expect(obj.parameters['replication-type']).toBe('regional-pd');
  });

  test.each([
    ['awsEbs', StorageProfile.awsEbs(), 'topology.kubernetes.io/zone'],
    ['gcePd', StorageProfile.gcePd(), 'topology.gke.io/zone'],
    ['azureDisk', StorageProfile.azureDisk(), 'topology.disk.csi.azure.com/zone'],
    ['custom', StorageProfile.custom('nfs.csi.k8s.io', {}, { zoneTopologyKey: 'example.com/zone' }), 'example.com/zone'],
  ])('%s zones use the driver zone key', (_n, profile, key) => {
    const chart = newChart();
    new StorageClass(chart, 'sc', { profile, zones: ['z1'] });
    expect(find(synthValidated(chart), 'StorageClass', 'sc').allowedTopologies[0].matchLabelExpressions[0].key).toBe(key);
  });

  test('fromName refers to an existing class and writes no object', () => {
    const chart = newChart();
    const existing = StorageClass.fromName(chart, 'premium', 'premium-rwo', { allowVolumeExpansion: true });
    expect(existing.storageClassName).toBe('premium-rwo');
    expect(existing.allowVolumeExpansion).toBe(true);
    expect(StorageClass.fromName(chart, 'standard', 'standard').allowVolumeExpansion).toBeUndefined();
    workload(chart, 'db', existing);
    const objs = synthValidated(chart);
    expect(ofKind(objs, 'StorageClass')).toHaveLength(0);
    expect(find(objs, 'StatefulSet', 'db').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('premium-rwo');
  });

  test.each([
    ['Bad_Name'], [''], ['Not Valid'], ['a'.repeat(254)],
  ])('fromName(%j) is a ValidationError StorageClassNameInvalid at the given path', (name) => {
    const chart = newChart();
    const e = caught(() => StorageClass.fromName(chart, 'existing', name));
    expect(Errors.isValidationError(e)).toBe(true);
    expect(Errors.codeOf(e)).toBe('StorageClassNameInvalid');
    expect(e.message).toBe(`test/existing: StorageClass.fromName: '${name}' is not a StorageClass name (a DNS-1123 subdomain: lower-case letters, digits, '-' and '.')`);
  });

  test('ApiObject.of(storageClass) is its StorageClass object', () => {
    const chart = newChart();
    const sc = new StorageClass(chart, 'gp3', { profile: StorageProfile.awsEbs() });
    expect(ApiObject.of(sc)).toBe(sc.apiObject);
    expect(ApiObject.of(sc).kind).toBe('StorageClass');
  });
});

describe('StorageClass validation', () => {
  test.each([
    ['zones on a driver without zone topology', { profile: StorageProfile.longhorn(), zones: ['a'] }, 'driver.longhorn.io reports no zone topology, so zones [a] cannot apply', 'StorageClassZonesUnsupported'],
    ['regional with one zone', { profile: StorageProfile.gcePd({ regional: true }), zones: ['a'] }, 'regional disks replicate across two zones: list at least 2 zones, got [a]', 'StorageClassZonesTooFew'],
    ['duplicate zone', { profile: StorageProfile.awsEbs(), zones: ['a', 'a'] }, "zone 'a' is listed twice", 'StorageClassZoneDuplicate'],
    ['expansion on no-provisioner', { profile: StorageProfile.localStatic(), allowVolumeExpansion: true }, 'allowVolumeExpansion is true but kubernetes.io/no-provisioner cannot expand volumes', 'StorageClassExpansionUnsupported'],
    ['Delete on no-provisioner', { profile: StorageProfile.localStatic(), reclaimPolicy: ReclaimPolicy.DELETE }, 'reclaimPolicy Delete does not work for hand-made local volumes', 'StorageClassLocalDeleteUnsupported'],
    ['bad name', { profile: StorageProfile.awsEbs(), name: 'Fast_SSD' }, "StorageClass name 'Fast_SSD' must be a DNS-1123 subdomain", 'NameNotDns1123Subdomain'],
    ['bad mount option', { profile: StorageProfile.awsEbs(), mountOptions: ['no atime'] }, "mount option 'no atime' must be a single non-empty word", 'StorageClassMountOptionInvalid'],
  ])('StorageClass: %s', (_n, props, message, code) => {
    const e = caught(() => new StorageClass(newChart(), 'sc', props));
    expect(e.message).toContain(message);
    expect(Errors.codeOf(e)).toBe(code);
  });
});

test('two StorageClasses of one name in one app are a DuplicateObject, also across charts and namespaces', () => {
  const app = Testing.app();
  new StorageClass(new Chart(app, 'a', { namespace: 'x' }), 'fast', { profile: StorageProfile.awsEbs() });
  const e = caught(() => new StorageClass(new Chart(app, 'b', { namespace: 'y' }), 'fast', { profile: StorageProfile.awsEbs() }));
  expect(Errors.codeOf(e)).toBe('DuplicateObject');
  expect(e.message).toContain("StorageClass 'fast' is emitted twice: by a/fast/Resource and by b/fast/Resource");
});
