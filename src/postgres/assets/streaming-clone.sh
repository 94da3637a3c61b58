#!/bin/bash
# Init container of the streaming mode: ordinal 0 is the primary and starts as it is; any other
# ordinal with an empty data directory is cloned from it with pg_basebackup, using its own
# physical slot `replica_<ordinal>`. `-R` writes primary_conninfo, primary_slot_name and
# standby.signal.
#
# Env: HOSTNAME (the pod's name), PGDATA, PRIMARY_HOST (pod 0), PEERS_HOST (the headless
# Service), PEER_WAIT (seconds pod 0 looks for instances with data before it initializes),
# REPLICATION_USER, REPLICATION_PASSWORD_FILE (in the mounted Secret), WAL_DIR (empty when the WAL
# shares the data volume).
#
# The slot is dropped (if left over from an earlier clone of this ordinal) and created afresh by
# pg_basebackup -C, which reserves WAL from the start of the backup. A leftover slot must not be
# reused: a replica that was gone longer than max_slot_wal_keep_size allows has an invalidated
# slot (pg_replication_slots.wal_status 'lost'); PostgreSQL 16 and 17 let a walsender stream from
# it anyway, but it never again holds back WAL (slot.c ReplicationSlotsComputeRequiredLSN skips
# slots with data.invalidated set), and PostgreSQL 18 refuses it (walsender.c StartReplication:
# ReplicationSlotAcquire(..., error_if_invalid = true)). An empty data directory owes the old slot
# nothing. When the drop fails because the slot is still active (the old walsender has not yet
# timed out), -C fails with "already exists" and the init container is retried.
#
# The clone goes to `$PGDATA.partial` and is renamed when pg_basebackup has finished. PG_VERSION
# is among the first files a base backup writes, and a pg_basebackup that is killed (pod deleted
# or drained, node lost, OOM) leaves its directory behind (it cleans up only on its own errors);
# cloning into $PGDATA directly would make the next start take the half-copied directory for a
# database ("holds a database") and PostgreSQL would then fail for good with "WAL ends before end
# of online backup" until someone deleted the volume.
set -eu
ordinal="${HOSTNAME##*-}"
if [ -s "$PGDATA/PG_VERSION" ]; then echo "$PGDATA holds a database: starting as it is"; exit 0; fi
if [ "$ordinal" = "0" ]; then
  # An empty primary while another instance has data means pod 0 lost its volume: a new, empty
  # database behind the read-write Service would hide the data the others still have, and they
  # would go on serving it behind -ro. Readiness says nothing here (after a full restart no
  # replica is Ready, and one that cannot reach a primary may never be): every pod starts at once
  # (podManagementPolicy Parallel), the headless Service publishes pods that are not Ready, and an
  # instance with data runs PostgreSQL within moments of its start, while an empty one waits in
  # this init container for the primary. So ask every address behind the headless Service
  # directly, for PEER_WAIT seconds: any server that answers, even "starting up" (pg_isready 1),
  # holds a data directory.
  for attempt in $(seq 0 $((PEER_WAIT / 5))); do
    [ "$attempt" = 0 ] || sleep 5
    for addr in $(getent ahostsv4 "$PEERS_HOST" | awk '{ print $1 }' | sort -u); do
      rc=0
      pg_isready -q -t 3 -h "$addr" -p 5432 || rc=$?
      if [ "$rc" -le 1 ]; then
        echo "refusing to initialize an empty primary: the instance at $addr (behind $PEERS_HOST) runs PostgreSQL with data." >&2
        echo "Promote a replica and rebuild pod 0 from it (docs/postgres.md), or delete every volume to start over." >&2
        exit 1
      fi
    done
  done
  echo "ordinal 0 is the primary: no other instance has data after ${PEER_WAIT}s; nothing to clone"; exit 0
fi
PGPASSWORD="$(cat "$REPLICATION_PASSWORD_FILE")"; export PGPASSWORD
until pg_isready -q -h "$PRIMARY_HOST" -p 5432; do echo "waiting for the primary $PRIMARY_HOST"; sleep 5; done
slot="replica_$ordinal"
if pg_receivewal -h "$PRIMARY_HOST" -U "$REPLICATION_USER" --drop-slot --slot "$slot" 2>/dev/null; then
  echo "dropped the leftover slot $slot"
fi
rm -rf "$PGDATA" "$PGDATA.partial"
waldir=()
if [ -n "${WAL_DIR:-}" ]; then
  rm -rf "$WAL_DIR"
  waldir=(--waldir="$WAL_DIR")
fi
pg_basebackup -h "$PRIMARY_HOST" -U "$REPLICATION_USER" -D "$PGDATA.partial" -R -X stream -C -S "$slot" --checkpoint=fast "${waldir[@]}"
mv "$PGDATA.partial" "$PGDATA"
echo "cloned from $PRIMARY_HOST with slot $slot"
