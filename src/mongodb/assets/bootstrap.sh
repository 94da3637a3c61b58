#!/bin/bash
# The bootstrap sidecar of a replica set member: runs reconcile.js against the member's own mongod
# every MONGO_RECONCILE_INTERVAL seconds, forever (a failed pass is logged and retried). The
# script initiates the set once, creates the users and adds or removes members; every step checks
# first, so a pass that finds nothing to do changes nothing. MONGO_RECONCILE_ONCE=1 runs one pass
# and exits with its status (for `kubectl exec` and tests). A pass is stopped after
# MONGO_RECONCILE_TIMEOUT seconds: a createUser or reconfig waiting for a majority that is not
# there must not stop the loop.
# Inputs: MONGO_PORT, MONGO_SCRIPTS (the directory of reconcile.js), MONGO_RECONCILE_INTERVAL,
# MONGO_RECONCILE_TIMEOUT.
set -uo pipefail

port="${MONGO_PORT:-27017}"
interval="${MONGO_RECONCILE_INTERVAL:-15}"
limit="${MONGO_RECONCILE_TIMEOUT:-120}"
script="${MONGO_SCRIPTS:?MONGO_SCRIPTS is not set}/reconcile.js"
uri="mongodb://127.0.0.1:${port}/admin?directConnection=true&serverSelectionTimeoutMS=5000"

while true; do
  timeout "$limit" mongosh --quiet --norc "$uri" "$script"
  status=$?
  if [ "${MONGO_RECONCILE_ONCE:-}" = 1 ]; then exit "$status"; fi
  if [ "$status" -ne 0 ]; then echo "bootstrap: the pass failed (exit $status); next try in ${interval}s" >&2; fi
  sleep "$interval"
done
