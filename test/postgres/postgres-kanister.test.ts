import { Chart, Testing } from 'cdk8s';
import { KANISTER_POSTGRES_TOOLS_IMAGE, PostgresCluster, PostgresKanisterBlueprint } from '../../src';
import { find, synthValidated } from '../util/validate';

function synth(ns?: string) {
  const chart = new Chart(Testing.app(), 'c', ns ? { namespace: ns } : {});
  const db = new PostgresCluster(chart, 'billing-db', { databases: [{ name: 'orders' }] });
  const k = new PostgresKanisterBlueprint(chart, 'kanister', { cluster: db });
  return { k, objs: synthValidated(chart, { externalSecrets: ['billing-db-credentials'] }) };
}

test('backup, restore and delete as KubeTasks in the cluster\'s namespace, restricted, password by secretKeyRef', () => {
  const { objs, k } = synth('billing');
  const bp = find(objs, 'Blueprint', 'billing-db-postgres');
  expect(bp.metadata.namespace).toBe('kanister');
  expect(Object.keys(bp.actions).sort()).toEqual(['backup', 'delete', 'restore']);
  expect(bp.actions.backup.outputArtifacts).toEqual({ pgDump: { keyValue: { backupLocation: '{{ .Phases.dump.Output.backupLocation }}' } } });
  expect(bp.actions.restore.inputArtifactNames).toEqual(['pgDump']);
  for (const action of Object.values<any>(bp.actions)) {
    const args = action.phases[0].args;
    expect(args.image).toBe(KANISTER_POSTGRES_TOOLS_IMAGE);
    expect(args.podOverride.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } });
    expect(args.podOverride.containers[0]).toMatchObject({ name: 'container', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } });
  }
  const backup = bp.actions.backup.phases[0].args;
  expect(backup.namespace).toBe('billing');
  expect(backup.podLabels).toEqual(k.podLabels);
  expect(backup.podOverride.containers[0].env).toContainEqual({ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'billing-db-credentials', key: 'superuser-password' } } });
  expect(backup.podOverride.containers[0].env).toContainEqual({ name: 'PGHOST', value: 'billing-db' });
  // The same dump script as the backup CronJob.
  expect(backup.command[2]).toContain('pg_dumpall --globals-only --no-role-passwords');
  // The cluster's NetworkPolicy admits the task pods on the database port only.
  const np = find(objs, 'NetworkPolicy', 'billing-db');
  expect(np.spec.ingress).toContainEqual({ from: [{ podSelector: { matchLabels: k.podLabels } }], ports: [{ port: 5432, protocol: 'TCP' }] });
});

test('without a chart namespace the task runs in the StatefulSet\'s namespace (Kanister template)', () => {
  const bp = find(synth().objs, 'Blueprint', 'billing-db-postgres');
  expect(bp.actions.backup.phases[0].args.namespace).toBe('{{ .StatefulSet.Namespace }}');
});
