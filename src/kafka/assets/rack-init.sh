#!/bin/sh
# Rack-aware brokers' init container: writes broker.rack=<the node's TOPOLOGY_KEY label> to
# /rack/server.properties, which the apache/kafka image appends to its server.properties.
# NODE_NAME comes from the downward API; SA_DIR, RACK_FILE and TMPDIR are set by tests only.
SA=${SA_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}
NODE_JSON=${TMPDIR:-/tmp}/node.json
curl -sSf --cacert "$SA/ca.crt" -H "Authorization: Bearer $(cat "$SA/token")" \
  "https://kubernetes.default.svc/api/v1/nodes/$NODE_NAME" > "$NODE_JSON"
# The label key as a grep pattern: its dots are literal (a label key holds only [A-Za-z0-9./_-]).
KEY_RE=$(printf '%s' "$TOPOLOGY_KEY" | sed 's/[.]/\\./g')
RACK=$(tr -d '\n' < "$NODE_JSON" | grep -o "\"$KEY_RE\": *\"[^\"]*\"" | sed 's/.*: *"\(.*\)"/\1/')
[ -n "$RACK" ] || { echo "node $NODE_NAME has no label $TOPOLOGY_KEY" >&2; exit 1; }
echo "broker.rack=$RACK" > "${RACK_FILE:-/rack/server.properties}"
