#!/bin/bash
# Kanister `backup` action (KubeTask): runs dump-all.sh once into a scratch directory and streams
# the run as a tar to the ActionSet's location profile with kando, then reports where it went.
# Args: $1 the profile (Kanister renders the Profile template as JSON), $2 the object path.
# Env: DUMP_ALL (path of dump-all.sh) and libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE.
set -euo pipefail
profile="$1"
location="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/runs"
BACKUP_DIR="$work/runs" KEEP=1 bash "$DUMP_ALL"
runs=("$work"/runs/dump-*/)
tar -C "${runs[0]}" -cf - . | kando location push --profile "$profile" --path "$location" -
kando output backupLocation "$location"
