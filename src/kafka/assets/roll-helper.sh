#!/usr/bin/env bash
# Kafka side of the roller Job (container `kafka`, the cluster's own image): answers the driver's
# questions (assets/roll-nodes.py, container `roll`) through files in WORK_DIR, because the driver
# talks to the API server and this image has no HTTP client, and the driver's image no Kafka tools.
#   WORK_DIR/req.<n>   a question: `min-isr` or `quorum`
#   WORK_DIR/resp.<n>  the answer: exit status on line 1, the tool's output after it
#   WORK_DIR/done      the driver has finished: exit
# `min-isr`: kafka-topics.sh --describe --at-min-isr-partitions and --under-min-isr-partitions
# (partitions whose ISR would fall below min.insync.replicas if one of its members went away);
# `quorum`: kafka-metadata-quorum.sh describe --status (LeaderId is the active controller).
# Talks to BOOTSTRAP (INTERNAL) with the node keystore in /etc/kafka/tls (TLS_STORE_PASSWORD).
set -uo pipefail
PATH="$PATH:/opt/kafka/bin"
: "${BOOTSTRAP:?}" "${WORK_DIR:?}"
T="${TMPDIR:-/tmp}"
P="$T/client.properties"
: > "$P"
if [ -n "${TLS_STORE_PASSWORD:-}" ]; then
  printf "%s\n" security.protocol=SSL ssl.keystore.type=PKCS12 ssl.keystore.location=/etc/kafka/tls/keystore.p12 \
    "ssl.keystore.password=$TLS_STORE_PASSWORD" ssl.truststore.type=PKCS12 ssl.truststore.location=/etc/kafka/tls/truststore.p12 \
    "ssl.truststore.password=$TLS_STORE_PASSWORD" > "$P"
fi
answer() {
  case "$1" in
    min-isr)
      kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --command-config "$P" --describe --at-min-isr-partitions &&
        kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --command-config "$P" --describe --under-min-isr-partitions ;;
    quorum) kafka-metadata-quorum.sh --bootstrap-server "$BOOTSTRAP" --command-config "$P" describe --status ;;
    *) echo "unknown question: $1"; return 2 ;;
  esac
}
idle=0
while [ ! -e "$WORK_DIR/done" ]; do
  found=0
  for req in "$WORK_DIR"/req.*; do
    [ -e "$req" ] || continue
    found=1
    n="${req##*.}"
    out=$(answer "$(cat "$req")" 2>&1); rc=$?
    printf '%s\n%s\n' "$rc" "$out" > "$WORK_DIR/.resp.$n" && mv "$WORK_DIR/.resp.$n" "$WORK_DIR/resp.$n"
    rm -f "$req"
  done
  if [ "$found" = 0 ]; then
    idle=$((idle + 1))
    # The driver asks at least every few minutes while it waits; silence for an hour means it is gone.
    [ "$idle" -lt "${IDLE_LIMIT:-3600}" ] || { echo "no question for ${IDLE_LIMIT:-3600} s; the driver is gone" >&2; exit 1; }
    sleep 1
  else
    idle=0
  fi
done
echo "driver done"
