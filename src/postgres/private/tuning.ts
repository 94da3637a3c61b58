// Internal: postgresql.conf settings derived from the container's resources.
//
// Formulas follow PGTune (github.com/le0pard/pgtune, src/features/configuration/configurationSlice.js,
// profile "web application") and the PostgreSQL documentation (runtime-config-resource.html,
// runtime-config-query.html, runtime-config-wal.html):
//   shared_buffers         = 25% of memory            (docs: "a reasonable starting value … is 25%")
//   effective_cache_size   = 75% of memory            (PGTune)
//   maintenance_work_mem   = memory / 16, ≤ 2 GiB     (PGTune)
//   max_connections        = memory MiB / 32, clamped to 100..500  (≈ Spilo's 1 per 30 MB, min 100)
//   work_mem               = (memory − shared_buffers) / (max_connections × 3) / parallel workers per gather,
//                            ≥ 64 kB (PostgreSQL's minimum)
//   wal_buffers            = shared_buffers / 32, 64 kB..16 MiB (the docs' rule for wal_buffers = -1, made explicit)
//   max_worker_processes   = max(8, CPUs)             (PGTune; 8 is PostgreSQL's default)
//   max_parallel_workers   = CPUs
//   max_parallel_workers_per_gather, max_parallel_maintenance_workers = min(4, ceil(CPUs / 2))
//   max_wal_size           = WAL budget / 4, 64 MiB..4 GiB; min_wal_size = max_wal_size / 4, ≥ 32 MiB (PGTune: 1 GB/4 GB)
//   max_slot_wal_keep_size = WAL budget / 2 (set by the cluster; a vanished replica cannot fill the disk)
//                            where the WAL budget is the WAL volume, or a quarter of the data volume
//   random_page_cost 1.1, effective_io_concurrency 200 (PGTune, SSD/network block storage)

import { Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { ValidationError } from '../../core/errors';
import { sizeToQuantity } from '../../core/units';
import { Warnings } from '../../core/warnings';

export interface TuningInput {
  readonly memoryMiB: number;
  readonly cpus: number;
  /** The WAL volume, or a quarter of the data volume when WAL shares it. */
  readonly walDiskMiB: number;
}

export const MIN_MEMORY_MIB = 512;

export function derivedParameters(t: TuningInput): { [name: string]: string } {
  const mem = Math.floor(t.memoryMiB);
  const cpus = Math.max(1, Math.ceil(t.cpus));
  const sharedBuffers = Math.floor(mem / 4);
  const maxConnections = Math.min(500, Math.max(100, Math.floor(mem / 32)));
  const perGather = Math.min(4, Math.ceil(cpus / 2));
  const workMemKiB = Math.max(64, Math.floor(((mem - sharedBuffers) * 1024) / (maxConnections * 3) / perGather));
  const walBuffersKiB = Math.min(16 * 1024, Math.max(64, Math.floor((sharedBuffers * 1024) / 32)));
  const maxWal = Math.min(4096, Math.max(64, Math.floor(t.walDiskMiB / 4)));
  const minWal = Math.max(32, Math.floor(maxWal / 4));
  return {
    shared_buffers: `${sharedBuffers}MB`,
    effective_cache_size: `${Math.floor((mem * 3) / 4)}MB`,
    maintenance_work_mem: `${Math.min(2048, Math.floor(mem / 16))}MB`,
    work_mem: `${workMemKiB}kB`,
    wal_buffers: `${walBuffersKiB}kB`,
    max_connections: `${maxConnections}`,
    max_worker_processes: `${Math.max(8, cpus)}`,
    max_parallel_workers: `${cpus}`,
    max_parallel_workers_per_gather: `${perGather}`,
    max_parallel_maintenance_workers: `${perGather}`,
    min_wal_size: `${minWal}MB`,
    max_wal_size: `${maxWal}MB`,
    random_page_cost: '1.1',
    effective_io_concurrency: '200',
  };
}

/**
 * Parameters Patroni sets itself (patroni/postgresql/config.py, ConfigHandler.CMDLINE_OPTIONS
 * with `_false_validator`, and its recovery parameters) → where the setting belongs instead.
 */
export const PATRONI_MANAGED: { [name: string]: string } = {
  listen_addresses: 'Patroni sets it from postgresql.listen (all addresses, port 5432)',
  port: 'Patroni sets it from postgresql.listen; the port is fixed at 5432',
  cluster_name: "Patroni sets it to the scope (the cluster's name)",
  hot_standby: "Patroni always runs replicas with hot_standby 'on'",
  synchronous_standby_names: "Patroni manages it; use the 'synchronous' prop",
  primary_conninfo: 'Patroni writes it when it starts a replica',
  primary_slot_name: 'Patroni manages replication slots (use_slots)',
  restore_command: 'Patroni manages recovery settings',
  recovery_target: 'Patroni manages recovery settings; restore into a new cluster instead',
  recovery_target_lsn: 'Patroni manages recovery settings; restore into a new cluster instead',
  recovery_target_name: 'Patroni manages recovery settings; restore into a new cluster instead',
  recovery_target_time: 'Patroni manages recovery settings; restore into a new cluster instead',
  recovery_target_xid: 'Patroni manages recovery settings; restore into a new cluster instead',
  recovery_target_timeline: 'Patroni manages recovery settings',
  recovery_target_action: 'Patroni manages recovery settings',
  promote_trigger_file: 'Patroni promotes replicas itself',
  data_directory: "the data directory is on the data volume; size it with 'storage'",
  config_file: 'Patroni writes postgresql.conf',
  hba_file: 'the construct writes pg_hba through Patroni',
  ident_file: 'Patroni writes pg_ident.conf',
};

/**
 * Parameters that must be equal on all members: Patroni takes them only from the DCS
 * (docs/patroni_configuration.rst, "PostgreSQL parameters controlled by Patroni"). They go to
 * bootstrap.dcs and therefore apply when the cluster is created; later changes need
 * `patronictl edit-config`.
 */
export const DCS_ONLY = new Set([
  'max_connections', 'max_locks_per_transaction', 'max_worker_processes', 'max_prepared_transactions',
  'wal_level', 'track_commit_timestamp', 'max_wal_senders', 'max_replication_slots', 'wal_keep_segments',
  'wal_keep_size', 'wal_log_hints',
]);

/** Parameters the streaming mode sets itself (command line of the official image). */
export const STREAMING_MANAGED: { [name: string]: string } = {
  listen_addresses: 'the image listens on all addresses',
  port: 'the port is fixed at 5432',
  primary_conninfo: 'the clone init container writes it (pg_basebackup -R)',
  primary_slot_name: 'each replica uses the slot replica_<ordinal> (pg_basebackup -R)',
  hba_file: 'the init script adds the replication entry to pg_hba.conf',
  data_directory: "the data directory is on the data volume; size it with 'storage'",
  config_file: 'the image writes postgresql.conf',
  synchronous_standby_names: "use the 'synchronous' prop",
};

/** A size parameter ("128MB", "1GB", "64kB", or a bare number of `unitKiB` units) in KiB. */
export function parseSizeKiB(value: string, unitKiB: number): number | undefined {
  const m = /^\s*(\d+)\s*(kB|MB|GB|TB)?\s*$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  switch (m[2]) {
    case 'kB': return n;
    case 'MB': return n * 1024;
    case 'GB': return n * 1024 * 1024;
    case 'TB': return n * 1024 * 1024 * 1024;
    default: return n * unitKiB;
  }
}

/** What the effective settings are computed from. */
export interface ParametersInput {
  readonly resources: kplus.ContainerResources;
  /** The WAL volume, or a quarter of the data volume when WAL shares it. */
  readonly walDisk: Size;
  /** The WAL volume (`storage.walSize`), when the WAL has its own. */
  readonly walVolume?: Size;
  readonly instances: number;
  /** Settings the replication mode adds (e.g. synchronous_standby_names). */
  readonly modeParameters: { [name: string]: string };
  /** Settings the replication mode sets itself → where they belong instead. */
  readonly managed: { [name: string]: string };
  /** The user's `parameters`. */
  readonly user: { [name: string]: string };
}

/**
 * The effective postgresql.conf settings: derived from the resources, then the replication
 * settings, then the user's, which are checked against what the mode manages. Throws a
 * ValidationError (scoped to `scope`) for settings PostgreSQL would refuse or die of.
 */
export function clusterParameters(scope: IConstruct, p: ParametersInput): { [name: string]: string } {
  const memory = p.resources.memory?.limit ?? p.resources.memory?.request;
  if (!memory) {
    throw new ValidationError('PostgresMemoryMissing', 'resources.memory sets neither a limit nor a request; the PostgreSQL settings are derived from it: give e.g. { limit: Size.gibibytes(2) }', scope);
  }
  const memoryMiB = memory.toMebibytes({ rounding: SizeRoundingBehavior.FLOOR });
  const cpu = p.resources.cpu?.limit ?? p.resources.cpu?.request;
  const cpus = cpu ? parseCpu(cpu.amount) : 1;
  const walDiskMiB = p.walDisk.toMebibytes({ rounding: SizeRoundingBehavior.FLOOR });
  const derived = derivedParameters({ memoryMiB, cpus, walDiskMiB });
  if (memoryMiB < MIN_MEMORY_MIB) {
    throw new ValidationError('PostgresMemoryTooSmall',
      `memory ${sizeToQuantity(memory)} is too small for PostgreSQL with the derived settings (shared_buffers ${derived.shared_buffers}, max_connections ${derived.max_connections}); give at least ${MIN_MEMORY_MIB}Mi`,
      scope,
    );
  }
  const senders = `${Math.max(10, p.instances + 2)}`;
  const base: { [k: string]: string } = {
    ...derived,
    max_wal_senders: senders,
    max_replication_slots: senders,
    // A replica that is gone for long must not fill the primary's disk with retained WAL.
    max_slot_wal_keep_size: `${Math.floor(walDiskMiB / 2)}MB`,
    ...p.modeParameters,
  };
  for (const [k, v] of Object.entries(p.user)) {
    if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(k)) {
      throw new ValidationError('PostgresParameterNameInvalid', `parameter name '${k}' is not a PostgreSQL setting name (lower-case, e.g. 'work_mem')`, scope);
    }
    const where = p.managed[k];
    if (where !== undefined) {
      throw new ValidationError('PostgresParameterManaged', `parameter '${k}' cannot be set in 'parameters': ${where}`, scope);
    }
    if (k === 'wal_level' && !['replica', 'logical'].includes(v)) {
      throw new ValidationError('PostgresWalLevelInvalid', `parameter wal_level '${v}' breaks replication; use 'replica' or 'logical'`, scope);
    }
    if ((SECRET_NAME.test(k) && !NOT_SECRET.has(k)) || SECRET_VALUE.test(v)) {
      Warnings.of(scope).add('@cdk8s-stateful/postgres:plaintextSecretParameter',
        `parameter '${k}' looks like it holds a secret in plain text; parameters are written into the StatefulSet (command line or env), `
        + 'readable by anyone who can read it: keep the secret in a Secret, mount it (cluster.workload.volumes.add(name, WorkloadVolume.fromSecret(...)) '
        + "and addMount) and point the setting at the file (e.g. 'passfile=/path' in a conninfo)");
    }
  }
  const merged = { ...base, ...p.user };
  const sb = parseSizeKiB(merged.shared_buffers, 8);
  if (sb !== undefined && sb >= memoryMiB * 1024) {
    throw new ValidationError('PostgresSharedBuffersTooLarge',
      `parameter shared_buffers ${merged.shared_buffers} is not below the memory limit ${sizeToQuantity(memory)}; PostgreSQL would be OOM-killed: use at most 40% of it`, scope);
  }
  if (p.walVolume) walVolumeCheck(scope, p.walVolume, merged, p.user);
  return merged;
}

/** Setting names that hold secrets, and conninfo-style values that carry a password. */
const SECRET_NAME = /(password|passwd|passphrase|secret|token|api_?key|credential)/i;
/** PostgreSQL settings whose names match SECRET_NAME but hold no secret. */
const NOT_SECRET = new Set(['password_encryption', 'ssl_passphrase_command_supports_reload']);
const SECRET_VALUE = /(password|passwd|pwd|sslpassword)\s*=|:\/\/[^/\s:@]*:[^/\s@]+@/i;

/**
 * The WAL volume must hold max_wal_size twice (PostgreSQL keeps up to max_wal_size between
 * checkpoints and overshoots it under load) and max_wal_size plus what the replication slots may
 * retain (max_slot_wal_keep_size); a full WAL volume stops PostgreSQL (PANIC).
 */
function walVolumeCheck(scope: IConstruct, volume: Size, merged: { [name: string]: string }, user: { [name: string]: string }): void {
  const volumeMiB = volume.toMebibytes({ rounding: SizeRoundingBehavior.FLOOR });
  const maxWalMiB = (parseSizeKiB(merged.max_wal_size, 1024) ?? 0) / 1024;
  const keepMiB = (parseSizeKiB(merged.max_slot_wal_keep_size, 1024) ?? 0) / 1024;
  const needMiB = Math.ceil(Math.max(2 * maxWalMiB, maxWalMiB + keepMiB));
  if (volumeMiB >= needMiB) return;
  const origin = (k: string) => (k in user ? 'from parameters' : 'derived');
  throw new ValidationError('PostgresWalSizeTooSmall',
    `storage.walSize ${sizeToQuantity(volume)} is too small for max_wal_size ${merged.max_wal_size} (${origin('max_wal_size')}) and `
    + `max_slot_wal_keep_size ${merged.max_slot_wal_keep_size} (${origin('max_slot_wal_keep_size')}): the WAL volume must hold twice max_wal_size `
    + `and max_wal_size plus what replication slots keep, ${needMiB}Mi; give walSize at least Size.mebibytes(${needMiB}) (the derived settings need 128Mi), `
    + "or lower max_wal_size / max_slot_wal_keep_size in 'parameters'", scope);
}

/** A cdk8s-plus `Cpu.amount` ('500m', '2', '1.5') in cores. */
export function parseCpu(amount: string): number {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(amount);
  if (!m) return 1;
  return m[2] ? Number(m[1]) / 1000 : Number(m[1]);
}
