#!/bin/bash
# pg_dumpall into the backup volume, keeping the newest KEEP dumps (recipes §4, Bitnami
# backup/cronjob.yaml). A failed run removes its partial file: the retention only counts complete
# dumps, so partial ones would otherwise pile up (one per failed attempt) until the volume is full
# and every later backup fails.
#
# Env: BACKUP_DIR (the mounted volume), KEEP, and libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD,
# PGSSLMODE.
set -euo pipefail
f="$BACKUP_DIR/pg_dumpall-$(date -u +%Y-%m-%dT%H%M%SZ).sql.gz"
trap 'rm -f "$f.tmp"' EXIT
pg_dumpall --clean --if-exists --load-via-partition-root --quote-all-identifiers --no-password | gzip > "$f.tmp"
mv "$f.tmp" "$f"
# Dump names hold no spaces or newlines (the date format above), so ls is safe here.
# shellcheck disable=SC2012
ls -1t "$BACKUP_DIR"/pg_dumpall-*.sql.gz | tail -n +$((KEEP + 1)) | xargs -r rm -f --
echo "wrote $f"
