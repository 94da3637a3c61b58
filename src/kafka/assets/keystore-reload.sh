#!/bin/bash
# Sidecar of broker pods with TLS. The kubelet updates the mounted TLS Secret in place when
# cert-manager renews the certificate (an atomic swap of the ..data symlink), but a broker reads its
# keystore only at start. This loop hashes keystore.p12 every INTERVAL seconds and, when it
# changed, sends the broker an AlterConfigs request for its own node id that sets the CLIENT and
# INTERNAL listeners' ssl.keystore.location to the same path: Kafka then rebuilds those listeners'
# SSL engines from the file (dynamic broker configuration, "Updating SSL Keystore of an Existing
# Listener" in the Kafka docs; KIP-226). New connections get the new certificate; the broker keeps
# running. Kafka refuses the update (and logs why) if the new certificate is not trusted by the
# listener's truststore or, before Kafka 3.7 (KIP-978), if its subject or SANs changed: the
# sidecar then tries again at the next change, and a rolling restart picks the file up.
#
# Env: TLS_DIR (the mounted Secret), TLS_STORE_PASSWORD, BOOTSTRAP (this broker's INTERNAL
# host:port), KAFKA_NODE_ID, LISTENERS (lower-case listener names), INTERVAL (seconds),
# ONCE (set: check once against STATE_FILE and exit, for tests), STATE_FILE (default
# /tmp/keystore-reload.hash).
set -u
PATH="$PATH:/opt/kafka/bin"
state="${STATE_FILE:-/tmp/keystore-reload.hash}"
# A small tool JVM.
export KAFKA_HEAP_OPTS="-Xmx64m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1"

current() {
  sha256sum < "$TLS_DIR/keystore.p12" 2>/dev/null | cut -d' ' -f1
}

reload() {
  local p="${TMPDIR:-/tmp}/keystore-reload.properties" configs="" l
  printf '%s\n' security.protocol=SSL ssl.keystore.type=PKCS12 "ssl.keystore.location=$TLS_DIR/keystore.p12" \
    "ssl.keystore.password=$TLS_STORE_PASSWORD" ssl.truststore.type=PKCS12 "ssl.truststore.location=$TLS_DIR/truststore.p12" \
    "ssl.truststore.password=$TLS_STORE_PASSWORD" > "$p"
  for l in $LISTENERS; do
    configs="$configs${configs:+,}listener.name.$l.ssl.keystore.location=$TLS_DIR/keystore.p12"
  done
  kafka-configs.sh --bootstrap-server "$BOOTSTRAP" --command-config "$p" \
    --entity-type brokers --entity-name "$KAFKA_NODE_ID" --alter --add-config "$configs"
}

check() {
  local now last
  now="$(current)"
  last="$(cat "$state" 2>/dev/null || true)"
  if [ -z "$last" ]; then
    echo "$now" > "$state"
    echo "keystore-reload: watching $TLS_DIR/keystore.p12 ($now)"
    return 0
  fi
  [ "$now" = "$last" ] && return 0
  echo "keystore-reload: keystore changed ($last -> $now): reloading listeners $LISTENERS of broker $KAFKA_NODE_ID"
  if reload; then
    echo "$now" > "$state"
  else
    echo "keystore-reload: the broker refused or did not answer; trying again in ${INTERVAL}s" >&2
  fi
}

if [ -n "${ONCE:-}" ]; then check; exit 0; fi
while true; do
  check
  sleep "$INTERVAL"
done
