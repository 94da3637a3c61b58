#!/usr/bin/env bash
# Readiness probe of a broker (exec, runs in the Kafka container with its env). After every
# container start the broker is Ready only once it is back in the ISR of every partition it
# hosts, so a rolling update moves on to the next broker only after this one has caught up.
# That check needs a JVM (kafka-topics.sh), so it runs only until it first passes; a marker
# keyed by the container's start time then turns the probe into a plain TCP connect to the
# client port (no JVM every 10 s). Reads KAFKA_NODE_ID, KAFKA_ADVERTISED_LISTENERS and, with
# TLS, TLS_STORE_PASSWORD (keystores in /etc/kafka/tls).
set -u
PATH="$PATH:/opt/kafka/bin"
MARK="${PROBE_MARK:-/tmp/kafka-caught-up}"
# Field 22 of /proc/1/stat (the start time) counted after the ")" closing the command name.
started=$(sed 's/.*) //' "${PROBE_PROC_STAT:-/proc/1/stat}" | cut -d' ' -f20)
[ -n "$started" ] || { echo "cannot read the container's start time"; exit 1; }
listener() { printf '%s\n' "$KAFKA_ADVERTISED_LISTENERS" | tr ',' '\n' | sed -n "s|^$1://||p"; }

if [ -f "$MARK" ] && [ "$(cat "$MARK")" = "$started" ]; then
  client=$(listener CLIENT)
  # A connect only: opening the port is what the broker does last when it starts.
  if (exec 3<> "/dev/tcp/127.0.0.1/${client##*:}") 2> /dev/null; then exit 0; fi
  echo "client port ${client##*:} does not accept connections"; exit 1
fi

# Catching up: ask the broker itself (its INTERNAL listener, by the name its certificate holds).
internal=$(listener INTERNAL)
P="${TMPDIR:-/tmp}/ready-client.properties"
# Client timeouts well within the probe's timeoutSeconds (25 s).
printf '%s\n' request.timeout.ms=5000 default.api.timeout.ms=10000 > "$P"
if [ -n "${TLS_STORE_PASSWORD:-}" ]; then
  printf "%s\n" security.protocol=SSL ssl.keystore.type=PKCS12 ssl.keystore.location=/etc/kafka/tls/keystore.p12 \
    "ssl.keystore.password=$TLS_STORE_PASSWORD" ssl.truststore.type=PKCS12 ssl.truststore.location=/etc/kafka/tls/truststore.p12 \
    "ssl.truststore.password=$TLS_STORE_PASSWORD" >> "$P"
fi
# A small tool JVM: the container's env carries the broker's own heap and log settings.
export KAFKA_HEAP_OPTS="-Xmx64m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
unset KAFKA_LOG4J_OPTS KAFKA_JMX_OPTS JMX_PORT KAFKA_OPTS
if ! out=$(kafka-topics.sh --bootstrap-server "$internal" --command-config "$P" --describe --under-replicated-partitions 2>&1); then
  echo "broker $KAFKA_NODE_ID does not answer yet: $(printf '%s\n' "$out" | tail -n 1)"; exit 1
fi
# Partitions with a replica here that is not in the ISR yet.
behind=$(printf '%s\n' "$out" | awk -v id="$KAFKA_NODE_ID" '
  /Partition:/ {
    r = ""; i = ""
    for (f = 1; f < NF; f++) { if ($f == "Replicas:") r = $(f + 1); if ($f == "Isr:") i = $(f + 1) }
    if (index("," r ",", "," id ",") && !index("," i ",", "," id ",")) n++
  }
  END { print n + 0 }')
if [ "$behind" -gt 0 ]; then
  echo "broker $KAFKA_NODE_ID is not in the ISR of $behind partition(s) yet"; exit 1
fi
printf '%s' "$started" > "$MARK"
echo "broker $KAFKA_NODE_ID caught up"
