import { Duration } from 'cdk8s';

/**
 * What a user may do in one database. Each level includes the ones before it: a user granted
 * SELECT can also connect and see the schema.
 */
export enum PostgresPrivilege {
  /** `GRANT CONNECT ON DATABASE`. */
  CONNECT = 'CONNECT',
  /** CONNECT, plus `GRANT USAGE ON SCHEMA` (see the objects, use none). */
  USAGE = 'USAGE',
  /**
   * USAGE, plus `GRANT SELECT ON ALL TABLES IN SCHEMA` and the same default privilege for the
   * tables the database owner creates later (read-only).
   */
  SELECT = 'SELECT',
  /**
   * `GRANT ALL` on the database, the schema, its tables and sequences, and the same default
   * privileges for the owner's future tables and sequences (read-write, may create objects).
   */
  ALL = 'ALL',
}

/** A user's privileges in one database. */
export interface PostgresGrant {
  /** The database: one of the cluster's `databases`. */
  readonly database: string;
  /** The privilege level. */
  readonly privilege: PostgresPrivilege;
  /** Schemas the grant covers (created, owned by the database owner, if missing). @default ['public'] */
  readonly schemas?: string[];
}

/**
 * A login role managed by the reconcile Job. Its password is the key `<name>-password` of the
 * cluster's credentials Secret (generated with the others, or in your Secret).
 */
export interface PostgresUser {
  /** Role name (lower-case letters, digits and '_', starting with a letter or '_'). */
  readonly name: string;
  /** Its privileges, per database. @default - none (the user can log in to no database) */
  readonly grants?: PostgresGrant[];
}

/** How the reconcile Job runs. */
export interface PostgresReconcileOptions {
  /**
   * Re-apply the spec on a schedule as well (a CronJob): picks up a password rotated in the
   * Secret (by External Secrets, your vault) without a new deploy. Five-field cron.
   * @default - only when the spec changes (a new Job)
   */
  readonly resyncSchedule?: string;
  /**
   * Drop roles this cluster's reconcile created earlier (they carry its marker comment) that are
   * no longer listed in `users` or as database owners. Their objects are reassigned to the
   * superuser first; a role that owns a database is kept. Databases are never dropped.
   * @default false
   */
  readonly dropUnlistedUsers?: boolean;
  /** Delete a finished reconcile Job after this long (`ttlSecondsAfterFinished`). @default Duration.hours(24) */
  readonly ttlAfterFinished?: Duration;
}
