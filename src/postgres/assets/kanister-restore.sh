#!/bin/bash
# Kanister `restore` action (KubeTask): pulls a run written by kanister-backup.sh and restores it
# with restore-run.sh. Args: $1 the profile (the Profile as JSON), $2 the object path (the
# backup's `backupLocation` artifact). Env: RESTORE_RUN (path of restore-run.sh) and libpq's.
set -euo pipefail
profile="$1"
location="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/run"
kando location pull --profile "$profile" --path "$location" - | tar -C "$work/run" -xf -
RUN="$work/run" bash "$RESTORE_RUN"
