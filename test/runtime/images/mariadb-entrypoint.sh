#!/usr/bin/env bash
# Stands in for docker-entrypoint.sh of the official mariadb image (MariaDB/mariadb-docker,
# 11.4/docker-entrypoint.sh) in the runtime tier, with Debian's MariaDB 10.11 programs. Only what
# MariaDBCluster's manifests depend on is emulated, in the image's order:
#   - `-…` as first argument means `mariadbd …`; any other program is exec'd as it is;
#   - file_env: MARIADB_ROOT_PASSWORD, MARIADB_PASSWORD and MARIADB_REPLICATION_PASSWORD from
#     their *_FILE variables (both set is an error), MARIADB_ROOT_HOST defaults to '%';
#   - DATADIR and SOCKET from `mariadbd … --verbose --help`, as mysql_get_config does;
#   - no $DATADIR/mysql: mariadb-install-db (the image's flags, the mariadbd arguments passed
#     through, --skip-log-bin), a socket-only temporary server (--skip-networking
#     --skip-slave-start), the time zone tables, then docker_setup_db's SQL: system users secured
#     with sql_log_bin=0 (root@localhost password, root@'%'), then, binlogged, the database, the
#     user with ALL on it, the replication user with REPLICATION REPLICA; the temporary server is
#     stopped; /docker-entrypoint-initdb.d is empty in our manifests;
#   - exec the command.
# Not emulated: the healthcheck users and .my-healthcheck.cnf (our probes do not use them),
# MARIADB_MASTER_HOST (replicas are cloned, never initialized), *_HASH variables, upgrades
# (MARIADB_AUTO_UPGRADE is unset), running as root (gosu).
# The image's Dockerfile comments out `bind-address` in /etc/mysql; Debian's 50-server.cnf sets
# 127.0.0.1, so the final server gets --bind-address=0.0.0.0 (the image's effective default).
set -Eeo pipefail
note() { echo "$(date -u '+%F %T') 0 [Note] [Entrypoint]: $*"; }
file_env() {
  local var="$1" def="${2:-}" fileVar="${1}_FILE"
  if [ "${!var:-}" ] && [ "${!fileVar:-}" ]; then echo "Both $var and $fileVar are set (but are exclusive)" >&2; exit 1; fi
  local val="$def"
  if [ "${!var:-}" ]; then val="${!var}"; elif [ "${!fileVar:-}" ]; then val="$(< "${!fileVar}")"; fi
  export "$var"="$val"
  unset "$fileVar"
}
esc() { local s=${1//\\/\\\\}; echo "${s//\'/\\\'}"; }

if [ "${1:0:1}" = '-' ]; then set -- mariadbd "$@"; fi
if [ "$1" != mariadbd ]; then exec "$@"; fi
file_env MARIADB_ROOT_HOST '%'
file_env MARIADB_DATABASE
file_env MARIADB_USER
file_env MARIADB_PASSWORD
file_env MARIADB_ROOT_PASSWORD
file_env MARIADB_REPLICATION_USER
file_env MARIADB_REPLICATION_PASSWORD
get_config() { "${@:2}" --verbose --help 2>/dev/null | awk -v conf="$1" '$1 == conf && /^[^ \t]/ { sub(/^[^ \t]+[ \t]+/, ""); print; exit }'; }
DATADIR="$(get_config datadir "$@")"
SOCKET="$(get_config socket "$@")"
mkdir -p "$DATADIR"
if [ ! -d "$DATADIR/mysql" ]; then
  : "${MARIADB_ROOT_PASSWORD:?the image refuses to initialize without a root password (or MARIADB_ALLOW_EMPTY_ROOT_PASSWORD / MARIADB_RANDOM_ROOT_PASSWORD)}"
  note "Initializing database files"
  mariadb-install-db --datadir="$DATADIR" --rpm --auth-root-authentication-method=normal "${@:2}" \
    --cross-bootstrap --skip-test-db --default-time-zone=SYSTEM --enforce-storage-engine= --skip-log-bin --expire-logs-days=0 \
    --loose-innodb_buffer_pool_load_at_startup=0 --loose-innodb_buffer_pool_dump_at_shutdown=0 >/dev/null
  note "Starting temporary server"
  "$@" --skip-networking --default-time-zone=SYSTEM --socket="$SOCKET" --wsrep_on=OFF --expire-logs-days=0 --skip-slave-start \
    --loose-innodb_buffer_pool_load_at_startup=0 &
  pid=$!
  sql() { mariadb --protocol=socket -uroot -hlocalhost --socket="$SOCKET" "$@"; }
  for i in {30..0}; do
    if sql --database=mysql <<<'SELECT 1' &>/dev/null; then break; fi
    sleep 1
  done
  [ "$i" != 0 ] || { echo "Unable to start server." >&2; exit 1; }
  mariadb-tzinfo-to-sql --skip-write-binlog /usr/share/zoneinfo 2>/dev/null | sql --database=mysql
  rootpw="$(esc "$MARIADB_ROOT_PASSWORD")"
  note "Creating database ${MARIADB_DATABASE}, user ${MARIADB_USER}, replication user ${MARIADB_REPLICATION_USER}"
  sql --database=mysql --binary-mode <<EOSQL
SET @orig_sql_log_bin= @@SESSION.SQL_LOG_BIN;
SET @@SESSION.SQL_LOG_BIN=0;
SET @@SESSION.SQL_MODE=REPLACE(@@SESSION.SQL_MODE, 'NO_BACKSLASH_ESCAPES', '');
DROP USER IF EXISTS root@'127.0.0.1', root@'::1';
EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\'', @@hostname,'\'');
SET PASSWORD FOR 'root'@'localhost'= PASSWORD('${rootpw}');
CREATE USER 'root'@'${MARIADB_ROOT_HOST}' IDENTIFIED BY '${rootpw}' ;
GRANT ALL ON *.* TO 'root'@'${MARIADB_ROOT_HOST}' WITH GRANT OPTION ;
GRANT PROXY ON ''@'%' TO 'root'@'${MARIADB_ROOT_HOST}' WITH GRANT OPTION;
SET @@SESSION.SQL_LOG_BIN=@orig_sql_log_bin;
CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;
CREATE USER '$MARIADB_USER'@'%' IDENTIFIED BY '$(esc "$MARIADB_PASSWORD")';
CREATE USER '$MARIADB_REPLICATION_USER'@'%' IDENTIFIED BY '$(esc "$MARIADB_REPLICATION_PASSWORD")';
GRANT REPLICATION REPLICA ON *.* TO '$MARIADB_REPLICATION_USER'@'%';
GRANT ALL ON \`${MARIADB_DATABASE//_/\\_}\`.* TO '$MARIADB_USER'@'%';
EOSQL
  note "Stopping temporary server"
  MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb-admin --socket="$SOCKET" -uroot shutdown
  wait "$pid"
  note "MariaDB init process done. Ready for start up."
fi
unset MARIADB_ROOT_PASSWORD MARIADB_PASSWORD MARIADB_REPLICATION_PASSWORD
exec "$@" --bind-address=0.0.0.0
