#!/usr/bin/env bash
# Stands in for docker-entrypoint.sh of the official postgres image (docker-library/postgres,
# 17/bookworm) in the runtime tier. Only what the streaming mode's manifests depend on is
# emulated, in the image's order: create PGDATA 0700; on an empty PGDATA run initdb with
# POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_INITDB_ARGS, append "host all all all <password_encryption>"
# to pg_hba.conf (POSTGRES_INITDB_WALDIR: created 0700 and passed as initdb --waldir), start a
# socket-only temporary server, run /docker-entrypoint-initdb.d/* (*.sh
# sourced unless executable, *.sql through psql), stop it; then exec the command. Not emulated:
# POSTGRES_DB other than the default, *_FILE variables, POSTGRES_HOST_AUTH_METHOD, compressed
# .sql files, nss_wrapper (the emulator adds a passwd entry instead), running as root.
set -Eeo pipefail
if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi
if [ "$1" != postgres ]; then exec "$@"; fi
shift
mkdir -p "$PGDATA"
chmod 00700 "$PGDATA" || :
if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
  mkdir -p "$POSTGRES_INITDB_WALDIR"
  chmod 700 "$POSTGRES_INITDB_WALDIR"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?the image refuses to initialize without POSTGRES_PASSWORD}"
  : "${POSTGRES_USER:=postgres}"
  waldir=()
  if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then waldir=(--waldir "$POSTGRES_INITDB_WALDIR"); fi
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is word-split by the image too
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") "${waldir[@]}" $POSTGRES_INITDB_ARGS
  # The image's Dockerfile edits postgresql.conf.sample so initdb writes listen_addresses = '*'.
  printf "\nlisten_addresses = '*'\n" >> "$PGDATA/postgresql.conf"
  printf '\nhost all all all %s\n' "$(postgres -C password_encryption "$@")" >> "$PGDATA/pg_hba.conf"
  export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
  PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -o "$(printf '%q ' "$@" -c listen_addresses='' -p "${PGPORT:-5432}")" -w start
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then echo "$0: running $f"; "$f"; else echo "$0: sourcing $f"; # shellcheck disable=SC1090
          . "$f"; fi ;;
      *.sql) echo "$0: running $f"; psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc --dbname postgres -f "$f" ;;
      *) echo "$0: ignoring $f" ;;
    esac
  done
  PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGPASSWORD
  echo 'PostgreSQL init process complete; ready for start up.'
fi
exec postgres "$@"
