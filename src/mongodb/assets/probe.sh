#!/bin/bash
# Readiness of a replica set member: `db.hello()` (no authentication needed) says it is the
# writable primary, a secondary or (the arbiter's pod) an arbiter, so a member still in initial
# sync, recovering or not yet in a set gets no client traffic. mongosh prints the boolean; the exit code alone would be 0 either way.
# Inputs: MONGO_PORT.
set -uo pipefail

port="${MONGO_PORT:-27017}"
reply=$(timeout 9 mongosh --quiet --norc "mongodb://127.0.0.1:${port}/admin?directConnection=true&serverSelectionTimeoutMS=3000" \
  --eval 'const h = db.hello(); print(h.isWritablePrimary === true || h.secondary === true || h.arbiterOnly === true)' 2>&1) || {
  echo "probe: mongosh failed: ${reply}" >&2
  exit 1
}
if [ "$reply" = true ]; then exit 0; fi
echo "probe: not primary, secondary or arbiter (${reply})" >&2
exit 1
