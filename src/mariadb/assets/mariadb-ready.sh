#!/bin/bash
# Readiness of the mariadb container (exec probe): `mariadb-ready.sh <port>`.
#
# Every server: it answers on TCP (`mariadb-admin ping` exits 0 even on "Access denied", so no
# password is needed, and it fails while the entrypoint's socket-only initialization server runs).
# A replica, in addition: replication is configured, its SQL thread runs, and its IO thread has
# not stopped for good on error 1236 (the primary no longer has the binary logs it needs): a
# replica that will never catch up leaves the read-only Service. An IO thread that is only
# reconnecting (the primary restarts) keeps the replica Ready: reads go on.
#
# Env: HOSTNAME, PRIMARY_ORDINAL, CLIENT_CNF (the root defaults file the backup sidecar writes
# into the shared /tmp; default /tmp/sidecar-client.cnf).
set -u
port="$1"
mariadb-admin --no-defaults --protocol=tcp --host=127.0.0.1 --port="$port" --connect-timeout=3 ping >/dev/null 2>&1 || exit 1
[ "${HOSTNAME##*-}" = "$PRIMARY_ORDINAL" ] && exit 0
status="$(mariadb --defaults-extra-file="${CLIENT_CNF:-/tmp/sidecar-client.cnf}" --connect-timeout=3 -B -e 'SHOW SLAVE STATUS\G' 2>/dev/null)" || exit 1
field() { printf '%s\n' "$status" | awk -v f="$1" '{ sub(/^ +/, "") } index($0, f ": ") == 1 { print substr($0, length(f) + 3); exit }'; }
sql="$(field Slave_SQL_Running)"
io_errno="$(field Last_IO_Errno)"
if [ "$sql" != Yes ]; then echo "replica: SQL thread ${sql:-not configured}: $(field Last_SQL_Error)"; exit 1; fi
if [ "$io_errno" = 1236 ]; then echo "replica: the primary no longer has the binary logs this replica needs (error 1236); delete its volume to clone again"; exit 1; fi
exit 0
