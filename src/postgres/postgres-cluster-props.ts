import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { PostgresBackupOptions } from './postgres-backup';
import { PostgresBootstrap, PostgresStandby } from './postgres-bootstrap';
import { PostgresContinuousBackupOptions } from './postgres-object-store';
import { PostgresPoolerOptions } from './postgres-pooler';
import { PostgresRollout } from './postgres-rollout';
import { PostgresReconcileOptions, PostgresUser } from './postgres-user';
import { PostgresVersion } from './postgres-version';
import { Credentials } from '../core/kit/credentials';
import { Monitoring } from '../core/kit/monitoring';
import { Tls } from '../core/kit/tls';
import { PlacementProps } from '../core/workload/scheduling';
import { IStorageClass } from '../core/workload/volumes';

/** How the instances replicate and fail over. */
export enum ReplicationMode {
  /**
   * Patroni with the Kubernetes API as its DCS (ConfigMaps): automatic failover and fencing,
   * needs a namespaced Role (configmaps and pods).
   */
  PATRONI = 'patroni',
  /**
   * The official `postgres` image with streaming replication: ordinal 0 is the primary, the
   * others are read-only replicas cloned with pg_basebackup. No RBAC. **No automatic failover.**
   */
  STREAMING = 'streaming',
}

/** Persistent storage of every instance. */
export interface PostgresStorage {
  /** Size of each instance's data volume. @default Size.gibibytes(10) */
  readonly size?: Size;
  /** StorageClass of the data volume (any `IStorageClass`, e.g. a LocalVolumePool's). @default - the cluster's default class */
  readonly storageClass?: IStorageClass;
  /** Put the WAL on its own volume of this size (`initdb --waldir`). @default - WAL on the data volume */
  readonly walSize?: Size;
  /** StorageClass of the WAL volume. @default - the data volume's class */
  readonly walStorageClass?: IStorageClass;
  // --- growth (issue 11 part 7) ---
  /**
   * Also write the per-instance claims (`data-<name>-<n>`, `wal-<name>-<n>`) that the StatefulSet
   * adopts, so raising `size` or `walSize` grows the disks in place on the next apply. The class
   * must allow volume expansion. On a running cluster see docs/postgres.md, "Grow the volumes".
   * @default false
   */
  readonly expandable?: boolean;
  /**
   * With `expandable`: the request left in the data claim template (which never follows `size`).
   * To turn `expandable` on for a running cluster without recreating its StatefulSet, give the
   * size the cluster was created with.
   * @default Size.gibibytes(1)
   */
  readonly claimTemplateSize?: Size;
  /** With `expandable`: the same for the WAL claim template. @default Size.gibibytes(1) */
  readonly walClaimTemplateSize?: Size;
}

/** A database and the role that owns it. */
export interface PostgresDatabase {
  /** Database name (lower-case letters, digits and '_', starting with a letter or '_'). */
  readonly name: string;
  /** Owner role; it logs in with the password in the credentials Secret under `<owner>-password`. @default - the database name */
  readonly owner?: string;
}

/** Props of a PostgresCluster. */
export interface PostgresClusterProps {
  /** Name of the StatefulSet and prefix of every object. Stateful: a new name means new, empty disks. @default - the construct id */
  readonly name?: string;
  /** Number of instances (one primary, the rest replicas). @default 3 */
  readonly instances?: number;
  /** @default PostgresVersion.V17 */
  readonly version?: PostgresVersion;
  /** @default ReplicationMode.PATRONI */
  readonly mode?: ReplicationMode;
  /**
   * Image override, pinned by tag or digest. In Patroni mode it must be Spilo-compatible (same
   * env, paths and uid 101); in streaming mode compatible with the official image.
   * @default - `ghcr.io/zalando/spilo-17:4.0-p3` (Patroni) or `postgres:<version>-bookworm` (streaming)
   */
  readonly image?: string;
  /** @default - 10 GiB on the default StorageClass, WAL on the data volume */
  readonly storage?: PostgresStorage;
  /**
   * Resources of the database container. The memory limit (or request) and CPU limit (or
   * request) drive the derived settings (see docs/postgres.md, "Tuning").
   * @default - 1 CPU requested, 2 GiB memory requested and limited
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * postgresql.conf settings, on top of (and overriding) the derived ones. Values as PostgreSQL
   * spells them (`'256MB'`, `'on'`). Settings Patroni manages itself are rejected.
   * @default - the derived settings only
   */
  readonly parameters?: { [name: string]: string };
  /**
   * Databases to create, with their owners: at bootstrap, and those added later by the reconcile
   * Job. Removing one from the list never drops it. @default - one database `app` owned by `app`
   */
  readonly databases?: PostgresDatabase[];
  /** @default Credentials.generate(): a Job creates `<name>-credentials` in the cluster */
  readonly credentials?: Credentials;
  /**
   * Synchronous replication: a commit returns only once a replica has it, so a failover loses
   * no acknowledged transaction. Patroni: `synchronous_mode` (falls back to asynchronous when no
   * replica is healthy); streaming: `synchronous_standby_names = 'ANY 1 (*)'` (writes wait while
   * no replica is connected). Needs at least 2 instances.
   * @default false
   */
  readonly synchronous?: boolean;
  /** @default - soft anti-affinity by hostname, soft zone spread */
  readonly placement?: PlacementProps;
  /** @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** Time a stopping instance gets to shut PostgreSQL down cleanly (at least 30 s). @default Duration.seconds(60) */
  readonly terminationGracePeriod?: Duration;
  /** A CronJob dumping the roles (without passwords) and each database, for restore into a new cluster. @default - none */
  readonly backup?: PostgresBackupOptions;
  /**
   * Metrics, alerts and a dashboard: a postgres_exporter sidecar logging in as `metrics_exporter`
   * (a `pg_monitor` member created at bootstrap, password key `metrics-password`), plus Patroni's
   * own `/metrics`. See docs/postgres.md, "Monitor a cluster".
   * @default - none
   */
  readonly monitoring?: Monitoring;
  // ---- object storage: continuous backup, bootstrap, standby (postgres-object-store.ts, postgres-bootstrap.ts)
  /**
   * Continuous backup to an object store with Spilo's WAL-G (WAL archiving and scheduled base
   * backups), for point-in-time recovery; optionally verified by a restore CronJob. Patroni mode
   * only. See docs/postgres.md, "Continuous backup and PITR".
   * @default - none (archive_command is /bin/true)
   */
  readonly continuousBackup?: PostgresContinuousBackupOptions;
  /**
   * Create the cluster from a backup (point in time) or a running cluster instead of `initdb`.
   * Acts only when the cluster is first created. Patroni mode only.
   * @default - initdb
   */
  readonly bootstrap?: PostgresBootstrap;
  /**
   * Run as a read-only standby of another cluster (Patroni `standby_cluster`), e.g. in a second
   * region, until promoted. Patroni mode only.
   * @default - not a standby
   */
  readonly standby?: PostgresStandby;
  // ---- end object storage
  // --- rollouts and major upgrades (issue 11 parts 5 and 6) ---
  /**
   * How pod template changes reach the pods. Patroni mode: `PostgresRollout.primaryAware()`
   * (StatefulSet `OnDelete` plus a rollout Job: replicas first, one switchover, the old primary
   * last). Streaming mode always uses the StatefulSet's RollingUpdate (pod 0 is the primary).
   * See docs/postgres.md, "Roll out a change safely".
   * @default - PostgresRollout.primaryAware() in Patroni mode, PostgresRollout.rollingUpdate() in streaming mode
   */
  readonly rollout?: PostgresRollout;
  /**
   * The major version the cluster's data directories have now, when `version` names a newer
   * major: adds a Job (named after the pair) that runs Spilo's in-place upgrade
   * (`inplace_upgrade.py`, pg_upgrade) on the primary once the new template has rolled out.
   * Patroni mode only. See docs/postgres.md, "Upgrade the major version".
   * @default - no upgrade: `version` is the major the data directories have
   */
  readonly upgradeFrom?: PostgresVersion;
  // --- users, grants and pooling (issue 11, parts 3-4) ---
  /**
   * Login roles beside the database owners, with their grants, kept in sync by the reconcile Job
   * (see docs/postgres.md, "Users, databases and grants"). Each logs in with the key
   * `<name>-password` of the credentials Secret.
   * @default - the database owners only
   */
  readonly users?: PostgresUser[];
  /** How the reconcile Job (roles, databases, grants, passwords) runs. @default - on every spec change, never drops */
  readonly reconcile?: PostgresReconcileOptions;
  /** A PgBouncer pool in front of the cluster (`bind(app, { pooled: true })`). @default - none */
  readonly pooler?: PostgresPoolerOptions;
  /**
   * Serve a certificate (cert-manager or your Secret) for every pod and Service name; clients get
   * `sslmode=verify-full` with the CA (`bind()`, `connection`). A renewed certificate is served
   * without a restart (Spilo's reload cron, or a reload sidecar in streaming mode). See
   * docs/postgres.md, "Encrypt connections". Needs the chart's namespace.
   * @default - Patroni: Spilo's self-signed certificate (encrypted, not verifiable); streaming: none
   */
  readonly tls?: Tls;
}

/** How clients reach the cluster. */
export interface PostgresConnection {
  /** DNS name of the read-write Service (follows the primary). */
  readonly host: string;
  /** DNS name of the read-only Service. */
  readonly readOnlyHost: string;
  /** Port. */
  readonly port: number;
  /** The first (default) database. */
  readonly database: string;
  /** Its owner role. */
  readonly user: string;
  /** Secret holding the passwords. */
  readonly secretName: string;
  /** Key of the user's password in the Secret. */
  readonly passwordKey: string;
  /** Key of the superuser (`postgres`) password. */
  readonly superuserPasswordKey: string;
  /** Key of the replication user's password. */
  readonly replicationPasswordKey: string;
  /**
   * libpq sslmode clients should use: `verify-full` with `tls`; else `require` in Patroni mode
   * (Spilo rejects non-TLS connections, with a self-signed certificate) and `prefer` in streaming mode.
   */
  readonly sslMode: string;
  /** With `tls`: the Secret whose `caKey` is the CA certificate clients verify the server with. @default - no `tls` */
  readonly caSecretName?: string;
  /** With `tls`: the key of the CA certificate in `caSecretName`. @default - no `tls` */
  readonly caKey?: string;
}

/** Options of `bind`. */
export interface PostgresBindOptions {
  /** Database to connect to, as its owner. @default - the first database */
  readonly database?: string;
  /** Connect to the read-only Service. @default false */
  readonly readOnly?: boolean;
  /**
   * Where the workload reads the owner's password: a Secret in the workload's own namespace,
   * `Credentials.fromSecret(secret, { '<owner>-password': '<its key>' })`. Required when the
   * workload is in another namespace than the cluster: a pod can only read Secrets of its own
   * namespace, and the cluster's Secret is in the cluster's. Copy the password there yourself
   * (External Secrets, a reflector, or your secret store).
   * @default - the cluster's Secret (same namespace only)
   */
  readonly credentials?: Credentials;
  /**
   * Log in as this role instead of the database's owner: one of `users` (with grants on the
   * database) or another owner. Its password is the key `<user>-password`.
   * @default - the database's owner
   */
  readonly user?: string;
  /** Connect through the cluster's PgBouncer pool (`pooler` must be set). @default false */
  readonly pooled?: boolean;
  /**
   * With `tls`, for a workload in another namespace: a Secret there holding the CA certificate
   * under the cluster certificate's `caKey` (copy that key only, never the private key).
   * @default - the certificate's Secret (same namespace only)
   */
  readonly caSecret?: kplus.ISecret;
}
