// Internal: what a replication mode decides. PostgresCluster holds one ReplicationStrategy
// (patroni.ts or streaming.ts) and asks it instead of branching on the mode.
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { StatefulWorkload } from '../../core/workload/stateful-workload';
import { StatefulWorkloadProps } from '../../core/workload/stateful-workload-props';
import { PostgresVersion } from '../postgres-version';

export const PORT = 5432;
export const SUPERUSER = 'postgres';
export const REPLICATION_USER = 'replicator';
export const SUPERUSER_KEY = 'superuser-password';
export const REPLICATION_KEY = 'replication-password';
/** Where the credentials Secret is mounted as files in every database pod. */
export const CREDENTIALS_DIR = '/etc/postgres-credentials';

/** A database, its owner and the construct's name of the owner's password key. */
export interface DatabaseSpec {
  readonly name: string;
  readonly owner: string;
  readonly passwordKey: string;
}

/** A role the list creates. */
export interface RoleSpec {
  readonly name: string;
  /** File holding its password (in the mounted Secret). */
  readonly passwordFile: string;
  /** Attributes after LOGIN, e.g. REPLICATION. @default - none */
  readonly attributes?: string;
}

/** What a mode needs from the cluster to configure the workload. */
export interface ReplicationContext {
  readonly workload: StatefulWorkload;
  /** The StatefulSet's name (Patroni's scope). */
  readonly name: string;
  readonly version: PostgresVersion;
  readonly image: string;
  /** The effective postgresql.conf settings. */
  readonly parameters: { [name: string]: string };
  readonly synchronous: boolean;
  /** The WAL directory on its own volume, when there is one. */
  readonly walDir?: string;
  /** The application databases and their owners. */
  readonly databases: DatabaseSpec[];
  /** Extra login roles the bootstrap creates (e.g. the monitoring role). */
  readonly roles: RoleSpec[];
  /** A container env value from the credentials Secret, by the construct's key name. */
  secretEnv(key: string): kplus.EnvValue;
  /** The path of a credentials key in the mounted Secret, by the construct's key name. */
  credentialFile(key: string): string;
}

/** The workload props a mode decides. */
export type ModeWorkloadProps = Pick<StatefulWorkloadProps,
'ports' | 'readiness' | 'liveness' | 'startup' | 'args' | 'scratchPaths' | 'podManagementPolicy' | 'publishNotReadyAddresses' | 'security' | 'podLabels'
| 'rbacRules'>;

/** How the instances replicate and fail over: everything that differs between the modes. */
export interface ReplicationStrategy {
  /** Where the data volume is mounted. */
  readonly dataMount: string;
  /** Where the WAL volume is mounted, when there is one. */
  readonly walMount: string;
  /** libpq sslmode clients should use. */
  readonly sslMode: string;
  /** Settings the mode sets itself → where they belong instead. */
  readonly managedParameters: { [name: string]: string };
  /** The image when the user gives none. */
  defaultImage(version: PostgresVersion): string;
  /** Why the default image cannot run this version, or undefined. */
  unsupportedVersion(version: PostgresVersion): string | undefined;
  /** Settings the mode adds to the derived ones. */
  modeParameters(synchronous: boolean): { [name: string]: string };
  /** Ports, probes, security, RBAC and the like of the StatefulWorkload. */
  workloadProps(name: string, parameters: { [name: string]: string }): ModeWorkloadProps;
  /** Env, config files and init containers, after the credentials are mounted. */
  configure(ctx: ReplicationContext): void;
  /** The read-write and read-only Services. */
  addServices(workload: StatefulWorkload): { primary: k8s.KubeService; replica: k8s.KubeService };
}
