#!/usr/bin/env bash
# Topic Job: waits until MIN_BROKERS brokers answer at BOOTSTRAP (the INTERNAL listener), then
# makes topic TOPIC converge on the spec: creates it when missing (PARTITIONS, REPLICATION_FACTOR,
# TOPIC_CONFIG: one key=value a line); on an existing topic adds partitions up to PARTITIONS and
# sets the TOPIC_CONFIG entries. What Kafka cannot do (fewer partitions, another replication
# factor) fails the Job with one clear line and changes nothing. Configs removed from the spec
# are left on the topic (logged). TLS_STORE_PASSWORD is set with TLS (the cluster keystores are
# mounted in /etc/kafka/tls). The image keeps its tools in /opt/kafka/bin.
set -euo pipefail
PATH="$PATH:/opt/kafka/bin"
: "${TOPIC:?}" "${PARTITIONS:?}" "${REPLICATION_FACTOR:?}" "${BOOTSTRAP:?}" "${MIN_BROKERS:?}"
TOPIC_CONFIG="${TOPIC_CONFIG:-}"
P="${TMPDIR:-/tmp}/client.properties"
: > "$P"
if [ -n "${TLS_STORE_PASSWORD:-}" ]; then
  printf "%s\n" security.protocol=SSL ssl.keystore.type=PKCS12 ssl.keystore.location=/etc/kafka/tls/keystore.p12 \
    "ssl.keystore.password=$TLS_STORE_PASSWORD" ssl.truststore.type=PKCS12 ssl.truststore.location=/etc/kafka/tls/truststore.p12 \
    "ssl.truststore.password=$TLS_STORE_PASSWORD" > "$P"
fi
topics() { kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --command-config "$P" "$@"; }

# Wait until as many brokers as the replication factor answer: creating earlier fails.
n=0
while :; do
  up=$(kafka-broker-api-versions.sh --bootstrap-server "$BOOTSTRAP" --command-config "$P" 2> /dev/null | grep -c "(id: " || true)
  [ "$up" -ge "$MIN_BROKERS" ] && break
  n=$((n + 1)); [ "$n" -lt 60 ] || { echo "only $up of $MIN_BROKERS brokers answered at $BOOTSTRAP" >&2; exit 1; }
  echo "waiting for $MIN_BROKERS brokers, $up up ($n/60)"; sleep 10
done

mapfile -t CONFIGS < <(printf '%s\n' "$TOPIC_CONFIG" | grep -v '^$' || true)

desc=$(topics --describe --if-exists --topic "$TOPIC")
header=$(printf '%s\n' "$desc" | grep -m1 'PartitionCount:' || true)
if [ -z "$header" ]; then
  args=(--create --if-not-exists --topic "$TOPIC" --partitions "$PARTITIONS" --replication-factor "$REPLICATION_FACTOR")
  for c in "${CONFIGS[@]}"; do args+=(--config "$c"); done
  topics "${args[@]}"
  echo "topic $TOPIC: created with $PARTITIONS partitions, replication factor $REPLICATION_FACTOR"
  exit 0
fi

have_partitions=$(printf '%s\n' "$header" | sed -n 's/.*PartitionCount: *\([0-9][0-9]*\).*/\1/p')
have_rf=$(printf '%s\n' "$header" | sed -n 's/.*ReplicationFactor: *\([0-9][0-9]*\).*/\1/p')
have_configs=$(printf '%s\n' "$header" | sed -n 's/.*Configs: *//p' | tr -d '\t')
if [ -z "$have_partitions" ] || [ -z "$have_rf" ]; then
  echo "topic $TOPIC: cannot read partitions and replication factor from: $header" >&2; exit 1
fi

# What Kafka cannot do: refuse before changing anything.
if [ "$have_rf" -ne "$REPLICATION_FACTOR" ]; then
  echo "topic $TOPIC: replication factor is $have_rf, the spec asks for $REPLICATION_FACTOR; kafka-topics.sh cannot change it:" \
    "move replicas with kafka-reassign-partitions.sh, or set replicationFactor back to $have_rf" >&2
  exit 1
fi
if [ "$have_partitions" -gt "$PARTITIONS" ]; then
  echo "topic $TOPIC: has $have_partitions partitions, the spec asks for $PARTITIONS; Kafka cannot remove partitions:" \
    "set partitions back to $have_partitions (or more), or create a new topic and move the data" >&2
  exit 1
fi

if [ "$have_partitions" -lt "$PARTITIONS" ]; then
  topics --alter --topic "$TOPIC" --partitions "$PARTITIONS"
  echo "topic $TOPIC: partitions $have_partitions -> $PARTITIONS (keyed records of existing keys may now go to other partitions)"
else
  echo "topic $TOPIC: $have_partitions partitions, as in the spec"
fi

# Configs: set those that differ; the file keeps values with commas intact (no --add-config escaping).
F="${TMPDIR:-/tmp}/topic-config.properties"
: > "$F"
changed=()
for c in "${CONFIGS[@]}"; do
  case ",$have_configs," in
    *",$c,"*) ;;
    *) v="${c#*=}"; printf '%s=%s\n' "${c%%=*}" "${v//\\/\\\\}" >> "$F"; changed+=("${c%%=*}") ;;
  esac
done
if [ "${#changed[@]}" -gt 0 ]; then
  kafka-configs.sh --bootstrap-server "$BOOTSTRAP" --command-config "$P" --alter --entity-type topics --entity-name "$TOPIC" --add-config-file "$F"
  echo "topic $TOPIC: set ${changed[*]}"
else
  echo "topic $TOPIC: configs as in the spec"
fi
# Keys on the topic the spec does not name: left as they are (they may have been set by hand).
extra=()
IFS=',' read -r -a have <<< "$have_configs"
for kv in "${have[@]}"; do
  k="${kv%%=*}"
  [[ "$kv" == *=* && "$k" =~ ^[a-z0-9.]+$ ]] || continue
  declared=0
  for c in "${CONFIGS[@]}"; do [ "${c%%=*}" != "$k" ] || declared=1; done
  [ "$declared" -eq 1 ] || extra+=("$k")
done
[ "${#extra[@]}" -eq 0 ] || echo "topic $TOPIC: left as they are (not in the spec): ${extra[*]}; remove with kafka-configs.sh --alter --delete-config"
