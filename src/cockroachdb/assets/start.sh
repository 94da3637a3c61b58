#!/bin/bash
# The node's command: copies the certificates (secure mode), reads the locality, then execs
# `cockroach start`. CockroachDB refuses a private key that group or others can read, and a
# Secret volume is root-owned with the fsGroup's group bits, so the keys are copied to an emptyDir
# owned by the node's user with mode 0600 (what the official Helm chart's copy-certs step does).
# A Secret from cert-manager (tls.crt/tls.key) is renamed to CockroachDB's node.crt/node.key.
#
# Env: ADVERTISE_HOST, JOIN, PORT, HTTP_PORT, STORE, CACHE, MAX_SQL_MEMORY, INSECURE (true|false),
# CERTS_SRC and CERTS_DIR (secure mode), LOCALITY_FILE (optional: lines name=value, in order).
set -euo pipefail
args=(start
  --advertise-addr="$ADVERTISE_HOST:$PORT" --listen-addr=":$PORT" --http-addr=":$HTTP_PORT"
  --join="$JOIN" --store="$STORE" --cache="$CACHE" --max-sql-memory="$MAX_SQL_MEMORY")
if [ "$INSECURE" = true ]; then
  args+=(--insecure)
else
  install -m 0644 "$CERTS_SRC/ca.crt" "$CERTS_DIR/ca.crt"
  if [ -f "$CERTS_SRC/node.crt" ]; then crt=node.crt key=node.key; else crt=tls.crt key=tls.key; fi
  install -m 0644 "$CERTS_SRC/$crt" "$CERTS_DIR/node.crt"
  install -m 0600 "$CERTS_SRC/$key" "$CERTS_DIR/node.key"
  args+=(--certs-dir="$CERTS_DIR")
fi
if [ -n "${LOCALITY_FILE:-}" ]; then
  locality="$(paste -sd, "$LOCALITY_FILE")"
  [ -n "$locality" ] || { echo "start: $LOCALITY_FILE is empty" >&2; exit 1; }
  args+=(--locality="$locality")
fi
exec cockroach "${args[@]}" "$@"
