#!/usr/bin/env bash
# Topic Job: waits until MIN_BROKERS brokers answer at BOOTSTRAP (the INTERNAL listener), then
# creates the topic described by "$@" unless it exists. TLS_STORE_PASSWORD is set with TLS (the
# cluster keystores are mounted in /etc/kafka/tls). The image keeps its tools in /opt/kafka/bin.
PATH="$PATH:/opt/kafka/bin"
P="${TMPDIR:-/tmp}/client.properties"
: > "$P"
if [ -n "${TLS_STORE_PASSWORD:-}" ]; then
  printf "%s\n" security.protocol=SSL ssl.keystore.type=PKCS12 ssl.keystore.location=/etc/kafka/tls/keystore.p12 \
    "ssl.keystore.password=$TLS_STORE_PASSWORD" ssl.truststore.type=PKCS12 ssl.truststore.location=/etc/kafka/tls/truststore.p12 \
    "ssl.truststore.password=$TLS_STORE_PASSWORD" > "$P"
fi
# Wait until as many brokers as the replication factor answer: creating earlier fails.
n=0
while :; do
  up=$(kafka-broker-api-versions.sh --bootstrap-server "$BOOTSTRAP" --command-config "$P" 2> /dev/null | grep -c "(id: " || true)
  [ "$up" -ge "$MIN_BROKERS" ] && break
  n=$((n + 1)); [ "$n" -lt 60 ] || { echo "only $up of $MIN_BROKERS brokers answered at $BOOTSTRAP" >&2; exit 1; }
  echo "waiting for $MIN_BROKERS brokers, $up up ($n/60)"; sleep 10
done
exec kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --command-config "$P" --create --if-not-exists "$@"
