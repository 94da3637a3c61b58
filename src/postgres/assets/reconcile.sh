#!/bin/bash
# Converges the cluster's roles, databases and grants on the spec in $SPEC; run by the reconcile
# Job (and the optional re-sync CronJob) as the superuser against the read-write Service
# (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE come from the pod env). Re-runnable: a second run
# with the same spec and Secret changes nothing (no catalog row is rewritten).
#
# $SPEC, one entry a line (written by the construct; every name is checked there against
# /^[a-z_][a-z0-9_]*$/ and still goes through format('%I') / '%L' here, never spliced into SQL):
#   role <name> <password file> <database to test the password against>
#   database <name> <owner>
#   grant <role> <database> <CONNECT|USAGE|SELECT|ALL> <schema>
#   authfunc <database>       the SECURITY DEFINER lookup PgBouncer's auth_query calls
# $MARKER: the COMMENT ON ROLE written on every role this spec manages. With DROP_UNLISTED=true,
# roles carrying the marker but no longer listed are dropped (their objects reassigned to the
# superuser first: REASSIGN OWNED + DROP OWNED in every database, the PostgreSQL manual's
# "Dropping Roles" recipe); roles that own a database are never dropped. Databases never are.
#
# Passwords: read from the mounted Secret file by psql itself (`\set pw `cat :'file'``), never on
# a command line. A role's password is changed only when logging in with the file's password
# fails, so an unchanged Secret leaves pg_authid alone and a rotated one reaches the database.
# The ALTER ROLE runs with statement logging off, so the password does not reach the server log.
set -euo pipefail

: "${SPEC:?}" "${MARKER:?}"
WAIT_SECONDS="${WAIT_SECONDS:-600}"

sql() { # database, then psql -v assignments; the SQL on stdin
  local db="$1"
  shift
  psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"
}

# The Job may start before the server accepts connections (a new cluster still bootstrapping).
waited=0
until psql -X -q -d postgres -c 'SELECT 1' >/dev/null 2>&1; do
  if [ "$waited" -ge "$WAIT_SECONDS" ]; then
    echo "reconcile: PostgreSQL at ${PGHOST:-local}:${PGPORT:-5432} not reachable after ${WAIT_SECONDS}s" >&2
    psql -X -q -d postgres -c 'SELECT 1' >/dev/null
    exit 1
  fi
  sleep 5
  waited=$((waited + 5))
done

changed=0
note() { echo "reconcile: $*"; changed=$((changed + 1)); }

# Roles first (owners must exist before their databases), then databases, then grants.
roles=()
while read -r kind name file checkdb; do
  [ "$kind" = role ] || continue
  roles+=("$name")
  [ -r "$file" ] || { echo "reconcile: password file $file of role $name is missing" >&2; exit 1; }
  exists="$(sql postgres -At -v role="$name" <<'SQL'
SELECT count(*) FROM pg_catalog.pg_roles WHERE rolname = :'role';
SQL
)"
  if [ "$exists" = 0 ]; then
    sql postgres -v role="$name" -v file="$file" -v marker="$MARKER" <<'SQL'
\set pw `cat :'file'`
SET log_statement = 'none';
SET log_min_duration_statement = -1;
SET log_min_error_statement = 'panic';
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'role', :'pw')\gexec
SELECT format('COMMENT ON ROLE %I IS %L', :'role', :'marker')\gexec
SQL
    note "created role $name"
    continue
  fi
  sql postgres -v role="$name" -v marker="$MARKER" <<'SQL'
SELECT format('COMMENT ON ROLE %I IS %L', :'role', :'marker')
 WHERE pg_catalog.shobj_description((SELECT oid FROM pg_catalog.pg_roles WHERE rolname = :'role'), 'pg_authid') IS DISTINCT FROM :'marker'\gexec
SQL
  # The password in the Secret still logs in: nothing to change.
  if PGUSER="$name" PGPASSWORD="$(cat "$file")" psql -X -q -d "$checkdb" -c 'SELECT 1' >/dev/null 2>&1; then
    continue
  fi
  sql postgres -v role="$name" -v file="$file" <<'SQL'
\set pw `cat :'file'`
SET log_statement = 'none';
SET log_min_duration_statement = -1;
SET log_min_error_statement = 'panic';
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'role', :'pw')\gexec
SQL
  note "set the password of role $name from the Secret"
done <<<"$SPEC"

while read -r kind name owner _; do
  [ "$kind" = database ] || continue
  exists="$(sql postgres -At -v db="$name" <<'SQL'
SELECT count(*) FROM pg_catalog.pg_database WHERE datname = :'db';
SQL
)"
  if [ "$exists" = 0 ]; then
    sql postgres -v db="$name" -v owner="$owner" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner')\gexec
SQL
    note "created database $name owned by $owner"
  fi
done <<<"$SPEC"

# GRANT of a privilege already held leaves the ACL as it is. Default privileges are set for the
# database owner's future tables and sequences (those are what the application creates).
while read -r kind role db priv schema; do
  [ "$kind" = grant ] || continue
  sql "$db" -v role="$role" -v db="$db" -v priv="$priv" -v schema="$schema" <<'SQL'
SELECT pg_catalog.pg_get_userbyid(datdba) AS owner FROM pg_catalog.pg_database WHERE datname = :'db' \gset
SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', :'schema', :'owner')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = :'schema')\gexec
SELECT format('GRANT %s ON DATABASE %I TO %I', CASE :'priv' WHEN 'ALL' THEN 'ALL' ELSE 'CONNECT' END, :'db', :'role')\gexec
SELECT format('GRANT %s ON SCHEMA %I TO %I', CASE :'priv' WHEN 'ALL' THEN 'ALL' ELSE 'USAGE' END, :'schema', :'role')
 WHERE :'priv' <> 'CONNECT'\gexec
-- Per object, only where a privilege is missing and the role is not the owner: GRANT ... ON ALL
-- TABLES would also write an ACL on the role's own tables, a catalog change on every run.
SELECT format('GRANT %s ON %s %I.%I TO %I', v.p, CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, n.nspname, c.relname, :'role')
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN (VALUES ('SELECT', 'rpvmf', 'SELECT', 'SELECT'),
               ('ALL', 'rpvmf', 'ALL', 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER'),
               ('ALL', 'S', 'ALL', 'USAGE,SELECT,UPDATE')) AS v(lvl, kinds, p, needed)
    ON v.lvl = :'priv' AND strpos(v.kinds, c.relkind::text) > 0
 WHERE n.nspname = :'schema'
   AND c.relowner <> (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = :'role')
   AND NOT (SELECT bool_and(CASE c.relkind WHEN 'S' THEN pg_catalog.has_sequence_privilege(:'role', c.oid, x)
                                           ELSE pg_catalog.has_table_privilege(:'role', c.oid, x) END)
              FROM unnest(string_to_array(v.needed, ',')) AS x)
 ORDER BY c.relname\gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT %s ON %s TO %I', :'owner', :'schema', p, o, :'role')
  FROM (VALUES ('SELECT', 'TABLES', 'SELECT'), ('ALL', 'TABLES', 'ALL'), ('ALL', 'SEQUENCES', 'ALL')) AS v(lvl, o, p)
 WHERE lvl = :'priv' AND :'owner' <> :'role'\gexec
SQL
done <<<"$SPEC"

# PgBouncer's auth_query recipe (https://www.pgbouncer.org/config.html#auth_query): a SECURITY
# DEFINER function owned by the superuser returns a login role's password hash to the auth_user
# only. Superusers and replication roles are never returned, so they cannot log in through the
# pooler; search_path is pinned so the function cannot be hijacked by objects in other schemas.
while read -r kind db _; do
  [ "$kind" = authfunc ] || continue
  sql "$db" <<'SQL'
SELECT 'CREATE SCHEMA pgbouncer' WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = 'pgbouncer')\gexec
SELECT 'GRANT USAGE ON SCHEMA pgbouncer TO pgbouncer'
 WHERE NOT pg_catalog.has_schema_privilege('pgbouncer', 'pgbouncer', 'USAGE')\gexec
SELECT $def$CREATE FUNCTION pgbouncer.get_auth(p_usename text)
  RETURNS TABLE (username text, password text)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $body$
  SELECT rolname::text, rolpassword::text FROM pg_catalog.pg_authid
   WHERE rolname = p_usename AND rolcanlogin AND NOT rolsuper AND NOT rolreplication AND rolname <> 'pgbouncer'
$body$
$def$
 WHERE pg_catalog.to_regprocedure('pgbouncer.get_auth(text)') IS NULL\gexec
SELECT 'REVOKE ALL ON FUNCTION pgbouncer.get_auth(text) FROM PUBLIC'
 WHERE pg_catalog.has_function_privilege('public', 'pgbouncer.get_auth(text)', 'EXECUTE')\gexec
SELECT 'GRANT EXECUTE ON FUNCTION pgbouncer.get_auth(text) TO pgbouncer'
 WHERE NOT pg_catalog.has_function_privilege('pgbouncer', 'pgbouncer.get_auth(text)', 'EXECUTE')\gexec
SQL
done <<<"$SPEC"

if [ "${DROP_UNLISTED:-false}" = true ]; then
  listed="$(printf '%s\n' "${roles[@]}")"
  stale="$(sql postgres -At -v marker="$MARKER" -v listed="$listed" <<'SQL'
SELECT r.rolname FROM pg_catalog.pg_roles r
 WHERE pg_catalog.shobj_description(r.oid, 'pg_authid') = :'marker'
   AND r.rolname <> ALL (pg_catalog.string_to_array(:'listed', E'\n'))
   AND NOT EXISTS (SELECT FROM pg_catalog.pg_database d WHERE d.datdba = r.oid)
 ORDER BY 1;
SQL
)"
  dbs="$(sql postgres -At <<'SQL'
SELECT datname FROM pg_catalog.pg_database WHERE datallowconn ORDER BY 1;
SQL
)"
  for role in $stale; do
    for db in $dbs; do
      sql "$db" -v role="$role" <<'SQL'
SELECT format('REASSIGN OWNED BY %I TO CURRENT_USER', :'role')\gexec
SELECT format('DROP OWNED BY %I', :'role')\gexec
SQL
    done
    sql postgres -v role="$role" <<'SQL'
SELECT format('DROP ROLE %I', :'role')\gexec
SQL
    note "dropped role $role (no longer listed; its objects now belong to $PGUSER)"
  done
fi

echo "reconcile: done, $changed change(s)"
