#!/usr/bin/env bash
# Metadata version Job (opt-in: KafkaClusterProps.finalizeUpgrade): once every node runs the new
# release, raises the cluster's metadata.version to METADATA (the release's major.minor).
#   kafka-features.sh upgrade --metadata <v> sets metadata.version only. Not --release-version: that
#   also raises kraft.version and turns a static quorum into a dynamic one (KAFKA-21426).
# The controller refuses a level some registered node does not support, so while nodes still run the
# old release the upgrade fails: the Job waits and tries again. A finalized level above METADATA is a
# downgrade, which Kafka does not do once metadata changed: refused with one line, nothing changed.
# Talks to BOOTSTRAP (INTERNAL) with the node keystore when TLS_STORE_PASSWORD is set.
set -euo pipefail
PATH="$PATH:/opt/kafka/bin"
: "${BOOTSTRAP:?}" "${METADATA:?}"
P="${TMPDIR:-/tmp}/client.properties"
: > "$P"
if [ -n "${TLS_STORE_PASSWORD:-}" ]; then
  printf "%s\n" security.protocol=SSL ssl.keystore.type=PKCS12 ssl.keystore.location=/etc/kafka/tls/keystore.p12 \
    "ssl.keystore.password=$TLS_STORE_PASSWORD" ssl.truststore.type=PKCS12 ssl.truststore.location=/etc/kafka/tls/truststore.p12 \
    "ssl.truststore.password=$TLS_STORE_PASSWORD" > "$P"
fi
features() { kafka-features.sh --bootstrap-server "$BOOTSTRAP" --command-config "$P" "$@"; }
# "4.0-IV3" -> "4.0"; compares major.minor numerically.
mm() { printf '%s' "${1%%-*}"; }
older() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -t. -k1,1n -k2,2n | head -n1)" = "$1" ] && [ "$1" != "$2" ]; }

tries="${TRIES:-120}"
n=0
while :; do
  n=$((n + 1))
  if desc=$(features describe 2>&1); then
    level=$(printf '%s\n' "$desc" | awk '$1 == "Feature:" && $2 == "metadata.version" { for (i = 3; i < NF; i++) if ($i == "FinalizedVersionLevel:") print $(i + 1) }')
    [ -n "$level" ] || { echo "no finalized metadata.version in: $desc" >&2; exit 1; }
    have=$(mm "$level")
    if [ "$have" = "$METADATA" ]; then echo "metadata.version is $level: nothing to do"; exit 0; fi
    if older "$METADATA" "$have"; then
      echo "metadata.version is $level, above $METADATA: Kafka cannot lower it once metadata changed; go back to a release that supports $level" >&2
      exit 1
    fi
    if out=$(features upgrade --metadata "$METADATA" 2>&1); then
      echo "metadata.version: $level -> $METADATA"; printf '%s\n' "$out"; exit 0
    fi
    echo "upgrade to $METADATA refused ($n/$tries), nodes may still run the old release: $(printf '%s\n' "$out" | tail -n 1)"
  else
    echo "the cluster does not answer yet ($n/$tries): $(printf '%s\n' "$desc" | tail -n 1)"
  fi
  [ "$n" -lt "$tries" ] || { echo "metadata.version not raised to $METADATA after $n tries" >&2; exit 1; }
  sleep "${WAIT_SECONDS:-30}"
done
