#!/bin/bash
# Restores one backup run (a directory written by dump-all.sh) into the cluster libpq points at:
# the roles first (globals.sql holds no password hashes, so the target keeps its own passwords;
# "already exists" errors for the roles it has are expected), then each database in one
# transaction (a failure leaves it as it was). The same steps as docs/postgres.md, "Restore into
# a new cluster", step 3; the Kanister restore action runs this file.
#
# Env: RUN (the run's directory) and libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE.
set -euo pipefail
: "${RUN:?RUN must name a run directory (dump-<time>/)}"
[ -f "$RUN/globals.sql" ] || { echo "restore: $RUN has no globals.sql: not a complete run" >&2; exit 1; }
psql -X -q --no-password -d postgres -f "$RUN/globals.sql" || true
for f in "$RUN"/*.dump; do
  [ -e "$f" ] || continue
  db="$(basename "$f" .dump)"
  # The maintenance database holds the image's own objects: restore it by hand if you kept data there.
  [ "$db" = postgres ] && continue
  exists="$(psql -X -At --no-password -d postgres -v ON_ERROR_STOP=1 -v db="$db" <<'SQL'
SELECT count(*) FROM pg_database WHERE datname = :'db'
SQL
)"
  if [ "$exists" = 1 ]; then
    pg_restore --clean --if-exists --single-transaction --exit-on-error --no-password -d "$db" "$f"
  else
    pg_restore --create --exit-on-error --no-password -d postgres "$f"
  fi
  echo "restored $db"
done
