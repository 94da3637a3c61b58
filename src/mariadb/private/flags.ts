// Pure tables of the mariadbd flags MariaDBCluster sets (unit-tested in test/mariadb/private/flags.test.ts).

const MIB = 1024 * 1024;

/** Inputs of the server flags every pod gets. */
export interface ServerFlagsInput {
  readonly port: number;
  /** `innodb_buffer_pool_size` in bytes. */
  readonly bufferPoolBytes: number;
  /** `binlog_expire_logs_seconds`. */
  readonly binlogExpireSeconds: number;
  /** Extra `--name=value` settings given by the user, after ours. */
  readonly parameters: { [name: string]: string };
}

/**
 * Flags of every pod (the start script adds `--server-id` and, on replicas, `--read-only`).
 * User `parameters` come last (mariadbd takes the last value of a repeated option).
 * Binary log with stable names (`--log-basename`, not the host name: a replica cloned from the
 * primary must not inherit its file names), row format, GTID strict mode, and
 * `log_slave_updates`, so a replica holds the full binary log history and can be promoted.
 * @see https://mariadb.com/kb/en/gtid/#setting-up-a-new-replica-from-a-backup
 */
export function serverFlags(i: ServerFlagsInput): string[] {
  const ours: [string, string][] = [
    ['port', `${i.port}`],
    ['log-basename', 'mariadb'],
    ['log-bin', 'mariadb-bin'],
    ['binlog-format', 'ROW'],
    ['log-slave-updates', 'ON'],
    ['gtid-strict-mode', 'ON'],
    // fsync the binary log at each commit (MariaDB's default is 0): after a power loss InnoDB
    // and the binary log agree, so no committed transaction is missing from what replicas read.
    ['sync-binlog', '1'],
    ['binlog-expire-logs-seconds', `${i.binlogExpireSeconds}`],
    ['innodb-buffer-pool-size', `${i.bufferPoolBytes}`],
    ['skip-name-resolve', 'ON'],
  ];
  const user = Object.entries(i.parameters);
  return [...ours, ...user].map(([k, v]) => `--${k}=${v}`);
}

/** Settings the cluster manages: `parameters` may not set them (the replication depends on them). */
export const MANAGED = new Set([
  'port', 'server-id', 'read-only', 'log-basename', 'log-bin', 'binlog-format', 'log-slave-updates', 'gtid-strict-mode',
  'datadir', 'socket', 'bind-address', 'skip-networking', 'gtid-domain-id',
]);

/** A parameter name as mariadbd spells it on the command line ('_' and '-' are the same). */
export function normalizeParameter(name: string): string {
  return name.replace(/_/g, '-');
}

/**
 * The default InnoDB buffer pool: half the memory limit in whole MiB (the rest is connections,
 * sort buffers and the binary log cache), at least 128 MiB (MariaDB's own default).
 */
export function defaultBufferPoolBytes(memoryLimitBytes: number | undefined): number {
  if (memoryLimitBytes === undefined) return 128 * MIB;
  return Math.max(128 * MIB, Math.floor(memoryLimitBytes / 2 / MIB) * MIB);
}
