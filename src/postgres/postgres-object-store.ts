import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { StoreSpec } from './private/walg';

/** Access keys of an S3 bucket in an existing Secret. */
export interface S3Credentials {
  /** The Secret (in the cluster's namespace). */
  readonly secret: kplus.ISecret;
  /** Key of the access key id. @default 'AWS_ACCESS_KEY_ID' */
  readonly accessKeyIdKey?: string;
  /** Key of the secret access key. @default 'AWS_SECRET_ACCESS_KEY' */
  readonly secretAccessKeyKey?: string;
}

/** An S3 bucket, or an S3-compatible store (MinIO, Ceph RGW, ...). */
export interface S3ObjectStoreOptions {
  /** Bucket name. */
  readonly bucket: string;
  /**
   * A folder for the cluster's backups, under `spilo/` (Spilo's layout:
   * `s3://<bucket>/spilo/<prefix>/<cluster>/wal/<major>/`), e.g. a team or environment name.
   * @default - none: `s3://<bucket>/spilo/<cluster>/wal/<major>/`
   */
  readonly prefix?: string;
  /** AWS region of the bucket. Required for AWS S3 (no `endpoint`). @default - none */
  readonly region?: string;
  /** Endpoint URL of an S3-compatible store, e.g. `http://minio.storage:9000`. @default - AWS S3 */
  readonly endpoint?: string;
  /**
   * Path-style addressing (`<endpoint>/<bucket>`) instead of virtual-host style
   * (`<bucket>.<endpoint>`).
   * @default - true with an `endpoint` (what MinIO needs), false for AWS S3
   */
  readonly forcePathStyle?: boolean;
  /**
   * Access keys from an existing Secret.
   * @default - none: the pod's own identity (IRSA / EKS Pod Identity: annotate the cluster's
   * ServiceAccount with the role)
   */
  readonly credentials?: S3Credentials;
}

/** A Google Cloud Storage bucket. */
export interface GcsObjectStoreOptions {
  /** Bucket name. */
  readonly bucket: string;
  /** A folder for the cluster's backups, under `spilo/`. @default - none */
  readonly prefix?: string;
  /**
   * A Secret holding a service account's JSON key (mounted as a file, GOOGLE_APPLICATION_CREDENTIALS).
   * @default - none: the pod's own identity (GKE Workload Identity)
   */
  readonly credentialsSecret?: kplus.ISecret;
  /** Key of the JSON key file in the Secret. @default 'key.json' */
  readonly credentialsKey?: string;
}

/** An Azure Blob Storage container. */
export interface AzureObjectStoreOptions {
  /** The storage account. */
  readonly storageAccount: string;
  /** The blob container. */
  readonly container: string;
  /** A folder for the cluster's backups, under `spilo/`. @default - none */
  readonly prefix?: string;
  /**
   * A Secret holding the storage account's access key (AZURE_STORAGE_ACCESS_KEY).
   * @default - none: the pod's managed identity
   */
  readonly accessKeySecret?: kplus.ISecret;
  /** Key of the access key in the Secret. @default 'AZURE_STORAGE_ACCESS_KEY' */
  readonly accessKeyKey?: string;
}

/**
 * Where WAL-G (in the Spilo image) keeps base backups and WAL: S3 or an S3-compatible store,
 * Google Cloud Storage or Azure Blob Storage. Used by `continuousBackup`, `bootstrap` and
 * `standby` of a `PostgresCluster`.
 */
export class ObjectStore {
  /** An S3 bucket (AWS, or S3-compatible with `endpoint`). */
  public static s3(options: S3ObjectStoreOptions): ObjectStore {
    const c = options.credentials;
    return new ObjectStore({
      provider: 's3',
      bucket: options.bucket,
      folder: options.prefix,
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      secret: c?.secret,
      secretEnv: c ? {
        AWS_ACCESS_KEY_ID: c.accessKeyIdKey ?? 'AWS_ACCESS_KEY_ID',
        AWS_SECRET_ACCESS_KEY: c.secretAccessKeyKey ?? 'AWS_SECRET_ACCESS_KEY',
      } : {},
    });
  }

  /** A Google Cloud Storage bucket. */
  public static gcs(options: GcsObjectStoreOptions): ObjectStore {
    return new ObjectStore({
      provider: 'gs',
      bucket: options.bucket,
      folder: options.prefix,
      secret: options.credentialsSecret,
      secretEnv: {},
      credentialsFileKey: options.credentialsSecret ? options.credentialsKey ?? 'key.json' : undefined,
    });
  }

  /** An Azure Blob Storage container. */
  public static azure(options: AzureObjectStoreOptions): ObjectStore {
    return new ObjectStore({
      provider: 'az',
      bucket: options.container,
      folder: options.prefix,
      storageAccount: options.storageAccount,
      secret: options.accessKeySecret,
      secretEnv: options.accessKeySecret ? { AZURE_STORAGE_ACCESS_KEY: options.accessKeyKey ?? 'AZURE_STORAGE_ACCESS_KEY' } : {},
    });
  }

  /** `s3`, `gs` or `azure`. */
  public readonly provider: string;
  /** The bucket (S3, GCS) or container (Azure). */
  public readonly bucket: string;

  /** @internal */
  public readonly _spec: StoreSpec;

  private constructor(spec: StoreSpec) {
    this._spec = spec;
    this.provider = spec.provider === 'az' ? 'azure' : spec.provider;
    this.bucket = spec.bucket;
  }
}

/** WAL-G compression of WAL segments and base backups (WALG_COMPRESSION_METHOD). */
export enum WalCompression {
  /** Fast, moderate ratio (WAL-G's default). */
  LZ4 = 'lz4',
  /** Better ratio at similar speed. */
  ZSTD = 'zstd',
  /** Brotli. */
  BROTLI = 'brotli',
  /** Best ratio, slowest. */
  LZMA = 'lzma',
}

/** A CronJob that restores the latest base backup into a scratch volume and queries it. */
export interface PostgresRestoreVerifyOptions {
  /** Cron schedule. @default '0 5 * * 0' (Sundays, 05:00) */
  readonly schedule?: string;
  /** IANA time zone of the schedule. @default - the kube-controller-manager's */
  readonly timeZone?: string;
  /**
   * Size limit of the scratch volume (an emptyDir on the node's disk) the backup is restored
   * into: at least the size of the database plus the WAL it replays.
   * @default - no limit
   */
  readonly scratchSize?: Size;
  /** Resources of the restore container. @default - 500m CPU and 1 GiB memory requested, 2 GiB limited */
  readonly resources?: kplus.ContainerResources;
  /** A run still going after this long fails. @default Duration.hours(6) */
  readonly activeDeadline?: Duration;
}

/**
 * Continuous backup with Spilo's WAL-G: every WAL segment is archived to the object store
 * (archive_command `wal-g wal-push`) and a base backup runs on a schedule inside the database
 * pods (Spilo's cron), so the cluster can be restored to any point in time (`bootstrap`).
 * Patroni mode only.
 */
export interface PostgresContinuousBackupOptions {
  /** Where the backups go. */
  readonly objectStore: ObjectStore;
  /**
   * Cron schedule of the base backups, in the pods' time zone (UTC) (BACKUP_SCHEDULE).
   * @default '0 1 * * *'
   */
  readonly schedule?: string;
  /**
   * Base backups to keep (BACKUP_NUM_TO_RETAIN). Spilo's postgres_backup.sh keeps at least this
   * many backups *and* this many days of them, and at least 2 of each.
   * @default 5
   */
  readonly retain?: number;
  /** Compression (WALG_COMPRESSION_METHOD). @default WalCompression.LZ4 (WAL-G's default) */
  readonly compression?: WalCompression;
  /**
   * Take the base backups on the replicas instead of the primary (WALG_BACKUP_FROM_REPLICA):
   * every replica then takes one, the primary none. Needs at least 2 instances.
   * @default false
   */
  readonly fromReplica?: boolean;
  /** Restore the latest backup on a schedule and check it (a CronJob). @default - none */
  readonly verify?: PostgresRestoreVerifyOptions;
}
