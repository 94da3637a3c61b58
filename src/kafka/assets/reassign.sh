#!/usr/bin/env bash
# Reassignment Job (KafkaClusterProps.rebalance): spreads partitions over every broker in BROKERS
# after a scale-out, and moves every replica off the brokers in DRAIN before a scale-in.
#   1. waits until no reassignment is in progress (a previous run, or one started by hand);
#   2. reads the assignment (kafka-topics.sh --describe); nothing to do when every broker that
#      stays holds a replica and no replica is on a drained broker (a re-run is a no-op);
#   3. kafka-reassign-partitions.sh --generate --topics-to-move-json-file <all topics>
#      --broker-list <BROKERS minus DRAIN>, then --execute the proposed plan with
#      --throttle THROTTLE (bytes/s of replication traffic per broker), then --verify until
#      every partition is done; --verify also removes the throttle once all are complete.
# https://kafka.apache.org/documentation/#basic_ops_cluster_expansion (generate/execute/verify)
# https://kafka.apache.org/documentation/#rep-throttle (--throttle, removed by --verify)
# Talks to BOOTSTRAP (INTERNAL) with the Jobs' client keystore when TLS_STORE_PASSWORD is set.
set -euo pipefail
PATH="$PATH:/opt/kafka/bin"
: "${BOOTSTRAP:?}" "${BROKERS:?}" "${THROTTLE:?}"
DRAIN="${DRAIN:-}"
D="${TMPDIR:-/tmp}"
P="$D/client.properties"
: > "$P"
if [ -n "${TLS_STORE_PASSWORD:-}" ]; then
  printf "%s\n" security.protocol=SSL ssl.keystore.type=PKCS12 ssl.keystore.location=/etc/kafka/tls/keystore.p12 \
    "ssl.keystore.password=$TLS_STORE_PASSWORD" ssl.truststore.type=PKCS12 ssl.truststore.location=/etc/kafka/tls/truststore.p12 \
    "ssl.truststore.password=$TLS_STORE_PASSWORD" > "$P"
fi
reassign() { kafka-reassign-partitions.sh --bootstrap-server "$BOOTSTRAP" --command-config "$P" "$@"; }
topics() { kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --command-config "$P" "$@"; }
tries="${TRIES:-120}"
wait_s="${WAIT_SECONDS:-30}"

# --verify until every partition of the plan is done; the last one also removes the throttle.
verify_plan() {
  local n=0 ver
  while :; do
    n=$((n + 1))
    # Exit 0 with "is still in progress." lines while partitions move; non-zero when the cluster does not answer.
    if ver=$(reassign --verify --reassignment-json-file "$D/plan.json" 2>&1) && ! printf '%s\n' "$ver" | grep -q 'still in progress'; then
      printf '%s\n' "$ver"
      echo "reassignment of $D/plan.json complete; throttle removed"
      return 0
    fi
    [ "$n" -lt "$tries" ] || { echo "reassignment not complete after $n checks: $ver" >&2; exit 1; }
    echo "reassignment in progress ($n/$tries): $(printf '%s\n' "$ver" | grep -c 'still in progress' || true) partitions left"
    sleep "$wait_s"
  done
}

# A container restarted in the same pod (restartPolicy OnFailure keeps the emptyDir) finds the plan
# it executed: verify it first, so its throttle is removed.
if [ -s "$D/plan.json" ]; then
  echo "an earlier attempt executed $D/plan.json: verifying it first"
  verify_plan
fi

# The brokers that stay: BROKERS minus DRAIN (both comma-separated ids).
targets=$(printf '%s\n' "${BROKERS//,/$'\n'}" | grep -vxF -f <(printf '%s\n' "${DRAIN//,/$'\n'}") | paste -sd, -)
[ -n "$targets" ] || { echo "no broker left once $DRAIN are drained" >&2; exit 1; }

n=0
until out=$(reassign --list 2>&1) && ! printf '%s\n' "$out" | grep -q 'Current partition reassignments:'; do
  n=$((n + 1))
  [ "$n" -lt "$tries" ] || { echo "a reassignment is still in progress after $n checks: $out" >&2; exit 1; }
  echo "waiting for a reassignment in progress, or for the cluster to answer ($n/$tries): $(printf '%s\n' "$out" | tail -n 1)"
  sleep "$wait_s"
done

# Replica lists of every partition, one per line ("1,2,3"), internal topics included.
topics --describe > "$D/describe.txt"
awk '{ for (i = 1; i < NF; i++) if ($i == "Replicas:") print $(i + 1) }' "$D/describe.txt" > "$D/replicas.txt"
held=$(tr ',' '\n' < "$D/replicas.txt" | sort -un)
missing=$(printf '%s\n' "${targets//,/$'\n'}" | grep -vxF -f <(printf '%s\n' "$held") || true)
drained=$(printf '%s\n' "${DRAIN//,/$'\n'}" | grep -xF -f <(printf '%s\n' "$held") || true)
if [ ! -s "$D/replicas.txt" ]; then echo "no partitions: nothing to do"; exit 0; fi
if [ -z "$missing" ] && [ -z "$drained" ]; then
  echo "every broker of $targets holds replicas and none is on a drained broker (${DRAIN:-none}): nothing to do"
  exit 0
fi
[ -z "$missing" ] || echo "brokers without replicas: $(printf '%s\n' "$missing" | paste -sd, -)"
[ -z "$drained" ] || echo "drained brokers still holding replicas: $(printf '%s\n' "$drained" | paste -sd, -)"

topics --list | awk 'NF { printf "%s{\"topic\":\"%s\"}", (n++ ? "," : ""), $1 } END { print "" }' > "$D/list.txt"
printf '{"version":1,"topics":[%s]}\n' "$(cat "$D/list.txt")" > "$D/topics.json"
n=0
until gen=$(reassign --generate --topics-to-move-json-file "$D/topics.json" --broker-list "$targets" 2>&1); do
  # Fails until every broker in the list has registered (a new broker still starting).
  n=$((n + 1))
  [ "$n" -lt "$tries" ] || { echo "no plan after $n tries: $gen" >&2; exit 1; }
  echo "cannot generate a plan yet ($n/$tries): $(printf '%s\n' "$gen" | tail -n 1)"
  sleep "$wait_s"
done
printf '%s\n' "$gen" | awk 'found && NF { print; exit } /^Proposed partition reassignment configuration/ { found = 1 }' > "$D/plan.json"
[ -s "$D/plan.json" ] || { echo "no proposed plan in: $gen" >&2; exit 1; }
echo "plan over brokers $targets (throttle $THROTTLE B/s):"
cat "$D/plan.json"
reassign --execute --reassignment-json-file "$D/plan.json" --throttle "$THROTTLE"

verify_plan
echo "partitions spread over brokers $targets"
