// Internal: the checks of PostgresCluster.bind(), before it writes anything. Not re-exported.
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { DatabaseSpec } from './replication';
import { ValidationError } from '../../core/errors';
import { PostgresBindOptions } from '../postgres-cluster-props';

/** The env vars bind() sets; a container that has any of them is bound already. */
export const BIND_ENV = ['PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'PGSSLMODE', 'PGSSLROOTCERT'];

export interface BindCheckInput {
  readonly databases: DatabaseSpec[];
  /** The cluster's namespace. */
  readonly namespace?: string;
  readonly secretName: string;
  /** The cluster Secret's key for a construct key (Credentials.key). */
  readonly passwordKey: (key: string) => string;
  /** Whether the cluster has a pooler. */
  readonly pooled: boolean;
  /** The role a bind logs in as (throws for an unknown user). */
  readonly loginFor: (db: DatabaseSpec, user: string | undefined) => { owner: string; passwordKey: string };
}

export interface BindTarget {
  readonly db: DatabaseSpec;
  readonly login: { owner: string; passwordKey: string };
  /** Whether the workload is in another namespace than the cluster. */
  readonly remote: boolean;
  /** The workload's namespace. */
  readonly there?: string;
}

/** Throws a ValidationError for a bind that cannot work; returns what bind() writes from. */
export function checkBind(scope: IConstruct, workload: kplus.Workload, options: PostgresBindOptions, i: BindCheckInput): BindTarget {
  const db = options.database === undefined ? i.databases[0] : i.databases.find((d) => d.name === options.database);
  if (!db) {
    throw new ValidationError('PostgresBindDatabaseUnknown',
      `bind: database '${options.database}' is not one of this cluster's databases (${i.databases.map((d) => d.name).join(', ')}); add it to 'databases'`, scope);
  }
  if (!workload.containers.length) {
    throw new ValidationError('PostgresBindNoContainers', `bind: workload '${workload.node.path}' has no containers yet; add them before calling bind()`, scope);
  }
  for (const c of workload.containers) {
    const set = BIND_ENV.filter((k) => k in c.env.variables);
    if (set.length) {
      throw new ValidationError('PostgresBindTwice',
        `bind: container '${c.name}' of '${workload.node.path}' already sets ${set.join(', ')} (bound twice, or to another database); `
        + 'bind a workload once, and for a second database set your own variables from db.connection', scope);
    }
  }
  const here = i.namespace;
  const there = workload.metadata.namespace;
  if ((here === undefined) !== (there === undefined)) {
    throw new ValidationError('PostgresBindNamespaceUnknown',
      `bind: '${workload.node.path}' is in namespace ${there ? `'${there}'` : '(none set)'} and the cluster in ${here ? `'${here}'` : '(none set)'}; `
      + 'set the namespace on both charts (or on neither), so the host name and the NetworkPolicy peer can name the right namespace', scope);
  }
  const login = i.loginFor(db, options.user);
  const remote = here !== there;
  const creds = options.credentials;
  if (creds?.isGenerated) {
    throw new ValidationError('PostgresBindCredentialsGenerated',
      "bind: 'credentials' must name an existing Secret in the workload's namespace (Credentials.fromSecret), not Credentials.generate()", scope);
  }
  if (remote && !creds) {
    throw new ValidationError('PostgresBindCrossNamespace',
      `bind: '${workload.node.path}' is in namespace '${there}', but the Secret '${i.secretName}' is in '${here}' and pods read Secrets of their own namespace only; `
      + `copy the '${i.passwordKey(login.passwordKey)}' password into a Secret in '${there}' and pass `
      + `{ credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(scope, 'DbPassword', '<secret>'), { '${login.passwordKey}': '<key>' }) }`, scope);
  }
  if (options.pooled && !i.pooled) {
    throw new ValidationError('PostgresBindNotPooled', "bind: { pooled: true } needs a pool; set the cluster's 'pooler' prop (e.g. pooler: {})", scope);
  }
  return { db, login, remote, there };
}
