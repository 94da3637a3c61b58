// Internal: pgbouncer.ini of the pooler (one per target Service), pure. Settings as PgBouncer
// 1.18+ reads them (https://www.pgbouncer.org/config.html); the runtime test runs Debian's 1.18
// with this text.

/** What one PgBouncer process serves. */
export interface PgBouncerIni {
  /** The database Service it forwards to (short name: same namespace). */
  readonly host: string;
  readonly port: number;
  readonly listenPort: number;
  /** The pooled databases. */
  readonly databases: string[];
  /** 'session' or 'transaction'. */
  readonly poolMode: string;
  readonly maxClientConnections: number;
  readonly defaultPoolSize: number;
  /** libpq sslmode towards the server. */
  readonly serverSslMode: string;
  /** The auth_file (holds the auth_user's password only; written at start from the Secret). */
  readonly authFile: string;
  readonly authUser: string;
}

/** The ini text. No password: clients are checked with auth_query, the auth_user's is in auth_file. */
export function pgbouncerIni(c: PgBouncerIni): string {
  const settings: Array<[string, string]> = [
    ['listen_addr', '*'],
    ['listen_port', `${c.listenPort}`],
    // No Unix socket: the root filesystem is read-only and nothing in the pod uses one.
    ['unix_socket_dir', ''],
    // Logs to stderr only (no logfile, no syslog).
    ['logfile', ''],
    ['pidfile', ''],
    ['auth_type', 'scram-sha-256'],
    ['auth_file', c.authFile],
    ['auth_user', c.authUser],
    // The SECURITY DEFINER function the reconcile Job creates in each pooled database; PgBouncer
    // runs it in the database the client asks for (no auth_dbname: that needs 1.20+).
    ['auth_query', 'SELECT username, password FROM pgbouncer.get_auth($1)'],
    ['pool_mode', c.poolMode],
    ['max_client_conn', `${c.maxClientConnections}`],
    ['default_pool_size', `${c.defaultPoolSize}`],
    ['server_tls_sslmode', c.serverSslMode],
    // Set by JDBC and some ORMs at connect; PgBouncer would refuse the login otherwise.
    ['ignore_startup_parameters', 'extra_float_digits'],
  ];
  return [
    '[databases]',
    ...c.databases.map((d) => `${d} = host=${c.host} port=${c.port} dbname=${d}`),
    '',
    '[pgbouncer]',
    ...settings.map(([k, v]) => `${k} = ${v}`),
  ].map((l) => `${l}\n`).join('');
}
