// Internal: the application databases and their owners, checked, and the list file the bootstrap
// scripts read (assets/databases.sh).
import { IConstruct } from 'constructs';
import { DatabaseSpec, REPLICATION_USER, RoleSpec, SUPERUSER } from './replication';
import { ValidationError } from '../../core/errors';

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
/** Roles the images create or use themselves (Spilo's post_init.sh, the superuser, replication). */
export const RESERVED_ROLES = new Set([SUPERUSER, REPLICATION_USER, 'standby', 'admin', 'zalandos', 'robot_zmon', 'cron_admin', 'superuser', 'replication',
  // The monitoring role (private/monitoring.ts).
  'metrics_exporter']);

/** Checks the `databases` prop; each owner logs in with the key `<owner>-password`. */
export function databaseSpecs(scope: IConstruct, dbs: Array<{ readonly name: string; readonly owner?: string }>): DatabaseSpec[] {
  if (!dbs.length) throw new ValidationError('PostgresDatabasesEmpty', "databases is empty; give at least one, e.g. [{ name: 'app' }]", scope);
  const out: DatabaseSpec[] = [];
  for (const d of dbs) {
    const owner = d.owner ?? d.name;
    if (!IDENT.test(d.name) || ['postgres', 'template0', 'template1'].includes(d.name)) {
      throw new ValidationError('PostgresDatabaseNameInvalid',
        `database name '${d.name}' is invalid or reserved; use lower-case letters, digits and '_' (e.g. 'orders'), not postgres/template0/template1`, scope);
    }
    if (!IDENT.test(owner)) {
      throw new ValidationError('PostgresOwnerInvalid', `owner '${owner}' of database '${d.name}' is not a valid role name; use lower-case letters, digits and '_'`, scope);
    }
    if (owner.startsWith('pg_')) {
      throw new ValidationError('PostgresOwnerReserved',
        `owner '${owner}' of database '${d.name}' starts with 'pg_', which PostgreSQL reserves for its own roles (CREATE ROLE fails); choose another owner, e.g. '${d.name.replace(/^pg_/, '') || 'app'}_owner'`, scope);
    }
    if (RESERVED_ROLES.has(owner)) {
      throw new ValidationError('PostgresOwnerReserved',
        `owner '${owner}' of database '${d.name}' is a role the cluster uses itself; choose another owner, e.g. '${d.name}_owner'`, scope);
    }
    if (out.some((x) => x.name === d.name)) throw new ValidationError('PostgresDatabaseDuplicate', `database '${d.name}' is listed twice; list it once`, scope);
    out.push({ name: d.name, owner, passwordKey: `${owner}-password` });
  }
  return out;
}

/**
 * The list file of assets/databases.sh: `roles` first, then each owner once (with the password
 * file `passwordFile(key)`), then the databases, in the order given.
 */
export function databaseList(dbs: DatabaseSpec[], passwordFile: (key: string) => string, roles: RoleSpec[] = []): string {
  const owners = [...new Map(dbs.map((d) => [d.owner, d.passwordKey])).entries()];
  return [
    ...roles.map((r) => `role ${r.name} ${r.passwordFile}${r.attributes ? ` ${r.attributes}` : ''}`),
    ...owners.map(([owner, key]) => `role ${owner} ${passwordFile(key)}`),
    ...dbs.map((d) => `database ${d.name} ${d.owner}`),
  ].map((l) => `${l}\n`).join('');
}
