import { Size } from 'cdk8s';
import { IStorageClass } from '../core/workload/volumes';

/** The defragmentation CronJob of an EtcdCluster. */
export interface EtcdDefragOptions {
  /** Create the CronJob. @default true */
  readonly enabled?: boolean;
  /** Cron schedule (weekly by default: defragmentation blocks each member for a moment). @default '30 3 * * 0' */
  readonly schedule?: string;
  /** IANA time zone of the schedule. @default - the kube-controller-manager's */
  readonly timeZone?: string;
}

/** Snapshots on a schedule (`Maintenance.Snapshot`, as `etcdctl snapshot save`) to a claim of their own. */
export interface EtcdBackupOptions {
  /** Size of the backup volume: `keep` snapshots of up to the backend quota each. */
  readonly size: Size;
  /** @default - the cluster's default class */
  readonly storageClass?: IStorageClass;
  /** Cron schedule. @default '0 2 * * *' */
  readonly schedule?: string;
  /** IANA time zone of the schedule. @default - the kube-controller-manager's */
  readonly timeZone?: string;
  /** Snapshot files kept (the newest). @default 7 */
  readonly keep?: number;
}
