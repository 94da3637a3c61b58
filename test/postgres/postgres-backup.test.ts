import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { PostgresCluster, PostgresClusterProps, ReplicationMode } from '../../src/postgres';
import { container, envOf, find, synthValidated } from '../util/validate';

function synth(props: PostgresClusterProps) {
  const c = new Chart(new App(), 'test', { namespace: 'db' });
  const cluster = new PostgresCluster(c, 'orders-db', props);
  const objs = synthValidated(c, { externalSecrets: [cluster.secretName] });
  return { cluster, objs };
}

describe('backup', () => {
  test('pg_dumpall CronJob (a ScriptJob), Forbid, own volume, allowed through the NetworkPolicy', () => {
    const { objs, cluster } = synth({ backup: { size: Size.gibibytes(50), schedule: '30 1 * * *', timeZone: 'Europe/Berlin', keep: 3 } });
    const cj = find(objs, 'CronJob', 'orders-db-backup');
    expect(cluster.backupCronJob).toBe(cluster.backup!.cronJob);
    expect(cluster.backup!.scriptJob.cronJob).toBe(cluster.backup!.cronJob);
    expect(cj.spec).toMatchObject({
      schedule: '30 1 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3,
    });
    expect(cj.spec.jobTemplate.spec.backoffLimit).toBe(2);
    const pod = cj.spec.jobTemplate.spec.template.spec;
    expect(pod).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false, enableServiceLinks: false });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999 });
    expect(pod.volumes).toEqual([{ name: 'backup', persistentVolumeClaim: { claimName: 'orders-db-backup' } }, { name: 'tmp', emptyDir: {} }]);
    const c = container(cj, 'pg-dumpall');
    expect(c.image).toBe('docker.io/library/postgres:17.6-bookworm');
    expect(c.command.slice(0, 2)).toEqual(['bash', '-ec']);
    expect(c.command[3]).toBe('dump-all');
    expect(c.volumeMounts).toEqual([{ name: 'backup', mountPath: '/backup' }, { name: 'tmp', mountPath: '/tmp' }]);
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(envOf(c)).toEqual({
      POD_NAMESPACE: { fieldRef: { fieldPath: 'metadata.namespace' } },
      PGHOST: 'orders-db.$(POD_NAMESPACE).svc.cluster.local',
      PGPORT: '5432',
      PGUSER: 'postgres',
      PGSSLMODE: 'require',
      PGPASSWORD: { secretKeyRef: { name: 'orders-db-credentials', key: 'superuser-password' } },
      BACKUP_DIR: '/backup',
      KEEP: '3',
    });
    expect(cj.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'postgres',
      'app.kubernetes.io/instance': 'orders-db',
      'app.kubernetes.io/component': 'backup',
      'app.kubernetes.io/managed-by': 'cdk8s-stateful',
    });
    const np = find(objs, 'NetworkPolicy', 'orders-db');
    expect(np.spec.ingress).toContainEqual({
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'orders-db', 'app.kubernetes.io/component': 'backup' } } }],
      ports: [{ port: 5432, protocol: 'TCP' }],
    });
  });

  test('the claim is kept by Helm, Argo CD and Flux (keep-policy annotations)', () => {
    const { objs, cluster } = synth({ backup: { size: Size.gibibytes(50), storageClass: { storageClassName: 'slow' } } });
    const claim = find(objs, 'PersistentVolumeClaim', 'orders-db-backup');
    expect(cluster.backupClaim).toBe(cluster.backup!.claim);
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'slow', resources: { requests: { storage: '50Gi' } } });
    expect(claim.metadata.annotations).toEqual({
      'helm.sh/resource-policy': 'keep',
      'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
      'kustomize.toolkit.fluxcd.io/prune': 'disabled',
    });
  });

  test('defaults: daily at 02:00, 7 dumps; streaming mode connects without TLS requirement', () => {
    const { objs } = synth({ mode: ReplicationMode.STREAMING, backup: { size: Size.gibibytes(5) } });
    const cj = find(objs, 'CronJob', 'orders-db-backup');
    expect(cj.spec.schedule).toBe('0 2 * * *');
    expect(cj.spec.timeZone).toBeUndefined();
    expect(envOf(container(cj, 'pg-dumpall'))).toMatchObject({ KEEP: '7', PGSSLMODE: 'prefer' });
  });

  test('no backup: no CronJob, no claim', () => {
    const { cluster } = synth({});
    expect(cluster.backup).toBeUndefined();
    expect(cluster.backupCronJob).toBeUndefined();
    expect(cluster.backupClaim).toBeUndefined();
  });

  test('resources and a deadline by default (a hung run cannot block later ones), both overridable', () => {
    const cj = find(synth({ backup: { size: Size.gibibytes(5) } }).objs, 'CronJob', 'orders-db-backup');
    expect(cj.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(6 * 3600);
    expect(container(cj, 'pg-dumpall').resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } });
    const custom = find(synth({
      backup: {
        size: Size.gibibytes(5),
        activeDeadline: Duration.hours(20),
        resources: { cpu: { request: kplus.Cpu.units(1) }, memory: { request: Size.gibibytes(1), limit: Size.gibibytes(2) } },
      },
    }).objs, 'CronJob', 'orders-db-backup');
    expect(custom.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(20 * 3600);
    expect(container(custom, 'pg-dumpall').resources).toEqual({ requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } });
  });

  test.each([
    [{ activeDeadline: Duration.millis(1500) }, 'ScriptJobInvalid'],
    [{ resources: { memory: { request: Size.gibibytes(2), limit: Size.gibibytes(1) } } }, 'ScriptJobInvalid'],
  ])('bad backup options %# are ValidationErrors', (opts, code) => {
    expect(() => synth({ backup: { size: Size.gibibytes(5), ...opts } })).toThrow(expect.objectContaining({ code }));
  });
});
