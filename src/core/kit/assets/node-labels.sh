#!/bin/sh
# Init container: writes labels of the node the pod runs on to OUT_FILE, one `<name>=<value>` line
# per entry of LABELS ("<name>=<label key> ..."), read from the API server with the pod's
# ServiceAccount token (`get nodes`, a ClusterRole). A missing label fails the pod: a wrong
# locality is worse than none (placement would trust it). NODE_NAME comes from the downward API;
# SA_DIR and API_URL are set by tests only.
set -eu
SA=${SA_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}
NODE_JSON=${TMPDIR:-/tmp}/node.json
curl -sSf --cacert "$SA/ca.crt" -H "Authorization: Bearer $(cat "$SA/token")" \
  "${API_URL:-https://kubernetes.default.svc}/api/v1/nodes/$NODE_NAME" > "$NODE_JSON"
: > "$OUT_FILE.tmp"
for entry in $LABELS; do
  name=${entry%%=*}
  key=${entry#*=}
  # The label key as a grep pattern: its dots are literal (a label key holds only [A-Za-z0-9./_-]).
  key_re=$(printf '%s' "$key" | sed 's/[.]/\\./g')
  value=$(tr -d '\n' < "$NODE_JSON" | grep -o "\"$key_re\": *\"[^\"]*\"" | sed 's/.*: *"\(.*\)"/\1/' || true)
  [ -n "$value" ] || { echo "node $NODE_NAME has no label $key" >&2; exit 1; }
  echo "$name=$value" >> "$OUT_FILE.tmp"
done
mv "$OUT_FILE.tmp" "$OUT_FILE"
