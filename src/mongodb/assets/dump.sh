#!/bin/bash
# One backup run: `mongodump --archive --gzip --oplog` of the whole replica set into
# BACKUP_DIR/<UTC time>.archive.gz, written under a temporary name and renamed when complete;
# then only the newest KEEP archives are kept. It reads from the primary (the driver's default):
# with a secondary read preference the driver may pick another member per operation, and the
# oplog must come from the member the collections came from. The password goes to mongodump in a
# --config file (mode 0600 in the pod's /tmp), never on the command line.
# Restore: mongorestore --archive=<file> --gzip --oplogReplay (docs/mongodb.md).
# Inputs: MONGO_HOSTS (host:port,...), MONGO_REPLICA_SET, MONGO_USER, MONGO_PASSWORD_FILE,
# BACKUP_DIR, KEEP.
set -euo pipefail

: "${MONGO_HOSTS:?}" "${MONGO_REPLICA_SET:?}" "${MONGO_USER:?}" "${MONGO_PASSWORD_FILE:?}"
dir="${BACKUP_DIR:?BACKUP_DIR is not set}"
keep="${KEEP:-7}"

umask 077
config="${TMPDIR:-/tmp}/mongodump.yaml"
password=$(cat "$MONGO_PASSWORD_FILE")
printf 'uri: "mongodb://%s:%s@%s/?replicaSet=%s&authSource=admin"\n' \
  "$MONGO_USER" "$password" "$MONGO_HOSTS" "$MONGO_REPLICA_SET" > "$config"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
partial="$dir/.partial-$stamp.archive.gz"
# Left over from a run that was stopped (the CronJob forbids concurrent runs).
rm -f "$dir"/.partial-*.archive.gz
mongodump --config "$config" --archive="$partial" --gzip --oplog
mv "$partial" "$dir/$stamp.archive.gz"
echo "dump: wrote $dir/$stamp.archive.gz ($(du -h "$dir/$stamp.archive.gz" | cut -f1))"

mapfile -t archives < <(find "$dir" -maxdepth 1 -name '*.archive.gz' ! -name '.partial-*' | sort)
excess=$(( ${#archives[@]} - keep ))
for (( i = 0; i < excess; i++ )); do
  rm -f "${archives[$i]}"
  echo "dump: removed ${archives[$i]} (keeping $keep)"
done
