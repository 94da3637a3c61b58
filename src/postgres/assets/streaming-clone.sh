#!/bin/bash
# Init container of the streaming mode: ordinal 0 is the primary and starts as it is; any other
# ordinal with an empty data directory is cloned from it with pg_basebackup, using its own
# physical slot `replica_<ordinal>`. `-R` writes primary_conninfo, primary_slot_name and
# standby.signal.
#
# Env: HOSTNAME (the pod's name), PGDATA, PRIMARY_HOST (pod 0), PEERS_HOST (the headless
# Service), REPLICATION_USER, REPLICATION_PASSWORD_FILE (in the mounted Secret), WAL_DIR (empty
# when the WAL shares the data volume).
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
  # An empty primary while replicas answer means pod 0 lost its volume: a new, empty database
  # behind the read-write Service would hide the data the replicas still have. The headless
  # Service lists only Ready pods, and pod 0 is not Ready while this runs.
  if pg_isready -q -t 3 -h "$PEERS_HOST" -p 5432; then
    echo "refusing to initialize an empty primary: a replica behind $PEERS_HOST is running with data." >&2
    echo "Promote a replica and rebuild pod 0 from it (docs/postgres.md), or delete every volume to start over." >&2
    exit 1
  fi
  echo "ordinal 0 is the primary: nothing to clone"; exit 0
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
