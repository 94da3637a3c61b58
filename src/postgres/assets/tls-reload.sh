#!/bin/bash
# Sidecar of the streaming mode with TLS: PostgreSQL reads ssl_cert_file, ssl_key_file and
# ssl_ca_file again on a configuration reload (SIGHUP, pg_reload_conf(); since PostgreSQL 10), and
# connections opened after it get the new certificate. The kubelet updates a mounted Secret in
# place when cert-manager renews it (an atomic swap of the ..data symlink), so this loop hashes the
# files every INTERVAL seconds and asks the server to reload when they changed. It is the logic of
# Spilo's scripts/test_reload_ssl.sh (which Spilo runs from cron in the Patroni mode), for the
# official image, which has no cron.
#
# Env: TLS_FILES (space-separated paths), INTERVAL (seconds), PGHOST (the socket directory),
# PGUSER, PGPASSWORD, ONCE (set: check once against STATE_FILE and exit, for tests), STATE_FILE
# (where the last hash is kept; default /tmp/tls-reload.hash).
set -u
state="${STATE_FILE:-/tmp/tls-reload.hash}"

current() {
  # shellcheck disable=SC2086 # TLS_FILES is a list of paths without spaces
  cat $TLS_FILES 2>/dev/null | sha256sum | cut -d' ' -f1
}

check() {
  local now last
  now="$(current)"
  last="$(cat "$state" 2>/dev/null || true)"
  if [ -z "$last" ]; then
    echo "$now" > "$state"
    echo "tls-reload: watching $TLS_FILES ($now)"
    return 0
  fi
  [ "$now" = "$last" ] && return 0
  echo "tls-reload: certificate files changed ($last -> $now): reloading the configuration"
  if psql -X -q -t -A -d postgres -c 'SELECT pg_reload_conf()' >/dev/null; then
    echo "$now" > "$state"
  else
    echo "tls-reload: reload failed; trying again in ${INTERVAL}s" >&2
  fi
}

if [ -n "${ONCE:-}" ]; then check; exit 0; fi
while true; do
  check
  sleep "$INTERVAL"
done
