import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  CockroachCluster, CockroachClusterProps, CockroachSecurity, CockroachVersion, Credentials, Errors, UpgradeSafety, Warnings,
} from '../../src';
import { container, envOf, find, ofKind, synthValidated } from '../util/validate';

const SECURE = CockroachSecurity.fromSecrets({ nodeSecretName: 'crdb-node', rootClientSecretName: 'crdb-root' });
const EXTERNAL = ['crdb-node', 'crdb-root'];

function crdb(props: Partial<CockroachClusterProps> = {}, namespace: string | null = 'ledger') {
  const c = new Chart(Testing.app(), 'test', { namespace: namespace ?? undefined });
  const cluster = new CockroachCluster(c, 'crdb', { security: SECURE, ...props });
  return { c, cluster, objs: synthValidated(c, { externalSecrets: EXTERNAL }) };
}

describe('defaults: 3 secure nodes on the official image', () => {
  const { cluster, objs } = crdb({ databases: [{ name: 'payments' }] });
  const sts = find(objs, 'StatefulSet', 'crdb');
  const main = container(sts, 'cockroachdb');
  const env = envOf(main);

  test('snapshot', () => {
    expect(objs).toMatchSnapshot();
  });

  test('image, Parallel, start script, restricted uid 1000, 60 s to drain', () => {
    expect(main.image).toBe('docker.io/cockroachdb/cockroach:v25.4.3');
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(main.command).toEqual(['bash', '/opt/cdk8s-stateful/cockroachdb/start.sh']);
    expect(sts.spec.template.spec.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, runAsNonRoot: true });
    expect(main.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(sts.spec.template.spec.terminationGracePeriodSeconds).toBe(60);
  });

  test('join list and advertised address are stable DNS names with the pod namespace at run time', () => {
    expect(env.JOIN).toBe([0, 1, 2].map((i) => `crdb-${i}.crdb-headless.$(POD_NAMESPACE).svc.cluster.local:26257`).join(','));
    expect(env.ADVERTISE_HOST).toBe('$(POD_NAME).crdb-headless.$(POD_NAMESPACE).svc.cluster.local');
    expect(find(objs, 'Service', 'crdb-headless').spec.publishNotReadyAddresses).toBe(true);
  });

  test('--cache and --max-sql-memory a quarter of the 4Gi limit each', () => {
    expect([env.CACHE, env.MAX_SQL_MEMORY]).toEqual(['1024MiB', '1024MiB']);
    expect(main.resources.limits.memory).toBe('4Gi');
  });

  test('probes /health over HTTPS in secure mode; node certificates from the Secret', () => {
    expect(main.readinessProbe.httpGet).toEqual({ path: '/health?ready=1', port: 8080, scheme: 'HTTPS' });
    expect(main.livenessProbe.httpGet).toEqual({ path: '/health', port: 8080, scheme: 'HTTPS' });
    expect(env.INSECURE).toBe('false');
    const vol = sts.spec.template.spec.volumes.find((v: any) => v.name === 'node-certs');
    expect(vol.secret).toEqual({ secretName: 'crdb-node', defaultMode: 0o440 });
  });

  test('public Service with SQL and HTTP; endpoint', () => {
    const svc = find(objs, 'Service', 'crdb-public');
    expect(svc.spec.ports.map((p: any) => [p.name, p.port])).toEqual([['grpc', 26257], ['http', 8080]]);
    expect(cluster.endpoint).toEqual({ host: 'crdb-public.ledger.svc.cluster.local', port: 26257 });
  });

  test('init Job: named by a hash of its spec, root client certificate, owners\' passwords from the generated Secret', () => {
    const job = ofKind(objs, 'Job').find((j) => j.metadata.name.startsWith('crdb-init-'));
    expect(job.metadata.name).toMatch(/^crdb-init-[0-9a-f]{8}$/);
    const c = job.spec.template.spec.containers[0];
    expect(envOf(c).HOST).toBe('crdb-0.crdb-headless.$(POD_NAMESPACE).svc.cluster.local:26257');
    expect(envOf(c).DATABASES).toBe('payments:payments:payments-password');
    const vols = Object.fromEntries(job.spec.template.spec.volumes.map((v: any) => [v.name, v]));
    expect(vols.client.secret.secretName).toBe('crdb-root');
    expect(vols.passwords.secret.secretName).toBe('crdb-credentials');
    expect(ofKind(objs, 'Job').some((j) => j.metadata.name.startsWith('crdb-credentials-'))).toBe(true);
  });

  test('no warnings', () => {
    expect(Warnings.of(cluster).ids()).toEqual([]);
  });
});

test('insecure mode: --insecure, HTTP probes, no certificates, a warning', () => {
  const { cluster, objs } = crdb({ security: CockroachSecurity.insecure() });
  const main = container(find(objs, 'StatefulSet', 'crdb'), 'cockroachdb');
  expect(envOf(main).INSECURE).toBe('true');
  expect(main.readinessProbe.httpGet.scheme).toBeUndefined();
  expect(JSON.stringify(objs)).not.toContain('crdb-node');
  expect(Warnings.of(cluster).ids()).toContain('@cdk8s-stateful/cockroachdb:insecure');
});

test('locality from node labels: a get-nodes ClusterRole, an init container, LOCALITY_FILE', () => {
  const { objs } = crdb({ locality: {} });
  const role = find(objs, 'ClusterRole', 'ledger-crdb-node-reader');
  expect(role.rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]);
  expect(role.metadata.namespace).toBeUndefined();
  const sts = find(objs, 'StatefulSet', 'crdb');
  const init = sts.spec.template.spec.initContainers.find((c: any) => c.name === 'node-labels');
  expect(envOf(init).LABELS).toBe('region=topology.kubernetes.io/region zone=topology.kubernetes.io/zone');
  expect(envOf(container(sts, 'cockroachdb')).LOCALITY_FILE).toBe('/etc/cockroach-locality/node-labels');
  expect(sts.spec.template.spec.automountServiceAccountToken).toBe(true);
});

test('bind: libpq env with the owner\'s password from the Secret and a NetworkPolicy rule', () => {
  const c = new Chart(Testing.app(), 'test', { namespace: 'ledger' });
  const cluster = new CockroachCluster(c, 'crdb', { security: SECURE, databases: [{ name: 'payments', owner: 'pay' }] });
  const app = new kplus.Deployment(c, 'api', { containers: [{ image: 'docker.io/library/busybox:1.36' }] });
  cluster.bind(app);
  const objs = synthValidated(c, { externalSecrets: EXTERNAL });
  const env = envOf(ofKind(objs, 'Deployment')[0].spec.template.spec.containers[0]);
  expect(env.PGHOST).toBe('crdb-public');
  expect(env.PGUSER).toBe('pay');
  expect(env.PGSSLMODE).toBe('require');
  expect(env.PGPASSWORD).toEqual({ secretKeyRef: { name: 'crdb-credentials', key: 'pay-password' } });
  expect(() => cluster.bind(app)).toThrow(/bound to this cluster already/);
});

test('UpgradeSafety flags scale-in (decommission first)', () => {
  const findings = UpgradeSafety.check(crdb({ replicas: 5 }).objs, crdb({ replicas: 3 }).objs);
  const shrink = findings.filter((f) => f.id === '@cdk8s-stateful/policy:quorumShrink');
  expect(shrink.map((f) => `${f.kind}/${f.name}`)).toEqual(['StatefulSet/crdb']);
  expect(shrink[0].message).toContain('crdb-3 and crdb-4 stop');
  expect(UpgradeSafety.check(crdb({ replicas: 3 }).objs, crdb({ replicas: 5 }).objs).filter((f) => f.id.endsWith('quorumShrink'))).toEqual([]);
});

const bad: Array<[string, Partial<CockroachClusterProps>, string]> = [
  ['CockroachVersionInvalid', { version: CockroachVersion.of('22.2.0') }, "version '22.2.0'"],
  ['CockroachVersionInvalid', { version: CockroachVersion.of('latest') }, "version 'latest'"],
  ['CockroachReplicasInvalid', { replicas: 0 }, 'got 0'],
  ['CockroachReplicasInvalid', { replicas: 2.5 }, 'got 2.5'],
  ['CockroachDatabaseInvalid', { databases: [{ name: 'Payments' }] }, "database 'Payments'"],
  ['CockroachDatabaseInvalid', { databases: [{ name: 'system' }] }, "database 'system'"],
  ['CockroachDatabaseInvalid', { databases: [{ name: 'a', owner: 'root' }] }, "owner 'root'"],
  ['CockroachDatabaseInvalid', { databases: [{ name: 'a' }, { name: 'a' }] }, 'listed twice'],
  ['CockroachMemoryTooSmall', { resources: { memory: { limit: Size.gibibytes(1) } } }, 'at least 2Gi'],
  ['CockroachSecretNameInvalid', { security: CockroachSecurity.fromSecrets({ nodeSecretName: 'Bad_Name', rootClientSecretName: 'r' }) }, "'Bad_Name'"],
  ['CredentialsInvalid', { databases: [{ name: 'a' }], credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(new Chart(Testing.app(), 'x'), 's', 'pw'), { nope: 'k' }) }, 'nope'],
];
test.each(bad)('%s: %j', (code, props, message) => {
  let err: unknown;
  try {
    crdb(props);
  } catch (e) { err = e; }
  expect(Errors.isValidationError(err)).toBe(true);
  expect(Errors.codeOf(err)).toBe(code);
  expect((err as Error).message).toContain(message);
});

test('locality without a chart namespace', () => {
  expect(() => crdb({ locality: {} }, null)).toThrow(/set `namespace` on the chart/);
});
