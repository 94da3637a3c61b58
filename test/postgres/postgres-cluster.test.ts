import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Errors } from '../../src/core/errors';
import { Credentials } from '../../src/core/kit/credentials';
import { Warnings } from '../../src/core/warnings';
import { AntiAffinity } from '../../src/core/workload/scheduling';
import { PostgresCluster, PostgresClusterProps, PostgresVersion, ReplicationMode } from '../../src/postgres';
import { container, envOf, find, ofKind, synthValidated } from '../util/validate';

function chart(namespace: string | undefined = 'db'): Chart {
  return new Chart(new App(), 'test', { namespace });
}

function synth(props: PostgresClusterProps = {}, id = 'orders-db', ns: string | undefined = 'db') {
  const c = chart(ns);
  const cluster = new PostgresCluster(c, id, props);
  const objs = synthValidated(c, { externalSecrets: [cluster.secretName] });
  const sts = find(objs, 'StatefulSet', cluster.workload.name);
  return { c, cluster, objs, sts, main: container(sts, 'postgres'), env: envOf(container(sts, 'postgres')) };
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

function spiloConfig(env: { [k: string]: any }): any {
  return JSON.parse(env.SPILO_CONFIGURATION);
}

describe('Patroni mode (default)', () => {
  test('defaults: snapshot', () => {
    const c = chart();
    new PostgresCluster(c, 'orders-db');
    synthValidated(c, { externalSecrets: ['orders-db-credentials'] });
    expect(Testing.synth(c)).toMatchSnapshot();
  });

  test('defaults: objects, Services and labels Patroni selects on', () => {
    const { objs, sts, cluster } = synth();
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/orders-db-bootstrap',
      `Job/${cluster.secretGenerator!.job.name}`,
      `Job/${cluster.reconcileJob.name}`,
      `Job/${cluster.rolloutJob!.name}`,
      'NetworkPolicy/orders-db',
      'PodDisruptionBudget/orders-db',
      'Role/orders-db', 'Role/orders-db-credentials-gen', 'Role/orders-db-rollout',
      'RoleBinding/orders-db', 'RoleBinding/orders-db-credentials-gen', 'RoleBinding/orders-db-rollout',
      'Service/orders-db', 'Service/orders-db-headless', 'Service/orders-db-ro',
      'ServiceAccount/orders-db', 'ServiceAccount/orders-db-credentials-gen', 'ServiceAccount/orders-db-rollout',
      'StatefulSet/orders-db',
    ]);
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.spec.template.metadata.labels).toMatchObject({ 'application': 'patroni', 'cluster-name': 'orders-db' });
    const rw = find(objs, 'Service', 'orders-db');
    expect(rw.spec.selector).toMatchObject({ 'role': 'primary', 'app.kubernetes.io/instance': 'orders-db' });
    expect(rw.spec.ports).toEqual([{ name: 'postgresql', port: 5432, targetPort: 'postgresql', protocol: 'TCP' }]);
    expect(find(objs, 'Service', 'orders-db-ro').spec.selector).toMatchObject({ role: 'replica' });
    expect(find(objs, 'Service', 'orders-db-headless').spec.clusterIP).toBe('None');
    expect(find(objs, 'PodDisruptionBudget', 'orders-db').spec).toMatchObject({ maxUnavailable: 1 });
    expect(sts.spec.template.spec.terminationGracePeriodSeconds).toBe(60);
  });

  test('namespaced RBAC: configmaps and pods verbs, nothing more; token mounted', () => {
    const { objs, sts } = synth();
    expect(find(objs, 'Role', 'orders-db').rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'list', 'patch', 'update', 'watch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'patch', 'update', 'watch'] },
    ]);
    expect(find(objs, 'RoleBinding', 'orders-db').subjects).toEqual([{ kind: 'ServiceAccount', name: 'orders-db', namespace: 'db' }]);
    expect(ofKind(objs, 'ClusterRole')).toHaveLength(0);
    expect(sts.spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(sts.spec.template.spec.serviceAccountName).toBe('orders-db');
  });

  test('Spilo env: Kubernetes DCS in ConfigMaps mode, labels, credentials from the Secret', () => {
    const { env, main } = synth();
    expect(main.image).toBe('ghcr.io/zalando/spilo-17:4.0-p3');
    expect(env).toMatchObject({
      SCOPE: 'orders-db',
      PGVERSION: '17',
      PGROOT: '/home/postgres/pgdata/pgroot',
      POD_IP: { fieldRef: { fieldPath: 'status.podIP' } },
      POD_NAMESPACE: { fieldRef: { fieldPath: 'metadata.namespace' } },
      DCS_ENABLE_KUBERNETES_API: 'true',
      KUBERNETES_USE_CONFIGMAPS: 'true',
      KUBERNETES_BYPASS_API_SERVICE: 'false',
      KUBERNETES_LABELS: '{"application":"patroni"}',
      KUBERNETES_SCOPE_LABEL: 'cluster-name',
      KUBERNETES_ROLE_LABEL: 'role',
      KUBERNETES_LEADER_LABEL_VALUE: 'primary',
      KUBERNETES_FOLLOWER_LABEL_VALUE: 'replica',
      PGUSER_SUPERUSER: 'postgres',
      PGPASSWORD_SUPERUSER: { secretKeyRef: { name: 'orders-db-credentials', key: 'superuser-password' } },
      PGUSER_STANDBY: 'replicator',
      PGPASSWORD_STANDBY: { secretKeyRef: { name: 'orders-db-credentials', key: 'replication-password' } },
    });
    // Not optional: the kubelet waits for the Secret instead of starting without passwords.
    expect(env.PGPASSWORD_SUPERUSER.secretKeyRef.optional).toBeUndefined();
  });

  test('Patroni config: pg_rewind, slots, replication pg_hba, post_init, DCS vs local parameters', () => {
    const { env } = synth();
    const cfg = spiloConfig(env);
    expect(cfg.bootstrap.dcs).toMatchObject({ ttl: 30, loop_wait: 10, synchronous_mode: false });
    expect(cfg.bootstrap.dcs.postgresql).toMatchObject({ use_pg_rewind: true, use_slots: true });
    expect(cfg.bootstrap.dcs.postgresql.parameters).toEqual({
      max_connections: '100', max_worker_processes: '8', max_wal_senders: '10', max_replication_slots: '10',
    });
    expect(cfg.postgresql.parameters.shared_buffers).toBe('512MB');
    expect(cfg.postgresql.parameters.max_connections).toBeUndefined();
    expect(cfg.postgresql.pg_hba).toContain('hostssl replication replicator all scram-sha-256');
    expect(cfg.postgresql.pg_hba).toContain('hostnossl all all all reject');
    expect(cfg.bootstrap.post_init).toBe('/etc/cdk8s-stateful/post-init.sh');
  });

  test('probes on the REST API 8008, data on the volume, writable /run and /tmp, restricted security', () => {
    const { sts, main } = synth();
    expect(main.readinessProbe).toMatchObject({ httpGet: { path: '/readiness', port: 8008 }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 });
    expect(main.livenessProbe).toMatchObject({ httpGet: { path: '/liveness', port: 8008 } });
    expect(main.startupProbe).toMatchObject({ httpGet: { path: '/liveness', port: 8008 }, failureThreshold: 30 });
    expect(main.ports).toEqual([
      { name: 'postgresql', containerPort: 5432, protocol: 'TCP' },
      { name: 'patroni', containerPort: 8008, protocol: 'TCP' },
    ]);
    const mounts = Object.fromEntries(main.volumeMounts.map((m: any) => [m.mountPath, m.name]));
    expect(mounts).toMatchObject({
      '/home/postgres/pgdata': 'data',
      '/run': 'scratch-run',
      '/tmp': 'scratch-tmp',
      '/etc/postgres-credentials': 'credentials',
      '/etc/cdk8s-stateful': 'bootstrap',
    });
    expect(sts.spec.volumeClaimTemplates.map((v: any) => v.metadata.name)).toEqual(['data']);
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
    expect(sts.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 101, runAsGroup: 103, fsGroup: 103, seccompProfile: { type: 'RuntimeDefault' } });
    expect(main.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    const vol = sts.spec.template.spec.volumes.find((v: any) => v.name === 'credentials');
    expect(vol.secret).toEqual({ secretName: 'orders-db-credentials', defaultMode: 0o440 });
  });

  test('generated credentials: Job with a Role limited to the one Secret', () => {
    const { objs, cluster } = synth({ databases: [{ name: 'orders' }, { name: 'billing', owner: 'billing_owner' }] });
    const role = find(objs, 'Role', 'orders-db-credentials-gen');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['orders-db-credentials'], verbs: ['get', 'patch'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    ]);
    const job = find(objs, 'Job', cluster.secretGenerator!.job.name);
    expect(job.metadata.name).toMatch(/^orders-db-credentials-[0-9a-f]{8}$/);
    const gen = container(job, 'generate');
    expect(envOf(gen)).toMatchObject({
      SECRET_NAME: 'orders-db-credentials',
      SECRET_KEYS: 'billing_owner-password,orders-password,replication-password,superuser-password',
    });
    expect(job.spec.template.spec.serviceAccountName).toBe('orders-db-credentials-gen');
    expect(gen.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    // no value at synth
    expect(ofKind(objs, 'Secret')).toHaveLength(0);
  });

  test('the generator Job is renamed when its template changes (Job templates are immutable)', () => {
    const a = synth().cluster.secretGenerator!.job.name;
    expect(synth().cluster.secretGenerator!.job.name).toBe(a);
    expect(synth({ databases: [{ name: 'orders' }] }).cluster.secretGenerator!.job.name).not.toBe(a);
  });

  test('databases and owners: the bootstrap ConfigMap lists them for post_init (run in assets.test.ts)', () => {
    const { objs } = synth({ databases: [{ name: 'orders' }, { name: 'billing', owner: 'billing_owner' }] });
    const data = find(objs, 'ConfigMap', 'orders-db-bootstrap').data;
    expect(Object.keys(data).sort()).toEqual(['databases.list', 'databases.sh', 'post-init.sh']);
    expect(data['databases.list']).toBe([
      'role orders /etc/postgres-credentials/orders-password',
      'role billing_owner /etc/postgres-credentials/billing_owner-password',
      'database orders orders',
      'database billing billing_owner',
      '',
    ].join('\n'));
    expect(data['post-init.sh']).toBe(fs.readFileSync(path.join(__dirname, '../../src/postgres/assets/patroni-post-init.sh'), 'utf8'));
  });
  test('credentials from an existing Secret, with renamed keys', () => {
    const c = chart();
    const secret = kplus.Secret.fromSecretName(c, 'Pw', 'orders-db-pw');
    const cluster = new PostgresCluster(c, 'orders-db', {
      credentials: Credentials.fromSecret(secret, { 'superuser-password': 'postgres-password' }),
    });
    const objs = synthValidated(c, { externalSecrets: ['orders-db-pw'] });
    // No generator Job; the rollout and reconcile Jobs stay.
    expect(ofKind(objs, 'Job').map((j) => j.metadata.name).sort()).toEqual([cluster.reconcileJob.name, cluster.rolloutJob!.name].sort());
    expect(cluster.secretGenerator).toBeUndefined();
    const env = envOf(container(find(objs, 'StatefulSet', 'orders-db'), 'postgres'));
    expect(env.PGPASSWORD_SUPERUSER).toEqual({ secretKeyRef: { name: 'orders-db-pw', key: 'postgres-password' } });
    expect(env.PGPASSWORD_STANDBY).toEqual({ secretKeyRef: { name: 'orders-db-pw', key: 'replication-password' } });
    expect(cluster.connection).toMatchObject({ secretName: 'orders-db-pw', superuserPasswordKey: 'postgres-password', passwordKey: 'app-password' });
  });

  test('renamed owner keys: the bootstrap lists name the file under the Secret\'s key', () => {
    // The scripts read passwords from the mounted Secret volume, whose file names are the Secret's
    // keys; an unmapped name makes `cat` fail, and with it the cluster's bootstrap.
    for (const mode of [ReplicationMode.PATRONI, ReplicationMode.STREAMING]) {
      const c = chart();
      const secret = kplus.Secret.fromSecretName(c, 'Pw', 'orders-db-pw');
      const cluster = new PostgresCluster(c, 'orders-db', {
        mode,
        databases: [{ name: 'orders' }],
        credentials: Credentials.fromSecret(secret, { 'orders-password': 'orders-pw', 'replication-password': 'repl-pw' }),
      });
      const objs = synthValidated(c, { externalSecrets: ['orders-db-pw'] });
      const list = find(objs, 'ConfigMap', mode === ReplicationMode.PATRONI ? 'orders-db-bootstrap' : 'orders-db-initdb').data['databases.list'];
      expect(list).toContain('role orders /etc/postgres-credentials/orders-pw\n');
      expect(list).not.toContain('orders-password');
      expect(cluster.connection.passwordKey).toBe('orders-pw');
      if (mode === ReplicationMode.STREAMING) {
        expect(list.split('\n')[0]).toBe('role replicator /etc/postgres-credentials/repl-pw REPLICATION');
        expect(envOf(container(find(objs, 'StatefulSet', 'orders-db'), 'clone')).REPLICATION_PASSWORD_FILE).toBe('/etc/postgres-credentials/repl-pw');
      }
    }
  });

  test('generated credentials with own name and image', () => {
    const { objs, cluster } = synth({ credentials: Credentials.generate({ secretName: 'pg-pw', image: 'registry.example/python:3.13' }) });
    expect(cluster.secretName).toBe('pg-pw');
    expect(container(find(objs, 'Job', cluster.secretGenerator!.job.name), 'generate').image).toBe('registry.example/python:3.13');
  });

  test('instances', () => {
    const { sts, env } = synth({ instances: 9 });
    expect(sts.spec.replicas).toBe(9);
    expect(spiloConfig(env).bootstrap.dcs.postgresql.parameters.max_wal_senders).toBe('11');
  });

  test('version', () => {
    const { env, sts, cluster } = synth({ version: PostgresVersion.V15 });
    expect(env.PGVERSION).toBe('15');
    expect(sts.metadata.labels['app.kubernetes.io/version']).toBe('15');
    expect(cluster.version).toBe(PostgresVersion.V15);
  });

  test('a patch release the library does not list: the major picks Spilo\'s binaries', () => {
    const { env, main, sts } = synth({ version: PostgresVersion.of('16.11', '16') });
    expect(env.PGVERSION).toBe('16');
    expect(main.image).toBe('ghcr.io/zalando/spilo-17:4.0-p3');
    expect(sts.metadata.labels['app.kubernetes.io/version']).toBe('16');
  });

  test('ApiObject.of(cluster) is the StatefulSet', () => {
    const c = chart();
    const cluster = new PostgresCluster(c, 'orders-db');
    expect(cluster.node.defaultChild).toBe(cluster.workload);
    expect(ApiObject.of(cluster).kind).toBe('StatefulSet');
    expect(ApiObject.of(cluster).name).toBe('orders-db');
  });

  test('image override', () => {
    const { main } = synth({ image: 'registry.example/spilo-17:4.0-p3@sha256:abc' });
    expect(main.image).toBe('registry.example/spilo-17:4.0-p3@sha256:abc');
  });

  test('storage: size, any StorageClass, separate WAL volume', () => {
    const { sts, env, main } = synth({
      storage: { size: Size.gibibytes(100), storageClass: { storageClassName: 'fast' }, walSize: Size.gibibytes(20), walStorageClass: { storageClassName: 'wal' } },
    });
    const claims = Object.fromEntries(sts.spec.volumeClaimTemplates.map((v: any) => [v.metadata.name, v.spec]));
    expect(claims.data).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '100Gi' } } });
    expect(claims.wal).toMatchObject({ storageClassName: 'wal', resources: { requests: { storage: '20Gi' } } });
    expect(main.volumeMounts).toContainEqual({ name: 'wal', mountPath: '/home/postgres/pgwal' });
    const cfg = spiloConfig(env);
    expect(cfg.bootstrap.initdb).toContainEqual({ waldir: '/home/postgres/pgwal/pg_wal' });
    expect(cfg.postgresql.create_replica_method).toEqual(['basebackup']);
    expect(cfg.postgresql.basebackup).toContainEqual({ waldir: '/home/postgres/pgwal/pg_wal' });
    // WAL budget = the WAL volume
    expect(cfg.postgresql.parameters).toMatchObject({ max_wal_size: '4096MB', max_slot_wal_keep_size: '10240MB' });
  });

  test('tuning from resources', () => {
    const { cluster, main } = synth({
      resources: {
        cpu: { request: kplus.Cpu.units(2), limit: kplus.Cpu.units(4) },
        memory: { request: Size.gibibytes(8), limit: Size.gibibytes(8) },
      },
    });
    expect(main.resources).toEqual({ requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '4', memory: '8Gi' } });
    expect(cluster.parameters).toMatchObject({
      shared_buffers: '2048MB',
      effective_cache_size: '6144MB',
      maintenance_work_mem: '512MB',
      max_connections: '256',
      work_mem: '4096kB',
      wal_buffers: '16384kB',
      max_worker_processes: '8',
      max_parallel_workers: '4',
      max_parallel_workers_per_gather: '2',
      max_parallel_maintenance_workers: '2',
    });
  });

  test('parameters override derived ones; DCS-only go to bootstrap.dcs', () => {
    const { env, cluster } = synth({ parameters: { work_mem: '16MB', max_connections: '300', wal_level: 'logical', log_min_duration_statement: '250ms' } });
    const cfg = spiloConfig(env);
    expect(cfg.postgresql.parameters).toMatchObject({ work_mem: '16MB', log_min_duration_statement: '250ms' });
    expect(cfg.bootstrap.dcs.postgresql.parameters).toMatchObject({ max_connections: '300', wal_level: 'logical' });
    expect(cluster.parameters.work_mem).toBe('16MB');
  });

  test('synchronous mode', () => {
    const { env } = synth({ synchronous: true });
    expect(spiloConfig(env).bootstrap.dcs.synchronous_mode).toBe(true);
  });

  test('placement', () => {
    const { sts } = synth({ placement: { antiAffinity: AntiAffinity.HARD, dedicatedNodes: { key: 'workload', value: 'postgres' } } });
    const spec = sts.spec.template.spec;
    expect(spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    expect(spec.nodeSelector).toEqual({ workload: 'postgres' });
    expect(spec.tolerations).toEqual([{ key: 'workload', operator: 'Equal', value: 'postgres', effect: 'NoSchedule' }]);
  });

  test('terminationGracePeriod', () => {
    const { sts } = synth({ terminationGracePeriod: Duration.minutes(5) });
    expect(sts.spec.template.spec.terminationGracePeriodSeconds).toBe(300);
  });

  test('explicit name and cluster domain', () => {
    const { objs, cluster } = synth({ name: 'pg-main', clusterDomain: 'corp.internal' });
    find(objs, 'Service', 'pg-main');
    expect(cluster.connection.host).toBe('pg-main.db.svc.corp.internal');
  });

  test('connection', () => {
    const { cluster } = synth({ databases: [{ name: 'orders' }] });
    expect(cluster.connection).toEqual({
      host: 'orders-db.db.svc.cluster.local',
      readOnlyHost: 'orders-db-ro.db.svc.cluster.local',
      port: 5432,
      database: 'orders',
      user: 'orders',
      secretName: 'orders-db-credentials',
      passwordKey: 'orders-password',
      superuserPasswordKey: 'superuser-password',
      replicationPasswordKey: 'replication-password',
      sslMode: 'require',
    });
  });

  test('single instance warns with a stable id; three do not', () => {
    expect(Warnings.of(synth({ instances: 1 }).cluster).ids()).toEqual(['@cdk8s-stateful/postgres:singleInstance']);
    expect(Warnings.of(synth().cluster).ids()).toEqual([]);
  });

  test('deterministic output', () => {
    const a = chart();
    new PostgresCluster(a, 'orders-db');
    const b = chart();
    new PostgresCluster(b, 'orders-db');
    expect(Testing.synth(a)).toEqual(Testing.synth(b));
  });
});

describe('streaming mode', () => {
  const props: PostgresClusterProps = { mode: ReplicationMode.STREAMING, databases: [{ name: 'orders' }] };

  test('official image, no RBAC, pod 0 primary, replicas cloned with a slot each', () => {
    const { objs, sts, main, env } = synth(props);
    expect(main.image).toBe('docker.io/library/postgres:17.6-bookworm');
    expect(ofKind(objs, 'Role').map((r) => r.metadata.name)).toEqual(['orders-db-credentials-gen']);
    expect(sts.spec.template.spec.automountServiceAccountToken).toBe(false);
    // An empty pod 0 looks for instances with data before initdb: all pods start at once, and the
    // headless Service lists them whether Ready or not (A6).
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(find(objs, 'Service', 'orders-db-headless').spec.publishNotReadyAddresses).toBe(true);
    expect(sts.spec.template.spec.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999, runAsNonRoot: true });
    expect(env).toMatchObject({
      POSTGRES_USER: 'postgres',
      POSTGRES_PASSWORD: { secretKeyRef: { name: 'orders-db-credentials', key: 'superuser-password' } },
      PGDATA: '/var/lib/postgresql/data/pgdata',
    });
    const clone = container(sts, 'clone');
    expect(clone.command).toEqual(['bash', '-c', fs.readFileSync(path.join(__dirname, '../../src/postgres/assets/streaming-clone.sh'), 'utf8')]);
    expect(envOf(clone)).toEqual({
      POD_NAMESPACE: { fieldRef: { fieldPath: 'metadata.namespace' } },
      PGDATA: '/var/lib/postgresql/data/pgdata',
      // the namespace at run time: a Kustomize `namespace:` overlay does not break them (E)
      PRIMARY_HOST: 'orders-db-0.orders-db-headless.$(POD_NAMESPACE).svc.cluster.local',
      // pod 0 with an empty volume must not start a new, empty primary while other instances hold the data
      PEERS_HOST: 'orders-db-headless.$(POD_NAMESPACE).svc.cluster.local',
      PEER_WAIT: '60',
      REPLICATION_USER: 'replicator',
      REPLICATION_PASSWORD_FILE: '/etc/postgres-credentials/replication-password',
    });
    expect(find(objs, 'Service', 'orders-db').spec.selector).toMatchObject({ 'statefulset.kubernetes.io/pod-name': 'orders-db-0' });
    const initdb = find(objs, 'ConfigMap', 'orders-db-initdb').data;
    expect(Object.keys(initdb).sort()).toEqual(['databases.list', 'databases.sh', 'replication-and-databases.sh']);
    expect(initdb['databases.list']).toBe([
      'role replicator /etc/postgres-credentials/replication-password REPLICATION',
      'role orders /etc/postgres-credentials/orders-password',
      'database orders orders',
      '',
    ].join('\n'));
    expect(env.REPLICATION_USER).toBe('replicator');
    expect(main.args).toEqual(expect.arrayContaining(['postgres', '-c', 'shared_buffers=512MB', 'max_replication_slots=10']));
    expect(main.readinessProbe.exec.command[0]).toBe('pg_isready');
  });

  test('streaming: synchronous, WAL volume, version', () => {
    const { main, env, sts } = synth({ ...props, synchronous: true, version: PostgresVersion.V16, storage: { walSize: Size.gibibytes(8) } });
    expect(main.image).toBe('docker.io/library/postgres:16.10-bookworm');
    expect(main.args).toContain('synchronous_standby_names=ANY 1 (*)');
    expect(env.POSTGRES_INITDB_WALDIR).toBe('/var/lib/postgresql/wal/pg_wal');
    expect(envOf(container(sts, 'clone')).WAL_DIR).toBe('/var/lib/postgresql/wal/pg_wal');
  });

  test('streaming rejects what the construct sets itself', () => {
    expect(() => synth({ ...props, parameters: { primary_slot_name: 'x' } })).toThrow(/parameter 'primary_slot_name' cannot be set in 'parameters'/);
  });
});

describe('credentials generator Job', () => {
  // Runs the Job's Python script with urllib and the ServiceAccount files faked; returns the API calls.
  const PRELUDE = `
import builtins, io, json, os, ssl, urllib.error, urllib.request, atexit
SA = '/var/run/secrets/kubernetes.io/serviceaccount'
_open = builtins.open
def fake_open(p, *a, **k):
    if str(p).startswith(SA):
        return io.StringIO({'namespace': 'db', 'token': 't', 'ca.crt': ''}[str(p).rsplit('/', 1)[1]])
    return _open(p, *a, **k)
builtins.open = fake_open
ssl.create_default_context = lambda **k: None
calls, responses = [], json.loads(os.environ['FAKE_RESPONSES'])
class Resp:
    def __init__(self, status, body): self.status, self.body = status, json.dumps(body).encode()
    def read(self, *a): return self.body
    def __enter__(self): return self
    def __exit__(self, *a): return False
def urlopen(req, context=None, timeout=None):
    calls.append({'method': req.get_method(), 'url': req.full_url, 'body': json.loads(req.data) if req.data else None})
    status, body = responses.pop(0)
    if status >= 400:
        raise urllib.error.HTTPError(req.full_url, status, 'fake', {}, None)
    return Resp(status, body)
urllib.request.urlopen = urlopen
atexit.register(lambda: _open(os.environ['CALLS_FILE'], 'w').write(json.dumps(calls)))
`;
  function runGenerator(responses: Array<[number, any]>): { status: number; calls: any[] } {
    const { cluster } = synth();
    const c = cluster.secretGenerator!.job.toJson().spec.template.spec.containers[0];
    const env: { [k: string]: string } = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-gen-'));
    const callsFile = path.join(dir, 'calls.json');
    const r = spawnSync('python3', ['-c', `${PRELUDE}\nexec(compile(${JSON.stringify(c.command[2])}, 'generator', 'exec'))`], {
      env: { ...env, PATH: process.env.PATH, KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443', FAKE_RESPONSES: JSON.stringify(responses), CALLS_FILE: callsFile },
      encoding: 'utf8',
    });
    const calls = JSON.parse(fs.readFileSync(callsFile, 'utf8'));
    fs.rmSync(dir, { recursive: true, force: true });
    return { status: r.status ?? -1, calls };
  }

  test('adding a missing key is a conditional PATCH (resourceVersion), so a racing run cannot replace a handed-out password', () => {
    const existing = { metadata: { name: 'orders-db-credentials', resourceVersion: '4711' }, data: { 'superuser-password': 'eA==', 'replication-password': 'eQ==' } };
    const { status, calls } = runGenerator([[200, existing], [200, existing]]);
    expect(status).toBe(0);
    expect(calls.map((x) => x.method)).toEqual(['GET', 'PATCH']);
    expect(calls[1].url).toBe('https://10.0.0.1:443/api/v1/namespaces/db/secrets/orders-db-credentials');
    expect(calls[1].body.metadata).toEqual({ resourceVersion: '4711' });
    expect(Object.keys(calls[1].body.data)).toEqual(['app-password']);
  });

  test('a 409 on that PATCH (another run got there first) fails the attempt, so the Job retries and re-reads', () => {
    const existing = { metadata: { name: 'orders-db-credentials', resourceVersion: '4711' }, data: {} };
    const { status, calls } = runGenerator([[200, existing], [409, null]]);
    expect(status).toBe(1);
    expect(calls.map((x) => x.method)).toEqual(['GET', 'PATCH']);
  });

  test('creates the Secret when absent; an existing complete Secret is left alone', () => {
    const created = runGenerator([[404, null], [201, {}]]);
    expect(created.status).toBe(0);
    expect(created.calls[1].method).toBe('POST');
    expect(Object.keys(created.calls[1].body.data).sort()).toEqual(['app-password', 'replication-password', 'superuser-password']);
    const complete = { metadata: { resourceVersion: '1' }, data: { 'app-password': 'a', 'replication-password': 'b', 'superuser-password': 'c' } };
    const unchanged = runGenerator([[200, complete]]);
    expect(unchanged.status).toBe(0);
    expect(unchanged.calls.map((x) => x.method)).toEqual(['GET']);
  });
});

describe('bind', () => {
  function bound(options = {}, mode = ReplicationMode.PATRONI) {
    const c = chart();
    const cluster = new PostgresCluster(c, 'orders-db', { mode, databases: [{ name: 'orders' }, { name: 'reports', owner: 'reporter' }] });
    const api = new kplus.Deployment(c, 'api', { containers: [{ image: 'ghcr.io/acme/api:1.4.2', portNumber: 8080 }] });
    cluster.bind(api, options);
    const objs = synthValidated(c, { externalSecrets: ['orders-db-credentials'] });
    const dep = ofKind(objs, 'Deployment')[0];
    return { cluster, objs, env: envOf(dep.spec.template.spec.containers[0]), dep };
  }

  test('adds PG* env and allows the workload through the NetworkPolicy', () => {
    const { env, objs, dep } = bound();
    expect(env).toEqual({
      // the Service's short name: resolves in the pod's own namespace, also after a Kustomize `namespace:` (E)
      PGHOST: 'orders-db',
      PGPORT: '5432',
      PGDATABASE: 'orders',
      PGUSER: 'orders',
      PGPASSWORD: { secretKeyRef: { name: 'orders-db-credentials', key: 'orders-password' } },
      PGSSLMODE: 'require',
    });
    const np = find(objs, 'NetworkPolicy', 'orders-db');
    const matches = (sel: any) => Object.entries(sel).every(([k, v]) => dep.spec.template.metadata.labels[k] === v);
    const rule = np.spec.ingress.find((r: any) => r.ports && r.from.some((p: any) => matches(p.podSelector.matchLabels)));
    expect(rule.ports).toEqual([{ port: 5432, protocol: 'TCP' }]);
  });

  test('read-only and another database', () => {
    const { env } = bound({ readOnly: true, database: 'reports' });
    expect(env).toMatchObject({ PGHOST: 'orders-db-ro', PGDATABASE: 'reports', PGUSER: 'reporter' });
    expect(env.PGPASSWORD.secretKeyRef.key).toBe('reporter-password');
  });

  test('streaming mode binds without TLS requirement', () => {
    expect(bound({}, ReplicationMode.STREAMING).env.PGSSLMODE).toBe('prefer');
  });

  test('unknown database and empty workload are errors', () => {
    const c = chart();
    const cluster = new PostgresCluster(c, 'orders-db');
    const api = new kplus.Deployment(c, 'api', { containers: [{ image: 'ghcr.io/acme/api:1.4.2' }] });
    expect(() => cluster.bind(api, { database: 'nope' })).toThrow(/database 'nope' is not one of this cluster's databases \(app\)/);
    const empty = new kplus.Deployment(c, 'empty');
    expect(() => cluster.bind(empty)).toThrow(/has no containers yet/);
  });
});

describe('invalid props', () => {
  // The code is undefined where core (Names) raises the error: its code is core's to give.
  test.each<[string, PostgresClusterProps, string, string | undefined]>([
    ['zero instances', { instances: 0 }, 'instances must be a whole number ≥ 1, got 0', 'PostgresInstancesInvalid'],
    ['fractional instances', { instances: 2.5 }, 'instances must be a whole number ≥ 1, got 2.5', 'PostgresInstancesInvalid'],
    ['synchronous with one instance', { instances: 1, synchronous: true }, 'synchronous replication needs at least 2 instances, got 1', 'PostgresSynchronousNeedsReplicas'],
    ['memory too small', { resources: { memory: { limit: Size.mebibytes(256) } } }, 'memory 256Mi is too small for PostgreSQL with the derived settings', 'PostgresMemoryTooSmall'],
    ['no memory', { resources: { cpu: { request: kplus.Cpu.units(1) } } }, 'resources.memory sets neither a limit nor a request', 'PostgresMemoryMissing'],
    ['Patroni-managed listen_addresses', { parameters: { listen_addresses: '*' } }, "parameter 'listen_addresses' cannot be set in 'parameters': Patroni sets it from postgresql.listen", 'PostgresParameterManaged'],
    ['Patroni-managed port', { parameters: { port: '5433' } }, "parameter 'port' cannot be set in 'parameters'", 'PostgresParameterManaged'],
    ['Patroni-managed hot_standby', { parameters: { hot_standby: 'off' } }, "parameter 'hot_standby' cannot be set in 'parameters'", 'PostgresParameterManaged'],
    ['synchronous_standby_names', { parameters: { synchronous_standby_names: '*' } }, "use the 'synchronous' prop", 'PostgresParameterManaged'],
    ['wal_level minimal', { parameters: { wal_level: 'minimal' } }, "parameter wal_level 'minimal' breaks replication", 'PostgresWalLevelInvalid'],
    ['bad parameter name', { parameters: { 'Work-Mem': '4MB' } }, "parameter name 'Work-Mem' is not a PostgreSQL setting name", 'PostgresParameterNameInvalid'],
    ['shared_buffers above memory', { parameters: { shared_buffers: '4GB' } }, 'parameter shared_buffers 4GB is not below the memory limit 2Gi', 'PostgresSharedBuffersTooLarge'],
    ['reserved owner', { databases: [{ name: 'orders', owner: 'postgres' }] }, "owner 'postgres' of database 'orders' is a role the cluster uses itself", 'PostgresOwnerReserved'],
    ['bad database name', { databases: [{ name: 'Orders-DB' }] }, "database name 'Orders-DB' is invalid or reserved", 'PostgresDatabaseNameInvalid'],
    ['duplicate database', { databases: [{ name: 'orders' }, { name: 'orders' }] }, "database 'orders' is listed twice", 'PostgresDatabaseDuplicate'],
    ['no databases', { databases: [] }, 'databases is empty', 'PostgresDatabasesEmpty'],
    ['short grace period', { terminationGracePeriod: Duration.seconds(10) }, 'terminationGracePeriod 10s is too short', 'PostgresGracePeriodTooShort'],
    ['grace period in milliseconds (was a plain Error from toSeconds)', { terminationGracePeriod: Duration.millis(1500) },
      'terminationGracePeriod 1.5s is too short', 'PostgresGracePeriodTooShort'],
    ['bad backup schedule', { backup: { size: Size.gibibytes(1), schedule: 'daily' } }, "backup.schedule 'daily' is not a 5-field cron expression", 'PostgresBackupScheduleInvalid'],
    ['bad backup keep', { backup: { size: Size.gibibytes(1), keep: 0 } }, 'backup.keep must be a whole number ≥ 1, got 0', 'PostgresBackupKeepInvalid'],
    ['backup name too long', { name: 'a'.repeat(46), backup: { size: Size.gibibytes(1) } }, 'is longer than 52 characters; use a cluster name of at most 45 characters', 'PostgresBackupNameTooLong'],
    ['name too long', { name: 'a'.repeat(53) }, "name '" + 'a'.repeat(53) + "' must be a DNS-1035 label of at most 52 characters", undefined],
    ['bad owner', { databases: [{ name: 'orders', owner: 'Bad-Owner' }] }, "owner 'Bad-Owner' of database 'orders' is not a valid role name", 'PostgresOwnerInvalid'],
    ['streaming-managed primary_slot_name', { mode: ReplicationMode.STREAMING, parameters: { primary_slot_name: 'x' } }, "parameter 'primary_slot_name' cannot be set in 'parameters'", 'PostgresParameterManaged'],
    ['streaming synchronous_standby_names', { mode: ReplicationMode.STREAMING, parameters: { synchronous_standby_names: '*' } },
      "parameter 'synchronous_standby_names' cannot be set in 'parameters': use the 'synchronous' prop", 'PostgresParameterManaged'],
    ['version not a release', { version: PostgresVersion.of('17.x', '17') }, "version '17.x' (major '17') is not a PostgreSQL release", 'PostgresVersionInvalid'],
    ['version with another major', { version: PostgresVersion.of('16.4', '17') }, "version '16.4' (major '17') is not a PostgreSQL release", 'PostgresVersionInvalid'],
    ['pg_ owner', { databases: [{ name: 'orders', owner: 'pg_orders' }] },
      "owner 'pg_orders' of database 'orders' starts with 'pg_', which PostgreSQL reserves for its own roles (CREATE ROLE fails); choose another owner, e.g. 'orders_owner'",
      'PostgresOwnerReserved'],
    ['pg_ database with its default owner', { databases: [{ name: 'pg_stats' }] }, "owner 'pg_stats' of database 'pg_stats' starts with 'pg_'", 'PostgresOwnerReserved'],
    ['WAL volume below the derived max_wal_size', { storage: { walSize: Size.mebibytes(100) } },
      'storage.walSize 100Mi is too small for max_wal_size 64MB (derived) and max_slot_wal_keep_size 50MB (derived): the WAL volume must hold twice '
      + 'max_wal_size and max_wal_size plus what replication slots keep, 128Mi; give walSize at least Size.mebibytes(128)', 'PostgresWalSizeTooSmall'],
    ['WAL volume below max_wal_size from parameters', { storage: { walSize: Size.gibibytes(8) }, parameters: { max_wal_size: '6GB' } },
      'storage.walSize 8Gi is too small for max_wal_size 6GB (from parameters) and max_slot_wal_keep_size 4096MB (derived)', 'PostgresWalSizeTooSmall'],
    ['WAL volume below max_wal_size plus slot retention', { storage: { walSize: Size.gibibytes(8) }, parameters: { max_slot_wal_keep_size: '7GB' } },
      'give walSize at least Size.mebibytes(9216)', 'PostgresWalSizeTooSmall'],
    ['version Spilo lacks', { version: PostgresVersion.of('18.1', '18') }, 'PostgreSQL 18 is not in the Spilo image ghcr.io/zalando/spilo-17:4.0-p3 (it ships 13 to 17)', 'PostgresVersionUnsupported'],
  ])('%s', (_name, props, message, code) => {
    expect(() => new PostgresCluster(chart(), 'orders-db', props)).toThrow(message);
    const e = thrown(() => new PostgresCluster(chart(), 'orders-db', props));
    if (code !== undefined) expect(Errors.codeOf(e)).toBe(code);
  });

  test('a version Spilo lacks is fine in streaming mode and with an own image', () => {
    expect(synth({ mode: ReplicationMode.STREAMING, version: PostgresVersion.of('18.1', '18') }).main.image).toBe('docker.io/library/postgres:18.1-bookworm');
    expect(synth({ version: PostgresVersion.of('18.1', '18'), image: 'registry.example/spilo-18:1.0' }).env.PGVERSION).toBe('18');
  });

  test('bind errors carry codes', () => {
    const c = chart();
    const cluster = new PostgresCluster(c, 'orders-db');
    const api = new kplus.Deployment(c, 'api', { containers: [{ image: 'ghcr.io/acme/api:1.4.2' }] });
    expect(Errors.codeOf(thrown(() => cluster.bind(api, { database: 'nope' })))).toBe('PostgresBindDatabaseUnknown');
    expect(Errors.codeOf(thrown(() => cluster.bind(new kplus.Deployment(c, 'empty'))))).toBe('PostgresBindNoContainers');
  });

  test('errors name the construct path', () => {
    expect(() => new PostgresCluster(chart(), 'orders-db', { instances: 0 })).toThrow(/^test\/orders-db: /);
  });

  test('invalid construct id as name', () => {
    expect(() => new PostgresCluster(chart(), 'Orders_DB')).toThrow(/construct id 'Orders_DB'/);
  });
});

test('PostgresCluster is an IStatefulService: endpoint is the primary Service, connections open its NetworkPolicy', () => {
  const c = new Chart(Testing.app(), 'svc', { namespace: 'shop' });
  const db = new PostgresCluster(c, 'orders-db', { resources: { memory: { limit: Size.gibibytes(2) } } });
  expect(db.endpoint).toEqual({ host: 'orders-db.shop.svc.cluster.local', port: 5432 });
  db.connections.allowFromLabels({ app: 'reporting' }, ['postgresql']);
  const np = find(synthValidated(c), 'NetworkPolicy', 'orders-db');
  expect(np.spec.ingress).toContainEqual({ from: [{ podSelector: { matchLabels: { app: 'reporting' } } }], ports: [{ port: 5432, protocol: 'TCP' }] });
});
