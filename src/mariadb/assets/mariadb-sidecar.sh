#!/bin/bash
# The `backup` sidecar of MariaDBCluster, next to mariadbd (it shares the data volume and the
# socket directory /run/mysqld).
#
#   mariadb-sidecar.sh         on a freshly cloned replica ($DATADIR/.replication-gtid, written
#                              by mariadb-clone.sh): once the server runs, set gtid_slave_pos to
#                              the backup's position, CHANGE MASTER TO the primary with
#                              MASTER_USE_GTID=slave_pos, START SLAVE, and remove the marker.
#                              Then, on every pod, serve clones: each TCP connection to
#                              CLONE_PORT gets a fresh `mariadb-backup --backup --stream=xbstream`.
#   mariadb-sidecar.sh stream  one backup stream to stdout (run by socat per connection).
#
# Env: HOSTNAME, DATADIR, SOCKET, PRIMARY_ORDINAL, PRIMARY_HOST, PORT, CLONE_PORT, CLIENT_CNF (tests),
# REPLICATION_USER, ROOT_PASSWORD_FILE, REPLICATION_PASSWORD_FILE.
#
# Passwords go to the client in a 0600 defaults file in /tmp (an emptyDir) and to the server on
# stdin, never on a command line.
set -euo pipefail
cnf="${CLIENT_CNF:-/tmp/sidecar-client.cnf}"
write_cnf() {
  local pw
  pw="$(cat "$ROOT_PASSWORD_FILE")"
  (umask 077; printf '[client]\nuser=root\npassword=%s\nsocket=%s\n' "$pw" "$SOCKET" > "$cnf.new")
  mv "$cnf.new" "$cnf"
}
sql_escape() { local s=${1//\\/\\\\}; printf '%s' "${s//\'/\\\'}"; }

if [ "${1:-}" = stream ]; then
  dir="$(mktemp -d /tmp/backup.XXXXXX)"
  trap 'rm -rf "$dir"' EXIT
  echo "streaming a backup to a clone" >&2
  mariadb-backup --defaults-extra-file="$cnf" --backup --stream=xbstream --target-dir="$dir" --datadir="$DATADIR" --socket="$SOCKET" --user=root
  exit 0
fi

write_cnf
until mariadb --defaults-extra-file="$cnf" -N -B -e 'SELECT 1' >/dev/null 2>&1; do
  echo "waiting for the local server"; sleep 2
done
ordinal="${HOSTNAME##*-}"
marker="$DATADIR/.replication-gtid"
# A clone carries no replication settings (the donor is the primary): a configured replica here
# means an earlier run of this sidecar got as far as START SLAVE and stopped before removing the
# marker; setting gtid_slave_pos back to the clone's position then would replay transactions.
if [ "$ordinal" != "$PRIMARY_ORDINAL" ] && [ -f "$marker" ] \
  && [ -z "$(mariadb --defaults-extra-file="$cnf" -N -B -e 'SHOW SLAVE STATUS')" ]; then
  gtid="$(cat "$marker")"
  mariadb --defaults-extra-file="$cnf" -B <<SQL
SET GLOBAL gtid_slave_pos = '$(sql_escape "$gtid")';
CHANGE MASTER TO MASTER_HOST = '$(sql_escape "$PRIMARY_HOST")', MASTER_PORT = $PORT,
  MASTER_USER = '$(sql_escape "$REPLICATION_USER")', MASTER_PASSWORD = '$(sql_escape "$(cat "$REPLICATION_PASSWORD_FILE")")',
  MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 10;
START SLAVE;
SQL
  echo "replicating from $PRIMARY_HOST from GTID position '$gtid'"
fi
rm -f "$marker"
echo "serving clones on port $CLONE_PORT"
exec socat "TCP-LISTEN:$CLONE_PORT,reuseaddr,fork" "EXEC:bash $0 stream"
