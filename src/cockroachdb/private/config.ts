// Internal: the checks and flag values of a CockroachCluster, as pure functions. Not re-exported.
import { Size } from 'cdk8s';
import { kibibytes } from '../../core/units';

export interface Problem {
  readonly code: string;
  readonly message: string;
}

/** SQL identifiers this library writes unquoted-safe (lower case, as CockroachDB folds them). */
export const SQL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Names CockroachDB reserves: the `root` user and the system databases. */
const RESERVED_USERS = new Set(['root', 'admin', 'public', 'node']);
const RESERVED_DATABASES = new Set(['system', 'defaultdb', 'postgres']);

export function versionProblem(version: string): Problem | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m || Number(m[1]) < 23) {
    return { code: 'CockroachVersionInvalid', message: `version '${version}' is not a CockroachDB release x.y.z of 23.1 or later; use e.g. CockroachVersion.V25_4_3` };
  }
  return undefined;
}

export function replicasProblem(replicas: number): Problem | undefined {
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 999) {
    return { code: 'CockroachReplicasInvalid', message: `replicas must be a whole number from 1 to 999, got ${replicas}; use 3 or more (ranges keep 3 replicas)` };
  }
  return undefined;
}

export interface DatabaseSpec {
  readonly name: string;
  readonly owner: string;
}

export function databasesProblem(dbs: DatabaseSpec[]): Problem | undefined {
  const seen = new Set<string>();
  for (const d of dbs) {
    for (const [what, v, reserved] of [['database', d.name, RESERVED_DATABASES], ['owner', d.owner, RESERVED_USERS]] as const) {
      if (!SQL_NAME.test(v) || reserved.has(v)) {
        return {
          code: 'CockroachDatabaseInvalid',
          message: `${what} '${v}' must be a lower-case SQL name ([a-z_][a-z0-9_]*, at most 63 characters) other than ${[...reserved].join(', ')}`,
        };
      }
    }
    if (seen.has(d.name)) return { code: 'CockroachDatabaseInvalid', message: `database '${d.name}' is listed twice; list each database once` };
    seen.add(d.name);
  }
  return undefined;
}

/**
 * `--cache` and `--max-sql-memory`: a quarter of the memory limit each (CockroachDB's production
 * guidance), as MiB; without a limit the percentages of the memory CockroachDB detects (cgroup).
 */
export function memoryFlags(limit: Size | undefined): { cache: string; maxSqlMemory: string } {
  if (!limit) return { cache: '25%', maxSqlMemory: '25%' };
  const quarter = `${Math.floor(kibibytes(limit) / 1024 / 4)}MiB`;
  return { cache: quarter, maxSqlMemory: quarter };
}

export function memoryProblem(limit: Size | undefined): Problem | undefined {
  if (limit && kibibytes(limit) < 2 * 1024 * 1024) {
    return { code: 'CockroachMemoryTooSmall', message: `the memory limit is ${Math.floor(kibibytes(limit) / 1024)}Mi; CockroachDB needs at least 2Gi per node (4Gi or more in production)` };
  }
  return undefined;
}

/** The join list: the first (up to) five members' stable names; more join through them. */
export function joinList(ordinals: number[], host: (ordinal: number) => string, port: number): string {
  return ordinals.slice(0, 5).map((o) => `${host(o)}:${port}`).join(',');
}
