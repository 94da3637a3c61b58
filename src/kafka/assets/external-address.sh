#!/bin/sh
# Init container of brokers with an external listener: finds the address this broker advertises on
# its EXTERNAL listener and writes `host:port` to OUT_FILE, which assets/external-start.sh reads.
# MODE=loadbalancer: the broker's own Service ($POD_NAME$SERVICE_SUFFIX, `get` on it by name: a namespaced Role),
#   waiting until the cloud has given it an address: status.loadBalancer.ingress[0].hostname,
#   else its .ip; the port is SERVICE_PORT (the Service's port).
# MODE=nodeport: the node the pod runs on ($NODE_NAME, `get nodes`: a ClusterRole), its
#   ExternalIP, else its InternalIP; the port is BASE_PORT + KAFKA_NODE_ID (the Service's fixed
#   nodePort).
# POD_NAME, POD_NAMESPACE, NODE_NAME and KAFKA_NODE_ID come from the downward API. SA_DIR, API_URL, TMPDIR
# and WAIT_SECONDS are set by tests only.
set -eu
SA=${SA_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}
API=${API_URL:-https://kubernetes.default.svc}
JSON=${TMPDIR:-/tmp}/object.json

get() {
  curl -sSf --cacert "$SA/ca.crt" -H "Authorization: Bearer $(cat "$SA/token")" "$API$1" > "$JSON"
}

# The object's JSON on one line without blanks (the API server pretty-prints for curl; host
# names and addresses hold no blanks).
flat() {
  tr -d ' \n\t\r' < "$JSON"
}

# The value of "$1":"..." in the text on stdin (first match), or nothing.
field() {
  grep -o "\"$1\":\"[^\"]*\"" | head -n 1 | sed 's/.*:"\(.*\)"/\1/' || true
}

case "$MODE" in
  loadbalancer)
    SERVICE=$POD_NAME$SERVICE_SUFFIX
    while :; do
      get "/api/v1/namespaces/$POD_NAMESPACE/services/$SERVICE"
      # ingress[0] up to its first '}' (in the API's field order ip and hostname come first).
      first=$(flat | sed -n 's/.*"loadBalancer":{"ingress":\[{\([^}]*\)}.*/\1/p')
      host=$(printf '%s' "$first" | field hostname)
      [ -n "$host" ] || host=$(printf '%s' "$first" | field ip)
      [ -z "$host" ] || break
      echo "external-address: Service $SERVICE has no load balancer address yet; waiting" >&2
      sleep "${WAIT_SECONDS:-5}"
    done
    port=$SERVICE_PORT
    ;;
  nodeport)
    get "/api/v1/nodes/$NODE_NAME"
    addresses=$(flat)
    host=$(printf '%s' "$addresses" | field 'type":"ExternalIP","address')
    [ -n "$host" ] || host=$(printf '%s' "$addresses" | field 'type":"InternalIP","address')
    [ -n "$host" ] || { echo "external-address: node $NODE_NAME has neither an ExternalIP nor an InternalIP" >&2; exit 1; }
    port=$((BASE_PORT + KAFKA_NODE_ID))
    ;;
  *)
    echo "external-address: unknown MODE '$MODE'" >&2
    exit 2
    ;;
esac
# An IPv6 address is bracketed in a listener URL.
case "$host" in
  *:*) host="[$host]" ;;
esac
echo "external-address: broker $KAFKA_NODE_ID advertises $host:$port"
printf '%s:%s\n' "$host" "$port" > "$OUT_FILE.tmp"
mv "$OUT_FILE.tmp" "$OUT_FILE"
