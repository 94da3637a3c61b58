// Every CEL expression of the AdmissionPolicies, evaluated with @bufbuild/cel (test/policy/cel-harness.ts)
// against the library's own synthesized objects (which must pass) and edits of them (which must not).
import { App, Chart, Size } from 'cdk8s';
import { admit, unexercised, Verdict } from './cel-harness';
import { KafkaCluster } from '../../src/kafka';
import { AdmissionPolicies } from '../../src/policy';
import { PostgresCluster, PostgresStorage } from '../../src/postgres';
import { LocalVolumePool, ReclaimPolicy, StorageClass, StorageProfile } from '../../src/storage';
import { find, ofKind, synthValidated } from '../util/validate';

const MANAGED = { 'app.kubernetes.io/managed-by': 'cdk8s-stateful' };
const clone = (o: any) => JSON.parse(JSON.stringify(o));

function policies(): { [id: string]: any } {
  const c = new Chart(new App(), 'policies');
  new AdmissionPolicies(c, 'admission');
  const objs = synthValidated(c);
  return Object.fromEntries(ofKind(objs, 'ValidatingAdmissionPolicy').map((p) => [p.metadata.name.replace('cdk8s-stateful-', ''), p]));
}
const P = policies();

function postgres(storage: PostgresStorage = {}, configure?: (c: PostgresCluster) => void): { sts: any; objs: any[] } {
  const c = new Chart(new App(), 'test', { namespace: 'db' });
  const cluster = new PostgresCluster(c, 'orders-db', { storage });
  configure?.(cluster);
  const objs = synthValidated(c, { externalSecrets: [cluster.secretName] });
  return { sts: find(objs, 'StatefulSet', 'orders-db'), objs };
}

function kafka(): any[] {
  const c = new Chart(new App(), 'test', { namespace: 'streams' });
  new KafkaCluster(c, 'events');
  return synthValidated(c);
}

/** The pod the StatefulSet controller would create from a template. */
function podOf(sts: any): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...sts.spec.template.metadata, name: `${sts.metadata.name}-0` }, spec: sts.spec.template.spec };
}

const passes = (v: Verdict) => {
  expect(v.matched).toBe(true);
  expect(v.failures).toEqual([]);
};
const fails = (v: Verdict, ...parts: string[]) => {
  expect(v.matched).toBe(true);
  expect(v.failures).toHaveLength(1);
  for (const p of parts) expect(v.failures[0]).toContain(p);
  expect(v.failures[0]).not.toContain('evaluation error');
};

describe('statefulset-storage: claim templates and selector unchanged', () => {
  const before = postgres().sts;

  test('an update the library itself makes (instances, image, config) passes', () => {
    const after = clone(before);
    after.spec.replicas = 5;
    after.spec.template.spec.containers[0].image = 'ghcr.io/zalando/spilo-17:4.0-p4';
    passes(admit(P['statefulset-storage'], 'UPDATE', after, before));
  });

  test('a larger data volume is denied, naming the claim', () => {
    const after = postgres({ size: Size.gibibytes(20) }).sts;
    expect(after.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi');
    fails(admit(P['statefulset-storage'], 'UPDATE', after, before), 'StatefulSet orders-db: spec.volumeClaimTemplates must not change', `of ${before.spec.volumeClaimTemplates[0].metadata.name})`);
  });

  test('another storage class, another access mode, a new or removed claim template: denied', () => {
    const c = new Chart(new App(), 'sc');
    const gp3 = new StorageClass(c, 'gp3', { profile: StorageProfile.awsEbs() });
    const otherClass = postgres({ storageClass: gp3 }).sts;
    fails(admit(P['statefulset-storage'], 'UPDATE', otherClass, before), 'must not change');
    const modes = clone(before);
    modes.spec.volumeClaimTemplates[0].spec.accessModes = ['ReadWriteOncePod'];
    fails(admit(P['statefulset-storage'], 'UPDATE', modes, before), 'must not change');
    const wal = postgres({ walSize: Size.gibibytes(2) }).sts;
    expect(wal.spec.volumeClaimTemplates).toHaveLength(2);
    fails(admit(P['statefulset-storage'], 'UPDATE', wal, before), 'must not change');
    fails(admit(P['statefulset-storage'], 'UPDATE', before, wal), 'must not change', 'wal');
  });

  test('a changed selector is denied', () => {
    const after = clone(before);
    after.spec.selector.matchLabels['app.kubernetes.io/component'] = 'other';
    const v = admit(P['statefulset-storage'], 'UPDATE', after, before);
    fails(v, 'StatefulSet orders-db: spec.selector must not change');
  });

  test('removing the managed-by label in the same update does not escape; unmanaged StatefulSets and CREATE are not matched', () => {
    const after = postgres({ size: Size.gibibytes(20) }).sts;
    delete after.metadata.labels['app.kubernetes.io/managed-by'];
    fails(admit(P['statefulset-storage'], 'UPDATE', after, before), 'must not change');
    const unmanagedBefore = clone(before);
    delete unmanagedBefore.metadata.labels['app.kubernetes.io/managed-by'];
    expect(admit(P['statefulset-storage'], 'UPDATE', after, unmanagedBefore).matched).toBe(false);
    expect(admit(P['statefulset-storage'], 'CREATE', before).matched).toBe(false);
  });
});

describe('retain-data: claims, volumes and classes keep their data', () => {
  test('the library output passes: StatefulSet, local PersistentVolumes and StorageClasses', () => {
    const c = new Chart(new App(), 'storage');
    const pool = new LocalVolumePool(c, 'local-nvme', { disks: [{ node: 'n1', path: '/mnt/a', capacity: Size.gibibytes(100) }] });
    new StorageClass(c, 'gp3', { profile: StorageProfile.awsEbs() });
    const objs = synthValidated(c);
    expect(pool.persistentVolumes).toHaveLength(1);
    const pv = ofKind(objs, 'PersistentVolume')[0];
    pv.metadata.labels = { ...pv.metadata.labels, ...MANAGED };
    passes(admit(P['retain-data'], 'CREATE', pv));
    for (const sc of ofKind(objs, 'StorageClass')) passes(admit(P['retain-data'], 'CREATE', sc));
    const { sts } = postgres();
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    passes(admit(P['retain-data'], 'CREATE', sts));
    const defaulted = clone(sts);
    delete defaulted.spec.persistentVolumeClaimRetentionPolicy;
    passes(admit(P['retain-data'], 'UPDATE', defaulted, sts));
  });

  test.each(['whenDeleted', 'whenScaled'])('StatefulSet %s: Delete is denied unless annotated', (field) => {
    const { sts } = postgres();
    sts.spec.persistentVolumeClaimRetentionPolicy[field] = 'Delete';
    fails(admit(P['retain-data'], 'UPDATE', sts, sts), 'StatefulSet orders-db: persistentVolumeClaimRetentionPolicy must be Retain');
    const allowed = postgres({}, (c) => AdmissionPolicies.allowDataDeletion(c.statefulSet)).sts;
    allowed.spec.persistentVolumeClaimRetentionPolicy[field] = 'Delete';
    expect(allowed.metadata.annotations['cdk8s-stateful.io/allow-data-deletion']).toBe('true');
    passes(admit(P['retain-data'], 'UPDATE', allowed, sts));
  });

  test('PersistentVolume and StorageClass with Delete are denied unless annotated', () => {
    const c = new Chart(new App(), 'storage');
    new StorageClass(c, 'gp3', { profile: StorageProfile.awsEbs(), reclaimPolicy: ReclaimPolicy.DELETE });
    const allowed = new StorageClass(c, 'scratch', { profile: StorageProfile.awsEbs(), reclaimPolicy: ReclaimPolicy.DELETE });
    AdmissionPolicies.allowDataDeletion(allowed.apiObject);
    const objs = synthValidated(c);
    fails(admit(P['retain-data'], 'CREATE', find(objs, 'StorageClass', 'gp3')), 'StorageClass gp3: reclaimPolicy must be Retain, got Delete');
    passes(admit(P['retain-data'], 'CREATE', find(objs, 'StorageClass', 'scratch')));
    const pv = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-1', labels: MANAGED }, spec: { persistentVolumeReclaimPolicy: 'Delete', capacity: { storage: '1Gi' } } };
    fails(admit(P['retain-data'], 'UPDATE', pv, pv), 'PersistentVolume pv-1: persistentVolumeReclaimPolicy must be Retain, got Delete');
    const kept = clone(pv);
    kept.metadata.annotations = { 'cdk8s-stateful.io/allow-data-deletion': 'true' };
    passes(admit(P['retain-data'], 'UPDATE', kept, pv));
    const notTrue = clone(pv);
    notTrue.metadata.annotations = { 'cdk8s-stateful.io/allow-data-deletion': 'yes' };
    fails(admit(P['retain-data'], 'UPDATE', notTrue, pv), 'must be Retain');
  });
});

describe('restricted-pods', () => {
  const pg = postgres().objs;
  const kf = kafka();

  test('every pod template the library writes passes, and the pods created from them', () => {
    const templated = [...pg, ...kf].filter((o) => ['StatefulSet', 'Job', 'CronJob'].includes(o.kind));
    expect(templated.map((o) => o.kind)).toEqual(expect.arrayContaining(['StatefulSet', 'Job']));
    for (const o of templated) passes(admit(P['restricted-pods'], 'CREATE', o));
    passes(admit(P['restricted-pods'], 'CREATE', podOf(find(pg, 'StatefulSet', 'orders-db'))));
    passes(admit(P['restricted-pods'], 'CREATE', podOf(find(kf, 'StatefulSet', ofKind(kf, 'StatefulSet')[0].metadata.name))));
  });

  const cases: [string, (pod: any) => void, string][] = [
    ['runAsNonRoot false on the container', (p) => { p.spec.containers[0].securityContext.runAsNonRoot = false; }, 'must set runAsNonRoot'],
    ['runAsNonRoot nowhere', (p) => {
      delete p.spec.securityContext.runAsNonRoot;
      for (const c of [...p.spec.containers, ...p.spec.initContainers ?? []]) delete c.securityContext.runAsNonRoot;
    }, 'must set runAsNonRoot'],
    ['runAsUser 0 on the container', (p) => { p.spec.containers[0].securityContext.runAsUser = 0; }, 'must not run as user 0'],
    ['runAsUser 0 on the pod', (p) => {
      p.spec.securityContext.runAsUser = 0;
      for (const c of [...p.spec.containers, ...p.spec.initContainers ?? []]) delete c.securityContext.runAsUser;
    }, 'must not run as user 0'],
    ['allowPrivilegeEscalation true', (p) => { p.spec.containers[0].securityContext.allowPrivilegeEscalation = true; }, 'allowPrivilegeEscalation: false'],
    ['no securityContext on a container', (p) => { delete p.spec.containers[0].securityContext; }, ''],
    ['capabilities not dropped', (p) => { p.spec.containers[0].securityContext.capabilities = { drop: ['NET_RAW'] }; }, 'must drop ALL capabilities'],
    ['SYS_ADMIN added', (p) => { p.spec.containers[0].securityContext.capabilities.add = ['SYS_ADMIN']; }, 'must drop ALL capabilities'],
    ['seccomp Unconfined', (p) => {
      p.spec.securityContext.seccompProfile = { type: 'Unconfined' };
      for (const c of [...p.spec.containers, ...p.spec.initContainers ?? []]) delete c.securityContext.seccompProfile;
    }, 'seccomp profile'],
    ['seccomp nowhere', (p) => {
      delete p.spec.securityContext.seccompProfile;
      for (const c of [...p.spec.containers, ...p.spec.initContainers ?? []]) delete c.securityContext.seccompProfile;
    }, 'seccomp profile'],
  ];

  test.each(cases)('%s: denied on the pod and on its StatefulSet, naming the container', (_, edit, part) => {
    const sts = clone(find(pg, 'StatefulSet', 'orders-db'));
    edit(sts.spec.template);
    for (const obj of [sts, podOf(sts)]) {
      const v = admit(P['restricted-pods'], 'CREATE', obj);
      expect(v.failures.length).toBeGreaterThanOrEqual(1);
      expect(v.failures.join('\n')).not.toContain('evaluation error');
      expect(v.failures[0]).toContain(`${obj.kind} ${obj.metadata.name}: container(s) postgres`);
      expect(v.failures.join('\n')).toContain(part);
    }
  });

  test('NET_BIND_SERVICE may be added; a Localhost profile is allowed', () => {
    const sts = clone(find(pg, 'StatefulSet', 'orders-db'));
    sts.spec.template.spec.containers[0].securityContext.capabilities.add = ['NET_BIND_SERVICE'];
    sts.spec.template.spec.containers[0].securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' };
    passes(admit(P['restricted-pods'], 'UPDATE', sts, sts));
  });

  test('the exemption annotation on the pod template admits a root image', () => {
    const sts = clone(find(pg, 'StatefulSet', 'orders-db'));
    sts.spec.template.spec.containers[0].securityContext.runAsUser = 0;
    sts.spec.template.metadata.annotations = { ...sts.spec.template.metadata.annotations, 'cdk8s-stateful.io/pss-exempt': 'image writes /etc as root' };
    passes(admit(P['restricted-pods'], 'CREATE', sts));
    passes(admit(P['restricted-pods'], 'CREATE', podOf(sts)));
  });

  test('a CronJob template is checked too', () => {
    const cron = ofKind([...pg, ...kf], 'CronJob')[0] ?? {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'backup', labels: MANAGED },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: clone(find(pg, 'StatefulSet', 'orders-db').spec.template) } } },
    };
    passes(admit(P['restricted-pods'], 'CREATE', cron));
    const bad = clone(cron);
    bad.spec.jobTemplate.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    fails(admit(P['restricted-pods'], 'UPDATE', bad, cron), `CronJob ${cron.metadata.name}: container(s)`, 'allowPrivilegeEscalation');
  });
});

describe('quorum-floor', () => {
  const { sts } = postgres({}, (c) => AdmissionPolicies.setQuorumFloor(c.statefulSet, 3));

  test('setQuorumFloor writes the annotation; at or above the floor passes', () => {
    expect(sts.metadata.annotations['cdk8s-stateful.io/quorum-min']).toBe('3');
    passes(admit(P['quorum-floor'], 'CREATE', sts));
    const up = clone(sts);
    up.spec.replicas = 5;
    passes(admit(P['quorum-floor'], 'UPDATE', up, sts));
    const plain = postgres().sts;
    plain.spec.replicas = 1;
    passes(admit(P['quorum-floor'], 'UPDATE', plain, plain));
  });

  test('below the floor is denied, on create and on update', () => {
    const down = clone(sts);
    down.spec.replicas = 2;
    fails(admit(P['quorum-floor'], 'UPDATE', down, sts), 'StatefulSet orders-db: replicas 2 is below its quorum floor 3');
    fails(admit(P['quorum-floor'], 'CREATE', down), 'replicas 2 is below its quorum floor 3');
    const unset = clone(sts);
    delete unset.spec.replicas;
    fails(admit(P['quorum-floor'], 'UPDATE', unset, sts), 'replicas 1 is below');
  });

  test('scaling up towards a floor added later passes; scaling further down does not', () => {
    const one = clone(sts);
    one.spec.replicas = 1;
    const two = clone(sts);
    two.spec.replicas = 2;
    passes(admit(P['quorum-floor'], 'UPDATE', two, one));
    fails(admit(P['quorum-floor'], 'UPDATE', one, two), 'replicas 1 is below');
  });

  test('a floor that is not a whole number is rejected as invalid', () => {
    const bad = clone(sts);
    bad.metadata.annotations['cdk8s-stateful.io/quorum-min'] = 'three';
    fails(admit(P['quorum-floor'], 'UPDATE', bad, sts), 'StatefulSet orders-db: annotation cdk8s-stateful.io/quorum-min must be a whole number, got "three"');
  });
});

test('every expression of every policy was exercised (validations both true and false, messages and variables evaluated)', () => {
  expect(Object.keys(P).sort()).toEqual(['quorum-floor', 'restricted-pods', 'retain-data', 'statefulset-storage']);
  for (const p of Object.values(P)) expect([p.metadata.name, unexercised(p)]).toEqual([p.metadata.name, []]);
});
