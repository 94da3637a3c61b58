// Internal: Patroni mode. Spilo pods elect a leader through ConfigMaps (Kubernetes as the DCS);
// Patroni labels the primary `role=primary` and the replicas `role=replica`, and the Services
// select on that label, so they follow a failover.
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { databaseList } from './databases';
import { SPILO_GID, SPILO_IMAGE, SPILO_MAJORS, SPILO_UID } from './images';
import { ModeWorkloadProps, PORT, REPLICATION_KEY, REPLICATION_USER, ReplicationContext, ReplicationStrategy, SUPERUSER, SUPERUSER_KEY } from './replication';
import { DCS_ONLY, PATRONI_MANAGED } from './tuning';
import { loadAsset } from '../../core/kit/assets';
import { HealthProbe } from '../../core/workload/container';
import { StatefulWorkload } from '../../core/workload/stateful-workload';
import { PodManagementPolicy } from '../../core/workload/update-strategy';
import { PostgresVersion } from '../postgres-version';

const PATRONI_PORT = 8008;
const SPILO_HOME = '/home/postgres';
/** Where the bootstrap ConfigMap (post_init and the databases list) is mounted. */
const BOOTSTRAP_DIR = '/etc/cdk8s-stateful';

export class PatroniReplication implements ReplicationStrategy {
  public readonly dataMount = `${SPILO_HOME}/pgdata`;
  public readonly walMount = `${SPILO_HOME}/pgwal`;
  // Spilo rejects non-TLS connections (pg_hba `hostnossl all all all reject`).
  public readonly sslMode = 'require';
  public readonly managedParameters = PATRONI_MANAGED;

  public defaultImage(_version: PostgresVersion): string {
    return SPILO_IMAGE;
  }

  public unsupportedVersion(version: PostgresVersion): string | undefined {
    if (SPILO_MAJORS.includes(version.majorVersion)) return undefined;
    return `PostgreSQL ${version.majorVersion} is not in the Spilo image ${SPILO_IMAGE} (it ships ${SPILO_MAJORS[0]} to ${SPILO_MAJORS[SPILO_MAJORS.length - 1]}); use one of those versions, or give an 'image' that has it`;
  }

  public modeParameters(_synchronous: boolean): { [name: string]: string } {
    // synchronous_mode goes to the DCS configuration instead (configure).
    return {};
  }

  public workloadProps(name: string, _parameters: { [name: string]: string }): ModeWorkloadProps {
    return {
      ports: [{ name: 'postgresql', port: PORT }, { name: 'patroni', port: PATRONI_PORT }],
      // Patroni's REST API (docs/rest_api.rst): /readiness is 200 once PostgreSQL runs as primary
      // or replica; /liveness is 200 while Patroni's loop runs, also during a long recovery.
      readiness: HealthProbe.httpGet('/readiness', PATRONI_PORT),
      liveness: HealthProbe.httpGet('/liveness', PATRONI_PORT),
      // Start-up (configure_spilo.py, crash recovery, a replica's clone) may take long: 5 min.
      startup: HealthProbe.httpGet('/liveness', PATRONI_PORT, { failureThreshold: 30 }),
      // The root filesystem is read-only. Spilo keeps everything it writes under RW_DIR=/run
      // (postgres-appliance/Dockerfile; post_build.sh links /etc/service, postgres.yml, certs and
      // the socket dir there).
      scratchPaths: ['/run', '/tmp'],
      // Members bootstrap independently (the first to take the initialize key runs initdb).
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      // Restricted profile. Spilo starts as root by default, but launch.sh and configure_spilo.py
      // handle a non-root start (postgres-operator's spilo_runasuser 101 / spilo_runasgroup 103 /
      // spilo_fsgroup 103): with uid 101 = the image's postgres user, its only root-filesystem
      // write outside RW_DIR (launch.sh rewrites /etc/passwd with the running uid/gid whenever it
      // is not root) is unneeded, since uid 101 already resolves to postgres, and its failure is
      // ignored (launch.sh has no `set -e`); chpst/chrt are skipped when they fail, and
      // the renice cron job is skipped under no_new_privs.
      security: { user: SPILO_UID, group: SPILO_GID, fsGroup: SPILO_GID },
      podLabels: { 'application': 'patroni', 'cluster-name': name },
      // Namespaced RBAC for Patroni in ConfigMaps mode (patroni kubernetes/patroni_k8s.yaml):
      // delete/deletecollection are left out, they serve only `patronictl remove`.
      rbacRules: [
        { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'list', 'patch', 'update', 'watch'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'patch', 'update', 'watch'] },
      ],
    };
  }

  public configure(ctx: ReplicationContext): void {
    const w = ctx.workload;
    w.volumes.addConfigFiles('bootstrap', {
      mountPath: BOOTSTRAP_DIR,
      files: {
        'post-init.sh': loadAsset('postgres/assets/patroni-post-init.sh'),
        'databases.sh': loadAsset('postgres/assets/databases.sh'),
        'databases.list': databaseList(ctx.databases, (key) => ctx.credentialFile(key), ctx.roles),
      },
      defaultMode: 0o555,
    });
    const env: Array<[string, kplus.EnvValue]> = [
      // Spilo's env names (postgres-appliance/scripts/configure_spilo.py, get_placeholders and
      // get_dcs_config): every KUBERNETES_* variable becomes a key of Patroni's kubernetes section.
      ['SCOPE', kplus.EnvValue.fromValue(ctx.name)],
      ['PGVERSION', kplus.EnvValue.fromValue(ctx.version.majorVersion)],
      ['PGROOT', kplus.EnvValue.fromValue(`${SPILO_HOME}/pgdata/pgroot`)],
      ['POD_IP', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_IP)],
      ['POD_NAMESPACE', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE)],
      ['DCS_ENABLE_KUBERNETES_API', kplus.EnvValue.fromValue('true')],
      ['KUBERNETES_USE_CONFIGMAPS', kplus.EnvValue.fromValue('true')],
      // Spilo defaults this to true, which needs a ClusterRole on endpoints/kubernetes in 'default'.
      ['KUBERNETES_BYPASS_API_SERVICE', kplus.EnvValue.fromValue('false')],
      ['KUBERNETES_LABELS', kplus.EnvValue.fromValue(JSON.stringify({ application: 'patroni' }))],
      ['KUBERNETES_SCOPE_LABEL', kplus.EnvValue.fromValue('cluster-name')],
      ['KUBERNETES_ROLE_LABEL', kplus.EnvValue.fromValue('role')],
      ['KUBERNETES_LEADER_LABEL_VALUE', kplus.EnvValue.fromValue('primary')],
      ['KUBERNETES_STANDBY_LEADER_LABEL_VALUE', kplus.EnvValue.fromValue('primary')],
      ['KUBERNETES_FOLLOWER_LABEL_VALUE', kplus.EnvValue.fromValue('replica')],
      // Don't probe the cloud metadata endpoint (169.254.169.254) at start-up.
      ['SPILO_PROVIDER', kplus.EnvValue.fromValue('local')],
      ['PGUSER_SUPERUSER', kplus.EnvValue.fromValue(SUPERUSER)],
      ['PGPASSWORD_SUPERUSER', ctx.secretEnv(SUPERUSER_KEY)],
      ['PGUSER_STANDBY', kplus.EnvValue.fromValue(REPLICATION_USER)],
      ['PGPASSWORD_STANDBY', ctx.secretEnv(REPLICATION_KEY)],
      ['SPILO_CONFIGURATION', kplus.EnvValue.fromValue(JSON.stringify(spiloConfiguration(ctx)))],
    ];
    for (const [k, v] of env) w.addEnv(k, v);
  }

  public addServices(workload: StatefulWorkload): { primary: k8s.KubeService; replica: k8s.KubeService } {
    return {
      primary: workload.services.add('primary', { name: workload.name, ports: ['postgresql'], selector: { role: 'primary' } }),
      replica: workload.services.add('ro', { ports: ['postgresql'], selector: { role: 'replica' } }),
    };
  }
}

/** Deep-merged over Spilo's own template by configure_spilo.py (user values win, lists replace). */
export function spiloConfiguration(ctx: Pick<ReplicationContext, 'parameters' | 'synchronous' | 'walDir'>): object {
  const local: { [k: string]: string } = {};
  const dcs: { [k: string]: string } = {};
  for (const [k, v] of Object.entries(ctx.parameters)) (DCS_ONLY.has(k) ? dcs : local)[k] = v;
  const walDir = ctx.walDir;
  return {
    bootstrap: {
      post_init: `${BOOTSTRAP_DIR}/post-init.sh`,
      dcs: {
        ttl: 30,
        loop_wait: 10,
        retry_timeout: 10,
        synchronous_mode: ctx.synchronous,
        postgresql: { use_pg_rewind: true, use_slots: true, parameters: dcs },
      },
      ...(walDir ? { initdb: [{ encoding: 'UTF8' }, { locale: 'en_US.UTF-8' }, 'data-checksums', { waldir: walDir }] } : {}),
    },
    postgresql: {
      parameters: local,
      // Spilo's own list with scram-sha-256: TLS (Spilo's self-signed certificate) for every
      // remote connection, replication only for the replication user.
      pg_hba: [
        'local all all trust',
        'host all all 127.0.0.1/32 scram-sha-256',
        'host all all ::1/128 scram-sha-256',
        `local replication ${REPLICATION_USER} trust`,
        `hostssl replication ${REPLICATION_USER} all scram-sha-256`,
        'hostnossl all all all reject',
        'hostssl all all all scram-sha-256',
      ],
      ...(walDir ? { create_replica_method: ['basebackup'], basebackup: [{ waldir: walDir }, { checkpoint: 'fast' }] } : {}),
    },
  };
}
