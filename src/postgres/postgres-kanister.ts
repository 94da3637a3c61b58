// A Kanister Blueprint for a PostgresCluster: logical backups to the ActionSet's location profile
// with the same scripts as the library's own backup CronJob (dump-all.sh) and restore steps
// (restore-run.sh, docs/postgres.md "Restore into a new cluster").
import { Construct } from 'constructs';
import { PostgresCluster } from './postgres-cluster';
import { loadAsset } from '../core/kit/assets';
import { KanisterBlueprint, KanisterPhase } from '../core/kit/kanister';
import { LabelKeys } from '../core/labels';
import { OFFICIAL_UID } from './private/images';

/**
 * Kanister's tools image for PostgreSQL: postgres:17-bookworm with kando
 * (kanisterio/kanister docker/postgres-kanister-tools/Dockerfile; the tag Kanister's own
 * RDS functions use, pkg/function/export_rds_snapshot_location.go). pg_dump 17 dumps servers
 * up to 17.
 */
export const KANISTER_POSTGRES_TOOLS_IMAGE = 'ghcr.io/kanisterio/postgres-kanister-tools:0.110.0';

/** Props of a `PostgresKanisterBlueprint`. */
export interface PostgresKanisterBlueprintProps {
  /** The cluster to back up. */
  readonly cluster: PostgresCluster;
  /** Blueprint name, unique in Kanister's namespace. @default '<cluster name>-postgres' */
  readonly name?: string;
  /** Kanister's namespace. @default 'kanister' */
  readonly namespace?: string;
  /** Image with pg_dump/pg_restore (at least the server's major version) and kando. @default KANISTER_POSTGRES_TOOLS_IMAGE */
  readonly image?: string;
}

/**
 * `backup`, `restore` and `delete` actions for Kanister (or Kasten K10) against the cluster's
 * StatefulSet: `kanctl create actionset --action backup --blueprint <name> --statefulset
 * <namespace>/<cluster> --profile <profile>`. Each action is a KubeTask in the cluster's namespace,
 * restricted (uid 999, no privilege escalation, all capabilities dropped), whose password comes
 * from the cluster's Secret by `secretKeyRef` (never in the Blueprint), labelled so the cluster's
 * NetworkPolicy lets it in.
 */
export class PostgresKanisterBlueprint extends Construct {
  /** The Blueprint. */
  public readonly blueprint: KanisterBlueprint;
  /** Labels of the task pods (allowed by the cluster's NetworkPolicy). */
  public readonly podLabels: { [key: string]: string };

  constructor(scope: Construct, id: string, props: PostgresKanisterBlueprintProps) {
    super(scope, id);
    const cluster = props.cluster;
    const c = cluster.connection;
    const image = props.image ?? KANISTER_POSTGRES_TOOLS_IMAGE;
    this.podLabels = { [LabelKeys.NAME]: 'postgres', [LabelKeys.INSTANCE]: cluster.workload.name, [LabelKeys.COMPONENT]: 'kanister' };
    cluster.connections.allowFromLabels(this.podLabels, ['postgresql']);
    const namespace = cluster.workload.namespace ?? '{{ .StatefulSet.Namespace }}';
    const podOverride = {
      securityContext: { runAsNonRoot: true, runAsUser: OFFICIAL_UID, runAsGroup: OFFICIAL_UID, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'container', // Kanister's task container: defaultContainerName in pkg/kube/pod.go; podOverride is a strategic merge
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        env: [
          { name: 'PGHOST', value: cluster.primaryService.name },
          { name: 'PGPORT', value: `${c.port}` },
          { name: 'PGUSER', value: 'postgres' },
          { name: 'PGSSLMODE', value: c.sslMode },
          { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: c.secretName, key: c.superuserPasswordKey } } },
        ],
      }],
    };
    const task = (name: string, command: string[]): KanisterPhase => ({
      name,
      func: 'KubeTask',
      args: { image, namespace, command, podLabels: { ...this.podLabels }, podOverride },
    });
    const profile = '{{ toJson .Profile }}';
    const location = 'postgres/{{ .StatefulSet.Namespace }}/{{ .StatefulSet.Name }}/{{ toDate "2006-01-02T15:04:05.999999999Z07:00" .Time | date "20060102T150405Z" }}.tar';
    const input = '{{ .ArtifactsIn.pgDump.KeyValue.backupLocation }}';
    this.blueprint = new KanisterBlueprint(this, 'Resource', {
      name: props.name ?? `${cluster.workload.name}-postgres`,
      namespace: props.namespace,
      actions: {
        backup: {
          kind: 'StatefulSet',
          outputArtifacts: { pgDump: { backupLocation: '{{ .Phases.dump.Output.backupLocation }}' } },
          phases: [task('dump', KanisterBlueprint.bashCommand(loadAsset('postgres/assets/kanister-backup.sh'),
            [{ envName: 'DUMP_ALL', content: loadAsset('postgres/assets/dump-all.sh') }], [profile, location]))],
        },
        restore: {
          kind: 'StatefulSet',
          inputArtifactNames: ['pgDump'],
          phases: [task('restore', KanisterBlueprint.bashCommand(loadAsset('postgres/assets/kanister-restore.sh'),
            [{ envName: 'RESTORE_RUN', content: loadAsset('postgres/assets/restore-run.sh') }], [profile, input]))],
        },
        delete: {
          inputArtifactNames: ['pgDump'],
          phases: [{
            name: 'deleteDump',
            func: 'KubeTask',
            args: {
              image,
              namespace: '{{ .Namespace.Name }}',
              command: ['kando', 'location', 'delete', '--profile', profile, '--path', input],
              podOverride: { securityContext: podOverride.securityContext, containers: [{ name: 'container', securityContext: podOverride.containers[0].securityContext }] },
            },
          }],
        },
      },
    });
    this.node.defaultChild = this.blueprint.resource;
  }
}
