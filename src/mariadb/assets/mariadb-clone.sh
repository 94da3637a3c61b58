#!/bin/bash
# Init container of MariaDBCluster. The primary (PRIMARY_ORDINAL) and any pod whose data
# directory holds a database start as they are. A replica with an empty (or half-cloned) data
# directory clones the primary: the primary's `backup` sidecar streams
# `mariadb-backup --backup --stream=xbstream` over TCP (socat, as the Kubernetes "Run a
# Replicated Stateful Application" tutorial does for MySQL with xtrabackup and ncat), this
# script unpacks it with mbstream, applies the redo log (`mariadb-backup --prepare`) and records
# the backup's GTID position for the sidecar, which points the replica at the primary with
# `MASTER_USE_GTID=slave_pos` once the server runs.
#
# Env: HOSTNAME, DATADIR, PRIMARY_ORDINAL, PRIMARY_HOST (the primary's stable DNS name),
# PEERS_HOST (the headless Service), PEER_WAIT (seconds an empty primary looks for servers with
# data before it initializes), PORT, CLONE_PORT.
#
# The clone is unpacked into $DATADIR/.clone and moved into place with the `mysql` directory
# last: its presence is what says "this directory holds a database" (here and in the image's
# entrypoint), so a clone interrupted at any point (pod deleted, node lost, OOM) is wiped and
# started again on the next attempt instead of being taken for a database.
set -euo pipefail
ordinal="${HOSTNAME##*-}"
if [ -d "$DATADIR/mysql" ]; then echo "$DATADIR holds a database: starting as it is"; exit 0; fi
if [ "$ordinal" = "$PRIMARY_ORDINAL" ]; then
  # An empty primary while a replica has data means the primary lost its volume: a new, empty
  # database behind the read-write Service would hide the data the replicas still hold (and
  # they could not replicate from it: its binary log lacks their GTIDs). Every pod starts at once
  # (podManagementPolicy Parallel), a replica with data runs mariadbd within moments of its start
  # whether the primary is up or not, and the headless Service publishes pods that are not
  # Ready: so ask every address behind it for PEER_WAIT seconds; any server that answers holds
  # a database (an empty replica waits in this init container and runs no server).
  for attempt in $(seq 0 $((PEER_WAIT / 5))); do
    [ "$attempt" = 0 ] || sleep 5
    for addr in $(getent ahostsv4 "$PEERS_HOST" | awk '{ print $1 }' | sort -u); do
      if mariadb-admin --no-defaults --protocol=tcp --host="$addr" --port="$PORT" --connect-timeout=3 ping >/dev/null 2>&1; then
        echo "refusing to initialize an empty primary: the server at $addr (behind $PEERS_HOST) runs with a database." >&2
        echo "Promote a replica and rebuild $HOSTNAME from it (docs/mariadb.md), or delete every volume to start over." >&2
        exit 1
      fi
    done
  done
  echo "ordinal $ordinal is the primary: no other server has data after ${PEER_WAIT}s; the image's entrypoint initializes the empty data directory"; exit 0
fi
# mariadb-admin ping exits 0 when the server answers, even with "Access denied".
until mariadb-admin --no-defaults --protocol=tcp --host="$PRIMARY_HOST" --port="$PORT" --connect-timeout=3 ping >/dev/null 2>&1; do
  echo "waiting for the primary $PRIMARY_HOST:$PORT"; sleep 5
done
find "$DATADIR" -mindepth 1 -maxdepth 1 ! -name lost+found -exec rm -rf -- {} +
staging="$DATADIR/.clone"
mkdir -p "$staging"
echo "cloning from $PRIMARY_HOST:$CLONE_PORT"
socat -u "TCP:$PRIMARY_HOST:$CLONE_PORT,connect-timeout=10" STDOUT | mbstream -x -C "$staging"
# Written at the end of a backup: without it the stream was cut short (the donor failed).
if [ ! -f "$staging/mariadb_backup_checkpoints" ] && [ ! -f "$staging/xtrabackup_checkpoints" ]; then
  echo "the stream from $PRIMARY_HOST:$CLONE_PORT ended before the backup was complete" >&2; exit 1
fi
mariadb-backup --prepare --target-dir="$staging"
# "<binlog file> <position> <GTID position>": the GTID position is where the replica starts.
info="$(cat "$staging/mariadb_backup_binlog_info" 2>/dev/null || cat "$staging/xtrabackup_binlog_info" 2>/dev/null || true)"
gtid="$(printf '%s\n' "$info" | awk 'NR == 1 { print $3 }')"
printf '%s\n' "$gtid" > "$DATADIR/.replication-gtid"
for f in "$staging"/* "$staging"/.[!.]*; do
  [ -e "$f" ] || continue
  [ "$(basename "$f")" = mysql ] && continue
  mv -- "$f" "$DATADIR/"
done
mv -- "$staging/mysql" "$DATADIR/mysql"
rmdir "$staging"
echo "cloned from $PRIMARY_HOST at GTID position '$gtid'"
