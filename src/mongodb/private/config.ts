// Internal: the checks of a replica set's props and the files its scripts read, as pure
// functions. Not re-exported from index.ts.
import { Size } from 'cdk8s';
import { isConfigKey } from '../../core/api-rules';
import { kibibytes } from '../../core/units';

/** A replica set has at most 7 voting members (MongoDB "Replica Set Members"); every member this construct adds votes. */
export const MAX_VOTING_MEMBERS = 7;
/** The user the bootstrap creates with the `root` role (through the localhost exception). */
export const ROOT_USER = 'root';
/** Secret keys: the root password and the shared keyfile of internal authentication. */
export const ROOT_PASSWORD_KEY = 'root-password';
export const KEYFILE_KEY = 'keyfile';
/** Databases MongoDB reserves for itself. */
const RESERVED_DATABASES = ['admin', 'local', 'config'];

export interface Problem {
  readonly code: string;
  readonly message: string;
}

/** An application user as the bootstrap creates it: in `admin`, with roles on its database. */
export interface UserSpec {
  readonly name: string;
  readonly database: string;
  readonly roles: string[];
  readonly passwordKey: string;
}

/** A release of the 7.0 or 8.0 line (the image tag). */
export function versionProblem(version: string): Problem | undefined {
  if (!/^(7|8)\.0\.\d+$/.test(version)) {
    return { code: 'MongoVersionInvalid', message: `version '${version}' is not a MongoDB 7.0.x or 8.0.x release (the image tag, e.g. '8.0.17')` };
  }
  return undefined;
}

/** Data-bearing members plus the optional arbiter: 1..7 voting members, and 2 data members at least beside an arbiter. */
export function membersProblem(replicas: number, arbiter: boolean = false): Problem | undefined {
  const max = MAX_VOTING_MEMBERS - (arbiter ? 1 : 0);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > max) {
    return {
      code: 'MongoReplicasInvalid',
      message: `replicas must be a whole number from 1 to ${max}${arbiter ? ' beside an arbiter' : ''} ` +
        `(a replica set has at most ${MAX_VOTING_MEMBERS} voting members), got ${replicas}: use 3 or 5`,
    };
  }
  if (arbiter && replicas < 2) {
    return { code: 'MongoArbiterNeedsMembers', message: `an arbiter breaks ties between data members and needs at least 2 of them, got replicas ${replicas}` };
  }
  return undefined;
}

/** The replica set name: letters, digits, '_' and '-' (it goes into URIs and the set's config). */
export function replicaSetNameProblem(name: string): Problem | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    return { code: 'MongoReplicaSetNameInvalid', message: `replicaSetName '${name}' must be 1 to 64 letters, digits, '_' or '-'` };
  }
  return undefined;
}

/**
 * The WiredTiger cache MongoDB would pick from the memory limit: the larger of 50% of (RAM - 1 GB)
 * and 0.25 GB ("WiredTiger Storage Engine", Memory Use). Set explicitly because mongod may read the
 * host's RAM rather than the container's limit; rounded down to 0.01 GB.
 */
export function defaultCacheGb(memoryLimit: Size | undefined): number | undefined {
  if (!memoryLimit) return undefined;
  const gb = kibibytes(memoryLimit) / 1024 / 1024;
  return Math.max(0.25, Math.floor(50 * (gb - 1)) / 100);
}

export function cacheProblem(cacheGb: number | undefined, limitGb: number | undefined): Problem | undefined {
  if (cacheGb === undefined) return undefined;
  if (!(cacheGb >= 0.25)) {
    return { code: 'MongoCacheSizeInvalid', message: `wiredTigerCacheSize ${cacheGb}GB is below MongoDB's minimum of 0.25GB; give at least Size.mebibytes(256)` };
  }
  if (limitGb !== undefined && cacheGb >= limitGb * 0.8) {
    return {
      code: 'MongoCacheSizeInvalid',
      message: `wiredTigerCacheSize ${cacheGb}GB leaves too little of the ${limitGb}GB memory limit for connections, indexes being built and the filesystem cache, ` +
        'and the container is OOM-killed; leave it out (half of the limit minus 1GB) or keep it below 80% of the limit',
    };
  }
  return undefined;
}

/** Application users: valid names and databases, each user once, none reserved. */
export function userSpecs(users: Array<{ readonly name: string; readonly database: string; readonly roles?: string[] }>): UserSpec[] | Problem {
  const out: UserSpec[] = [];
  for (const u of users) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/.test(u.name) || u.name === ROOT_USER || !isConfigKey(`${u.name}-password`)) {
      return {
        code: 'MongoUserInvalid',
        message: `user name '${u.name}' must be 1 to 63 letters, digits, '_', '.' or '-' (not '${ROOT_USER}', which the replica set creates itself)`,
      };
    }
    if (!/^[A-Za-z0-9_-]{1,63}$/.test(u.database) || RESERVED_DATABASES.includes(u.database)) {
      return {
        code: 'MongoUserInvalid',
        message: `database '${u.database}' of user '${u.name}' must be 1 to 63 letters, digits, '_' or '-' and not ${RESERVED_DATABASES.join('/')}`,
      };
    }
    if (out.some((x) => x.name === u.name)) return { code: 'MongoUserInvalid', message: `user '${u.name}' is listed twice; list each user once` };
    const roles = u.roles ?? ['readWrite'];
    if (!roles.length) return { code: 'MongoUserInvalid', message: `user '${u.name}' has no roles; give at least one, e.g. MongoRole.READ_WRITE` };
    out.push({ name: u.name, database: u.database, roles: [...roles], passwordKey: `${u.name}-password` });
  }
  return out;
}

/** The users file of assets/reconcile.js: `<user> <database> <role,role> <password file>` per line. */
export function usersFile(users: UserSpec[], passwordFile: (key: string) => string): string {
  return users.map((u) => `${u.name} ${u.database} ${u.roles.join(',')} ${passwordFile(u.passwordKey)}\n`).join('');
}

/** The members file of assets/reconcile.js: one ordinal per line. */
export function membersFile(ordinals: number[]): string {
  return ordinals.map((o) => `${o}\n`).join('');
}

/** `mongodb://<hosts>/<database>?replicaSet=<name>&authSource=admin` (credentials, when given, before the hosts). */
export function connectionString(hosts: string[], replicaSet: string, database: string, credentials?: string): string {
  return `mongodb://${credentials ? `${credentials}@` : ''}${hosts.join(',')}/${database}?replicaSet=${replicaSet}&authSource=admin`;
}

/**
 * mongosh's global configuration (/etc/mongosh.conf on Linux): the probe and the bootstrap run
 * mongosh every few seconds, and by default each run writes a log file under $HOME/.mongodb
 * (kept 30 days: gigabytes of emptyDir) and sends telemetry. Both off.
 * @see https://www.mongodb.com/docs/mongodb-shell/reference/configure-shell-settings-global/
 */
export function mongoshConf(): string {
  return ['mongosh:', '  disableLogging: true', '  enableTelemetry: false', '  forceDisableTelemetry: true', ''].join('\n');
}
