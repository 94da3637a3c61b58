#!/bin/bash
# The backup CronJob: one directory per run in the backup volume, keeping the newest KEEP runs.
#
#   dump-<UTC time>/globals.sql   roles, memberships and tablespaces (pg_dumpall --globals-only
#                                 --no-role-passwords): no password hashes, so restoring it into a
#                                 new cluster leaves that cluster's passwords (its Secret) in force
#   dump-<UTC time>/<db>.dump     each database that accepts connections (pg_dump -Fc), restored
#                                 with pg_restore one database at a time (docs/postgres.md, "Restore")
#
# pg_dumpall's single script is not used: it carries every role's password hash (a restore into a
# new cluster gives postgres, replicator and the owners the old passwords while the Secret holds
# the new ones), and restored over TCP it reconnects with `\connect` after each database.
#
# A run writes into `.partial-<time>` and renames it when every dump is complete: the retention
# only counts complete runs, and partial ones (a failed run, or a pod killed mid-dump) are
# removed, so they cannot pile up until the volume is full and every later backup fails.
#
# Env: BACKUP_DIR (the mounted volume), KEEP, and libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD,
# PGSSLMODE.
set -euo pipefail
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
run="$BACKUP_DIR/dump-$stamp"
tmp="$BACKUP_DIR/.partial-$stamp"
# concurrencyPolicy Forbid: no other run is writing, so any partial directory is a dead run's.
rm -rf "$BACKUP_DIR"/.partial-*
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp"
pg_dumpall --globals-only --no-role-passwords --quote-all-identifiers --no-password > "$tmp/globals.sql"
dbs="$(psql -X -At -v ON_ERROR_STOP=1 --no-password -d postgres \
  -c "SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname")"
while IFS= read -r db; do
  [ -n "$db" ] || continue
  # The file name is the database name: refuse names that are not plain file names.
  if ! [[ "$db" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]]; then
    echo "database '$db': its name is not a plain file name; rename it (ALTER DATABASE … RENAME TO) to back it up" >&2
    exit 1
  fi
  pg_dump -Fc --load-via-partition-root --quote-all-identifiers --no-password -d "$db" -f "$tmp/$db.dump"
done <<< "$dbs"
mv "$tmp" "$run"
# Run names hold no spaces or newlines (the date format above), so ls is safe here.
# shellcheck disable=SC2012
ls -1dt "$BACKUP_DIR"/dump-*/ | tail -n +$((KEEP + 1)) | xargs -r rm -rf --
# Single-file dumps of earlier versions (pg_dumpall-*.sql.gz) go once KEEP complete runs exist.
runs=("$BACKUP_DIR"/dump-*/)
if [ "${#runs[@]}" -ge "$KEEP" ]; then
  rm -f "$BACKUP_DIR"/pg_dumpall-*.sql.gz
fi
echo "wrote $run"
