#!/bin/bash
# The init Job: `cockroach init` once (a cluster that is initialized already answers so, which is
# success: the Job converges and never re-initializes), then the declared databases and their
# owners (`IF NOT EXISTS`: re-running changes nothing but the owners' passwords, which are set
# from the Secret each run so that a rotated Secret reaches the database). Never drops anything.
#
# Env: HOST (a node's stable name:port), INSECURE (true|false), CERTS_SRC/CERTS_DIR (the root
# client certificate, secure mode), DATABASES ("db:owner:password-file ..."), PASSWORD_DIR.
set -euo pipefail
conn=(--host="$HOST")
if [ "$INSECURE" = true ]; then
  conn+=(--insecure)
else
  install -m 0644 "$CERTS_SRC/ca.crt" "$CERTS_DIR/ca.crt"
  if [ -f "$CERTS_SRC/client.root.crt" ]; then crt=client.root.crt key=client.root.key; else crt=tls.crt key=tls.key; fi
  install -m 0644 "$CERTS_SRC/$crt" "$CERTS_DIR/client.root.crt"
  install -m 0600 "$CERTS_SRC/$key" "$CERTS_DIR/client.root.key"
  conn+=(--certs-dir="$CERTS_DIR")
fi
for attempt in $(seq 1 30); do
  if out="$(cockroach init "${conn[@]}" 2>&1)"; then
    echo "cluster initialized"
    break
  fi
  if grep -q "already been initialized" <<< "$out"; then
    echo "cluster was initialized already"
    break
  fi
  [ "$attempt" -lt 30 ] || { echo "$out" >&2; exit 1; }
  sleep 5
done
for spec in ${DATABASES:-}; do
  IFS=: read -r db owner pwfile <<< "$spec"
  # Names are checked at synth ([a-z_][a-z0-9_]*): safe unquoted. The password is a SQL literal.
  sql="CREATE USER IF NOT EXISTS $owner; CREATE DATABASE IF NOT EXISTS $db; ALTER DATABASE $db OWNER TO $owner;"
  if [ "$INSECURE" != true ]; then
    pw="$(cat "$PASSWORD_DIR/$pwfile")"
    sql+=" ALTER USER $owner WITH PASSWORD '${pw//\'/\'\'}';"
  fi
  # On stdin, not in argv: the password stays out of the process list.
  printf '%s\n' "$sql" | cockroach sql "${conn[@]}" > /dev/null
  echo "database $db (owner $owner) ready"
done
