import { Chart, Size, Testing } from 'cdk8s';
import { invariantErrors, schemaErrors, synthValidated, unknownFieldErrors, validateManifests } from './validate';
import { StatefulWorkload } from '../../src';

/** A valid baseline: a workload with a claim template, config files, RBAC and a client Service. */
function baseline(): any[] {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'ns' });
  const w = new StatefulWorkload(chart, 'db', {
    image: 'docker.io/library/postgres:16.4',
    replicas: 3,
    ports: [{ name: 'pg', port: 5432 }],
    dataVolumes: { data: { mountPath: '/var/lib/postgresql/data', size: Size.gibibytes(1) } },
    rbacRules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
  });
  w.volumes.addConfigFiles('conf', { mountPath: '/etc/pg', files: { 'pg.conf': 'x' } });
  w.services.add('rw', { name: 'db' });
  return synthValidated(chart);
}

const get = (objs: any[], kind: string) => objs.find((o) => o.kind === kind);
const sts = (objs: any[]) => get(objs, 'StatefulSet');
const pod = (objs: any[]) => sts(objs).spec.template.spec;

test('the baseline is valid', () => {
  expect(() => validateManifests(baseline())).not.toThrow();
});

const breakages: Array<[string, (objs: any[]) => void, string]> = [
  // 1. schema (kubernetes-models)
  ['missing required field', (o) => { delete sts(o).spec.selector; }, 'StatefulSet/db: schema'],
  ['wrong type', (o) => { sts(o).spec.replicas = 'three'; }, 'StatefulSet/db: schema'],
  ['bad quantity', (o) => { sts(o).spec.volumeClaimTemplates[0].spec.resources.requests.storage = 'ten gigs'; }, 'StatefulSet/db: schema'],
  ['unknown kind', (o) => { o.push({ apiVersion: 'v1', kind: 'Bogus', metadata: { name: 'x' } }); }, 'unknown apiVersion/kind v1 Bogus'],
  // 2. unknown fields (client-node attribute maps)
  ['unknown top-level field', (o) => { sts(o).spec.replica = 3; }, 'StatefulSet/db: unknown field .spec.replica'],
  ['unknown nested field', (o) => { pod(o).containers[0].securityContext.runAsNonroot = true; }, 'unknown field .spec.template.spec.containers[0].securityContext.runAsNonroot'],
  ['unknown field in a claim template', (o) => { sts(o).spec.volumeClaimTemplates[0].spec.storageClass = 'x'; }, 'unknown field .spec.volumeClaimTemplates[0].spec.storageClass'],
  // 3. invariants
  ['selector not in template labels', (o) => { sts(o).spec.selector.matchLabels['app.kubernetes.io/name'] = 'other'; }, 'selector does not match the pod template labels'],
  ['serviceName names nothing', (o) => { sts(o).spec.serviceName = 'nope'; }, "serviceName 'nope' names no Service in the output"],
  ['serviceName not headless', (o) => { sts(o).spec.serviceName = 'db'; }, "serviceName 'db' is not a headless Service"],
  ['PDB selects no pods', (o) => { get(o, 'PodDisruptionBudget').spec.selector.matchLabels['app.kubernetes.io/instance'] = 'x'; }, 'PodDisruptionBudget/db: selector matches no pods'],
  ['PDB with both fields', (o) => { get(o, 'PodDisruptionBudget').spec.minAvailable = 1; }, 'sets both minAvailable and maxUnavailable'],
  ['PDB that blocks drains', (o) => { const p = get(o, 'PodDisruptionBudget'); delete p.spec.maxUnavailable; p.spec.minAvailable = 3; }, 'minAvailable 3 ≥ 3 replicas blocks every drain'],
  ['mount of nothing', (o) => { pod(o).containers[0].volumeMounts.push({ name: 'ghost', mountPath: '/g' }); }, "mounts 'ghost', which is neither a volume nor a claim template"],
  ['two mounts at one path', (o) => { pod(o).containers[0].volumeMounts.push({ name: 'data', mountPath: '/etc/pg' }); }, 'has two mounts at /etc/pg'],
  ['ConfigMap ref missing', (o) => { pod(o).volumes[0].configMap.name = 'gone'; }, "refers to ConfigMap 'gone', which is not in the output"],
  ['Secret ref missing', (o) => { pod(o).containers[0].env = [{ name: 'P', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }]; }, "env 'P' refers to Secret 's', which is not in the output nor declared external"],
  ['cluster-scoped with namespace', (o) => { o.push({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'sc', namespace: 'ns' }, provisioner: 'x' }); }, "StorageClass/sc: cluster-scoped object carries namespace 'ns'"],
  ['invalid object name', (o) => { get(o, 'ConfigMap').metadata.name = 'Bad_Name'; }, 'ConfigMap/Bad_Name: name is not a DNS-1123 subdomain'],
  ['StatefulSet name too long', (o) => { sts(o).metadata.name = 'a'.repeat(53); }, 'StatefulSet name longer than 52 characters'],
  ['invalid label value', (o) => { sts(o).metadata.labels.x = 'not valid!'; }, "label 'x' has invalid value 'not valid!'"],
  ['version label in a claim template', (o) => { sts(o).spec.volumeClaimTemplates[0].metadata.labels['app.kubernetes.io/version'] = '16'; }, "claim template 'data' carries a version label"],
  ['Service selects nothing', (o) => { get(o, 'Service').spec.selector = { app: 'ghost' }; }, 'selector matches no pod template in the output'],
  ['Service targetPort unknown', (o) => { o.filter((x) => x.kind === 'Service' && x.metadata.name === 'db')[0].spec.ports[0].targetPort = 'postgres'; }, "targetPort 'postgres' names no container port"],
  ['RoleBinding to a missing Role', (o) => { get(o, 'RoleBinding').roleRef.name = 'gone'; }, "roleRef Role 'gone' is not in the output"],
  ['missing ServiceAccount', (o) => { pod(o).serviceAccountName = 'ghost'; }, "serviceAccountName 'ghost' is not in the output"],
  ['duplicate objects', (o) => { o.push(JSON.parse(JSON.stringify(get(o, 'ConfigMap')))); }, 'ConfigMap/db-conf: duplicate object'],
  ['duplicate env', (o) => { pod(o).containers[0].env = [{ name: 'A', value: '1' }, { name: 'A', value: '2' }]; }, "sets env 'A' twice"],
  ['local PV without node affinity', (o) => { o.push({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], local: { path: '/mnt/disks/a' } } }); }, 'a local PersistentVolume needs nodeAffinity.required'],
  ['probe on a plain init container', (o) => { pod(o).initContainers = [{ name: 'init', image: 'busybox:1.36', readinessProbe: { exec: { command: ['true'] } } }]; },
    "init container 'init' sets readinessProbe, which is forbidden for init containers without restartPolicy=Always"],
  ['liveness successThreshold 2', (o) => { pod(o).containers[0].livenessProbe = { tcpSocket: { port: 5432 }, successThreshold: 2 }; }, 'livenessProbe.successThreshold must be 1, got 2'],
  ['zero claim template request', (o) => { sts(o).spec.volumeClaimTemplates[0].spec.resources.requests.storage = '0'; }, "claim template 'data' needs a positive storage request"],
  ['zero PVC request', (o) => { o.push({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-db-0', namespace: 'ns' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '0Gi' } } } }); },
    'PersistentVolumeClaim/data-db-0: needs a positive storage request'],
  ['NetworkPolicy selecting nothing', (o) => { get(o, 'NetworkPolicy').spec.podSelector.matchLabels = { app: 'ghost' }; }, 'NetworkPolicy/db: podSelector matches no pods'],
];

test.each(breakages)('rejects: %s', (_, breakIt, message) => {
  const objs = baseline();
  breakIt(objs);
  expect(() => validateManifests(objs)).toThrow(message);
});

test('a Secret generated at run time by a Job bound to a Role that may write it resolves', () => {
  const objs = baseline();
  pod(objs).containers[0].env = [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'k' } } }];
  const ns = 'ns';
  const generator = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'gen', namespace: ns } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'gen', namespace: ns },
      rules: [
        { apiGroups: [''], resources: ['secrets'], resourceNames: ['db-credentials'], verbs: ['get', 'patch'] },
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'gen', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'gen' },
      subjects: [{ kind: 'ServiceAccount', name: 'gen', namespace: ns }],
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'gen', namespace: ns },
      spec: { template: { spec: { serviceAccountName: 'gen', restartPolicy: 'Never', containers: [{ name: 'gen', image: 'x:1' }] } } },
    },
  ];
  expect(() => validateManifests(objs)).toThrow("refers to Secret 'db-credentials'");
  expect(() => validateManifests([...objs, ...generator.slice(0, 3)])).toThrow("refers to Secret 'db-credentials'"); // no Job
  expect(() => validateManifests([...objs, ...generator])).not.toThrow();
});

test('a restartable init container (native sidecar) may carry probes', () => {
  const objs = baseline();
  pod(objs).initContainers = [{ name: 'proxy', image: 'busybox:1.36', restartPolicy: 'Always', readinessProbe: { exec: { command: ['true'] } } }];
  expect(invariantErrors(objs)).toEqual([]);
});

test('external Secrets are accepted when declared', () => {
  const objs = baseline();
  pod(objs).containers[0].env = [{ name: 'P', valueFrom: { secretKeyRef: { name: 'generated', key: 'k' } } }];
  expect(() => validateManifests(objs, { externalSecrets: ['generated'] })).not.toThrow();
});

test('run-time labels (e.g. Patroni role) are ignored when matching Service selectors', () => {
  const objs = baseline();
  objs.find((x) => x.kind === 'Service' && x.metadata.name === 'db').spec.selector.role = 'primary';
  expect(invariantErrors(objs)).toEqual([]);
  expect(invariantErrors(objs, { runtimeLabelKeys: [] })).toEqual(['Service/db: selector matches no pod template in the output']);
});

test('each layer reports on its own', () => {
  const objs = baseline();
  expect(objs.flatMap(schemaErrors)).toEqual([]);
  expect(objs.flatMap(unknownFieldErrors)).toEqual([]);
});
