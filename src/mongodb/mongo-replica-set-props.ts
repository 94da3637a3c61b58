import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { MongoVersion } from './mongo-version';
import { Credentials } from '../core/kit/credentials';
import { PlacementProps } from '../core/workload/scheduling';
import { IStorageClass } from '../core/workload/volumes';

/** Built-in roles a user gets on its own database. */
export enum MongoRole {
  /** Read the database. */
  READ = 'read',
  /** Read and write the database. */
  READ_WRITE = 'readWrite',
  /** Schema work: indexes, statistics, collections; no data access. */
  DB_ADMIN = 'dbAdmin',
  /** readWrite, dbAdmin and userAdmin on the database. */
  DB_OWNER = 'dbOwner',
}

/**
 * An application user the replica set creates once (in the `admin` database, so clients log in
 * with `authSource=admin`) with a password generated into the credentials Secret under
 * `<name>-password`.
 */
export interface MongoUser {
  /** The user name. */
  readonly name: string;
  /** The database its roles apply to (and the database of its connection string). */
  readonly database: string;
  /** @default [MongoRole.READ_WRITE] */
  readonly roles?: MongoRole[];
}

/** A CronJob writing `mongodump --archive --gzip --oplog` to a volume of its own. */
export interface MongoBackupOptions {
  /** Size of the backup volume. */
  readonly size: Size;
  /** @default - the cluster's default class */
  readonly storageClass?: IStorageClass;
  /** Cron schedule, in the controller's time zone unless `timeZone` is set. @default '0 2 * * *' */
  readonly schedule?: string;
  /** IANA time zone of the schedule. @default - the kube-controller-manager's */
  readonly timeZone?: string;
  /** Archives to keep. @default 7 */
  readonly keep?: number;
  /** @default - 100m CPU requested, 256 MiB memory requested and 1 GiB limited */
  readonly resources?: kplus.ContainerResources;
  /** A run still going after this long is stopped and counts as failed. @default Duration.hours(6) */
  readonly activeDeadline?: Duration;
}

/** Props of a MongoReplicaSet. */
export interface MongoReplicaSetProps {
  /**
   * Name of the StatefulSet and prefix of every object. Stateful: a new name means new, empty disks.
   * @default - the construct id
   */
  readonly name?: string;
  /** @default MongoVersion.V8_0_17 */
  readonly version?: MongoVersion;
  /**
   * Data-bearing members, all voting: odd, so that a majority survives (3 tolerate one failure).
   * Growing it adds members; shrinking it removes them only with `removeMembersOnScaleDown`.
   * @default 3
   */
  readonly replicas?: number;
  /**
   * The replica set's name (`--replSet`, `replicaSet=` in connection strings). Fixed once initiated.
   * @default - the StatefulSet name
   */
  readonly replicaSetName?: string;
  /**
   * On scale-down, the primary removes members beyond `replicas` from the replica set config.
   * Off, they stay voting members that are down, and count against the majority until you
   * `rs.remove()` them (docs/mongodb.md, "Scale down").
   * @default false
   */
  readonly removeMembersOnScaleDown?: boolean;
  /**
   * Add an arbiter: a voting member without data (`<name>-arbiter`, one pod, no volume). MongoDB
   * discourages it (a warning says why): prefer 3 data members.
   * @default false
   * @see https://www.mongodb.com/docs/manual/core/replica-set-arbiter/
   */
  readonly arbiter?: boolean;
  /** Size of each member's data volume. @default Size.gibibytes(10) */
  readonly storage?: Size;
  /** @default - the cluster's default StorageClass */
  readonly storageClass?: IStorageClass;
  /** @default - 500m CPU request, 2Gi memory request and limit */
  readonly resources?: kplus.ContainerResources;
  /**
   * WiredTiger cache (`--wiredTigerCacheSizeGB`).
   * @default - 50% of (memory limit - 1 GiB), at least 0.25 GB, as MongoDB sizes it; mongod's own default without a limit
   * @see https://www.mongodb.com/docs/manual/core/wiredtiger/#memory-use
   */
  readonly wiredTigerCacheSize?: Size;
  /**
   * The root password, the keyfile and the users' passwords (keys `root-password`, `keyfile`,
   * `<user>-password`).
   * @default Credentials.generate(): a Job creates `<name>-credentials` in the cluster
   */
  readonly credentials?: Credentials;
  /** Application users. @default [{ name: 'app', database: 'app' }] */
  readonly users?: MongoUser[];
  /** Scheduled `mongodump` archives. @default - no backup */
  readonly backup?: MongoBackupOptions;
  /** @default - soft anti-affinity by hostname, soft zone spread */
  readonly placement?: PlacementProps;
  /** Create a NetworkPolicy that admits only members, bound clients and the backup. @default true */
  readonly networkPolicy?: boolean;
  /** @default 'cluster.local' */
  readonly clusterDomain?: string;
}

/** Options of `MongoReplicaSet.bind()`. */
export interface MongoBindOptions {
  /** The user the workload logs in as (one of `users`). @default - the first user */
  readonly user?: string;
}
