#!/bin/bash
# The restore verification CronJob (continuousBackup.verify), in the cluster's Spilo image: it
# restores the latest base backup from the object store into a scratch volume, replays the
# archived WAL up to the end of that backup, checks the control file and runs a query. Any failure
# exits non-zero, so the Job fails (and a failed-Job alert fires).
#
# Env: WAL-G's own (WALG_S3_PREFIX / WALG_GS_PREFIX / WALG_AZ_PREFIX and the provider's
# credentials, as Spilo writes them to /run/etc/wal-e.d/env), PGBIN (the PostgreSQL binaries of
# the cluster's major), RESTORE_DIR (the scratch volume).
set -euo pipefail
data="$RESTORE_DIR/data"
socket="$RESTORE_DIR/socket"
rm -rf "$data" "$socket"
mkdir -p "$socket"

echo "backups in the store:"
wal-g backup-list
wal-g backup-fetch "$data" LATEST
chmod 0700 "$data"

# Recovery: fetch WAL from the archive until the backup is consistent, then promote. A backup
# taken on a replica (fromReplica) carries its standby.signal: standby mode would ignore the
# recovery target and never promote.
rm -f "$data/standby.signal" "$data/postmaster.pid"
touch "$data/recovery.signal"
cat >> "$data/postgresql.auto.conf" <<'EOF'
restore_command = 'wal-g wal-fetch "%f" "%p"'
recovery_target = 'immediate'
recovery_target_action = 'promote'
EOF

"$PGBIN/pg_controldata" "$data" | tee "$RESTORE_DIR/controldata"
grep -q '^Database cluster state:' "$RESTORE_DIR/controldata"

# The backup's postgresql.conf is Patroni's: its certificates, sockets and log collector are the
# database pods'. Override what this pod does not have; hot_standby off skips the check that
# max_connections and friends are at least the primary's (recovery only).
export PGHOST="$socket" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
"$PGBIN/pg_ctl" -D "$data" -w -t 3600 -l "$RESTORE_DIR/postgres.log" start -o "-c ssl=off -c listen_addresses='' -c port=5432 \
-c unix_socket_directories=$socket -c logging_collector=off -c archive_mode=off -c hot_standby=off \
-c shared_buffers=128MB -c shared_preload_libraries=''" || { cat "$RESTORE_DIR/postgres.log" >&2; exit 1; }
trap '"$PGBIN/pg_ctl" -D "$data" -m fast stop || true' EXIT

# Promotion ends recovery; wait for it (bounded by the Job's activeDeadlineSeconds), failing
# as soon as the server is gone.
until [ "$("$PGBIN/psql" -X -At -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = "f" ]; do
  "$PGBIN/pg_ctl" -D "$data" status > /dev/null || { cat "$RESTORE_DIR/postgres.log" >&2; exit 1; }
  sleep 2
done
"$PGBIN/psql" -X -At -v ON_ERROR_STOP=1 \
  -c "SELECT 'restored: ' || count(*) || ' databases, ' || pg_size_pretty(sum(pg_database_size(datname))) FROM pg_database"
trap - EXIT
"$PGBIN/pg_ctl" -D "$data" -m fast stop
echo "restore verified"
