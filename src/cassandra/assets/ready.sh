#!/bin/bash
# Readiness: this node is Up and Normal (UN) in its own view of the ring, through nodetool over
# the local JMX port (cassandra-env.sh: LOCAL_JMX=yes, localhost only, no authentication).
# Env: POD_IP, CONF_DIR.
set -euo pipefail
export CASSANDRA_CONF="$CONF_DIR"
nodetool -h 127.0.0.1 status | grep -Eq "^UN +${POD_IP//./\\.} "
