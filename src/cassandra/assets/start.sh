#!/bin/bash
# The node's command: a writable copy of the image's configuration (jvm options, logback,
# cassandra-env.sh) in CONF_DIR with the library's cassandra.yaml, filled in with the pod's IP and
# the seeds, and cassandra-rackdc.properties (GossipingPropertyFileSnitch) with the DC and the
# rack (the node's zone label when LOCALITY_FILE is set); then `cassandra -f` with CASSANDRA_CONF
# pointing at the copy (bin/cassandra.in.sh reads it). The image's entrypoint is not used: it
# edits /etc/cassandra in place, which a read-only root does not allow.
#
# Env: POD_IP, SEEDS, DC, RACK (used without LOCALITY_FILE), CONF_DIR, TEMPLATE_DIR, IMAGE_CONF
# (the image's /etc/cassandra), LOCALITY_FILE (optional: a line rack=<value>).
set -euo pipefail
cp -R "$IMAGE_CONF"/. "$CONF_DIR"/
sed -e "s/@POD_IP@/$POD_IP/g" -e "s/@SEEDS@/$SEEDS/" "$TEMPLATE_DIR/cassandra.yaml" > "$CONF_DIR/cassandra.yaml"
rack="${RACK:-rack1}"
if [ -n "${LOCALITY_FILE:-}" ]; then
  rack="$(sed -n 's/^rack=//p' "$LOCALITY_FILE")"
  [ -n "$rack" ] || { echo "start: no rack in $LOCALITY_FILE" >&2; exit 1; }
fi
printf 'dc=%s\nrack=%s\nprefer_local=true\n' "$DC" "$rack" > "$CONF_DIR/cassandra-rackdc.properties"
export CASSANDRA_CONF="$CONF_DIR"
exec cassandra -f "$@"
