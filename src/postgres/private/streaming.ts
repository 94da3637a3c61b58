// Internal: streaming mode. The official image; ordinal 0 is the primary, the others are
// read-only replicas cloned with pg_basebackup by an init container. No RBAC, no failover.
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { databaseList } from './databases';
import { OFFICIAL_GID, OFFICIAL_UID, officialImage } from './images';
import { CREDENTIALS_DIR, ModeWorkloadProps, PORT, REPLICATION_KEY, REPLICATION_USER, ReplicationContext, ReplicationStrategy, SUPERUSER, SUPERUSER_KEY } from './replication';
import { STREAMING_MANAGED } from './tuning';
import { loadAsset } from '../../core/kit/assets';
import { LabelKeys } from '../../core/labels';
import { HealthProbe } from '../../core/workload/container';
import { StatefulWorkload } from '../../core/workload/stateful-workload';
import { PodManagementPolicy } from '../../core/workload/update-strategy';
import { PostgresVersion } from '../postgres-version';

const OFFICIAL_DATA = '/var/lib/postgresql/data';
const OFFICIAL_WAL = '/var/lib/postgresql/wal';
const READY = ['pg_isready', '-q', '-h', '127.0.0.1', '-p', `${PORT}`];
/** How long an empty pod 0 looks for instances with data before it initializes (first creation only). */
const PEER_WAIT_SECONDS = 60;

/** `<host>.$(POD_NAMESPACE).svc.<domain>`: a name in the pod's own namespace, whatever it is at apply time. */
function runtimeName(w: StatefulWorkload, host: string): string {
  return `${host}.$(POD_NAMESPACE).svc.${w.clusterDomain}`;
}

export class StreamingReplication implements ReplicationStrategy {
  public readonly dataMount = OFFICIAL_DATA;
  public readonly walMount = OFFICIAL_WAL;
  public readonly sslMode = 'prefer';
  public readonly managedParameters = STREAMING_MANAGED;

  public defaultImage(version: PostgresVersion): string {
    return officialImage(version);
  }

  public unsupportedVersion(_version: PostgresVersion): string | undefined {
    return undefined;
  }

  public modeParameters(synchronous: boolean): { [name: string]: string } {
    return synchronous ? { synchronous_standby_names: 'ANY 1 (*)' } : {};
  }

  public workloadProps(_name: string, parameters: { [name: string]: string }): ModeWorkloadProps {
    return {
      ports: [{ name: 'postgresql', port: PORT }],
      readiness: HealthProbe.exec(READY),
      liveness: HealthProbe.tcpSocket(PORT),
      // Start-up (crash recovery, a replica's clone) may take long: 1 h.
      startup: HealthProbe.exec(READY, { failureThreshold: 360 }),
      // Settings on the command line (docker-entrypoint.sh passes `postgres -c …` through).
      args: ['postgres', ...Object.entries(parameters).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
      // The root filesystem is read-only; the image writes its socket to /var/run/postgresql.
      scratchPaths: ['/var/run/postgresql', '/tmp'],
      // All at once: an empty pod 0 must see whether the other instances hold data before it runs
      // initdb (assets/streaming-clone.sh), and after a full restart OrderedReady would not start
      // them until pod 0 is Ready. The replicas' init containers wait for the primary themselves.
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      // ...and it asks them through the headless Service whether they are Ready or not.
      publishNotReadyAddresses: true,
      // The official image's postgres user.
      security: { user: OFFICIAL_UID, group: OFFICIAL_GID, fsGroup: OFFICIAL_GID },
    };
  }

  public configure(ctx: ReplicationContext): void {
    const w = ctx.workload;
    const pgdata = `${OFFICIAL_DATA}/pgdata`;
    w.addEnv('POSTGRES_USER', kplus.EnvValue.fromValue(SUPERUSER));
    w.addEnv('POSTGRES_PASSWORD', ctx.secretEnv(SUPERUSER_KEY));
    w.addEnv('PGDATA', kplus.EnvValue.fromValue(pgdata));
    w.addEnv('POSTGRES_INITDB_ARGS', kplus.EnvValue.fromValue('--data-checksums'));
    if (ctx.walDir) w.addEnv('POSTGRES_INITDB_WALDIR', kplus.EnvValue.fromValue(ctx.walDir));
    // Read by the initdb script (the pg_hba entry).
    w.addEnv('REPLICATION_USER', kplus.EnvValue.fromValue(REPLICATION_USER));
    // docker-entrypoint.sh sources every *.sh here in order and ignores other files (the list).
    w.volumes.addConfigFiles('initdb', {
      mountPath: '/docker-entrypoint-initdb.d',
      files: {
        // The replication role first, then the owners and databases.
        'databases.list': databaseList(ctx.databases, (key) => ctx.credentialFile(key), [
          { name: REPLICATION_USER, passwordFile: ctx.credentialFile(REPLICATION_KEY), attributes: 'REPLICATION' },
          ...ctx.roles,
        ]),
        'databases.sh': loadAsset('postgres/assets/databases.sh'),
        'replication-and-databases.sh': loadAsset('postgres/assets/streaming-initdb.sh'),
      },
    });
    w.addInitContainer({
      name: 'clone',
      image: ctx.image,
      command: ['bash', '-c', loadAsset('postgres/assets/streaming-clone.sh')],
      env: {
        // First: the names below take the namespace from it at run time (a Kustomize `namespace:`).
        POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
        PGDATA: kplus.EnvValue.fromValue(pgdata),
        PRIMARY_HOST: kplus.EnvValue.fromValue(runtimeName(w, `${w.podName(0)}.${w.headlessService.name}`)),
        PEERS_HOST: kplus.EnvValue.fromValue(runtimeName(w, w.headlessService.name)),
        PEER_WAIT: kplus.EnvValue.fromValue(`${PEER_WAIT_SECONDS}`),
        REPLICATION_USER: kplus.EnvValue.fromValue(REPLICATION_USER),
        REPLICATION_PASSWORD_FILE: kplus.EnvValue.fromValue(ctx.credentialFile(REPLICATION_KEY)),
        ...(ctx.walDir ? { WAL_DIR: kplus.EnvValue.fromValue(ctx.walDir) } : {}),
      },
      mounts: [
        { volume: 'data', mountPath: OFFICIAL_DATA },
        ...(ctx.walDir ? [{ volume: 'wal', mountPath: OFFICIAL_WAL }] : []),
        { volume: 'credentials', mountPath: CREDENTIALS_DIR, readOnly: true },
        { volume: 'scratch-tmp', mountPath: '/tmp' },
      ],
      resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) } },
    });
  }

  public addServices(workload: StatefulWorkload): { primary: k8s.KubeService; replica: k8s.KubeService } {
    return {
      primary: workload.services.add('primary', {
        name: workload.name, ports: ['postgresql'], selector: { [LabelKeys.POD_NAME]: workload.podName(0) },
      }),
      // A Service selector cannot say "every pod but 0": the read-only Service spans all instances.
      replica: workload.services.add('ro', { ports: ['postgresql'] }),
    };
  }
}
