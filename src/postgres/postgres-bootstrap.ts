import * as kplus from 'cdk8s-plus-28';
import { ObjectStore } from './postgres-object-store';
import { BootstrapSpec, StoreSpec } from './private/walg';

/** Options of `PostgresBootstrap.fromBackup`. */
export interface PostgresBootstrapFromBackupOptions {
  /** The store the source cluster archives to (its `continuousBackup.objectStore`). */
  readonly objectStore: ObjectStore;
  /** Name of the source cluster (its Patroni scope: the `name` of its PostgresCluster). */
  readonly sourceCluster: string;
  /**
   * Recover up to this moment, ISO 8601 with a UTC offset, e.g. `2026-01-02T03:04:05+00:00`
   * (CLONE_TARGET_TIME). WAL-G picks the latest base backup before it and replays WAL up to it.
   * @default - the end of the archived WAL
   */
  readonly targetTime?: string;
}

/** Options of `PostgresBootstrap.fromCluster`. */
export interface PostgresBootstrapFromClusterOptions {
  /** Host of the running source cluster's primary (e.g. its read-write Service's DNS name). */
  readonly host: string;
  /** Port. @default 5432 */
  readonly port?: number;
  /** Name of the source cluster (CLONE_SCOPE). */
  readonly sourceCluster: string;
  /** A replication user of the source. @default 'replicator' (the user this library's clusters replicate with) */
  readonly user?: string;
  /** A Secret in this cluster's namespace holding that user's password. */
  readonly passwordSecret: kplus.ISecret;
  /** Key of the password in the Secret. @default 'replication-password' */
  readonly passwordKey?: string;
}

/**
 * How a new Patroni-mode cluster gets its first data instead of `initdb` (Spilo's `CLONE_*`
 * env, Patroni's custom bootstrap). It acts only when the cluster is created: an existing
 * cluster keeps its data and ignores it.
 */
export class PostgresBootstrap {
  /** Restore a base backup from an object store and replay WAL to `targetTime` (point-in-time recovery). */
  public static fromBackup(options: PostgresBootstrapFromBackupOptions): PostgresBootstrap {
    return new PostgresBootstrap({ kind: 'backup', sourceCluster: options.sourceCluster, store: options.objectStore._spec, targetTime: options.targetTime });
  }

  /** Copy a running cluster with `pg_basebackup`. */
  public static fromCluster(options: PostgresBootstrapFromClusterOptions): PostgresBootstrap {
    return new PostgresBootstrap({
      kind: 'cluster',
      sourceCluster: options.sourceCluster,
      host: {
        host: options.host,
        port: options.port ?? 5432,
        user: options.user ?? 'replicator',
        secret: options.passwordSecret,
        key: options.passwordKey ?? 'replication-password',
      },
    });
  }

  /** The source cluster's name. */
  public readonly sourceCluster: string;
  /** @internal */
  public readonly _spec: BootstrapSpec;

  private constructor(spec: BootstrapSpec) {
    this._spec = spec;
    this.sourceCluster = spec.sourceCluster;
  }
}

/** Options of `PostgresStandby.fromObjectStore`. */
export interface PostgresStandbyFromObjectStoreOptions {
  /** The store the source cluster archives to. */
  readonly objectStore: ObjectStore;
  /** Name of the source cluster (its `name`). */
  readonly sourceCluster: string;
}

/** Options of `PostgresStandby.fromHost`. */
export interface PostgresStandbyFromHostOptions {
  /** Host of the source cluster's primary, reachable from this cluster. */
  readonly host: string;
  /** Port. @default 5432 */
  readonly port?: number;
}

/**
 * Run the cluster as a standby of another one (Spilo's `STANDBY_*` env, Patroni's
 * `standby_cluster`): its leader replays the source's WAL, its other members replicate from the
 * leader, nothing accepts writes until it is promoted (docs/postgres.md, "Run a standby in a
 * second region"). Applies when the cluster is created.
 */
export class PostgresStandby {
  /** Replay the WAL the source archives to an object store (no network path to the source needed). */
  public static fromObjectStore(options: PostgresStandbyFromObjectStoreOptions): PostgresStandby {
    return new PostgresStandby(options.sourceCluster, options.objectStore._spec);
  }

  /**
   * Stream from the source's primary. It logs in as this cluster's replication user, so give
   * both clusters the same replication password (`credentials`).
   */
  public static fromHost(options: PostgresStandbyFromHostOptions): PostgresStandby {
    return new PostgresStandby(undefined, undefined, options.host, options.port ?? 5432);
  }

  /** The source cluster's name, when replaying from an object store. */
  public readonly sourceCluster?: string;
  /** The source's host, when streaming. */
  public readonly host?: string;
  /** The source's port, when streaming. */
  public readonly port?: number;
  /** @internal */
  public readonly _store?: StoreSpec;

  private constructor(sourceCluster?: string, store?: StoreSpec, host?: string, port?: number) {
    this.sourceCluster = sourceCluster;
    this._store = store;
    this.host = host;
    this.port = port;
  }
}
