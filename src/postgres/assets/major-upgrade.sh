#!/usr/bin/env bash
# Runs inside the primary's Spilo container, started by the major-upgrade Job with
#   kubectl exec svc/<cluster> -c postgres -- bash -c "<this script>" major-upgrade <major> <instances> <wait seconds>
# It waits until every member runs the pod template that sets PGVERSION=<major> (the rollout of
# the version change has finished) and is Ready, then runs Spilo's in-place upgrade the way
# Zalando's postgres-operator does (pkg/cluster/majorversionupgrade.go:
# `/usr/bin/python3 /scripts/inplace_upgrade.py <number of pods>` in the primary, as postgres).
# inplace_upgrade.py reads the target from PGVERSION, checks that all members stream with a small
# lag, pauses Patroni, runs pg_upgrade, rsyncs the replicas and resumes; it exits 0 without doing
# anything when the data directory already has the target version, so a re-run is harmless.
#
# Input: $1 target major, $2 number of instances, $3 seconds to wait for the rollout; env of the
# Spilo container: PGVERSION, POD_NAMESPACE, SCOPE, HOSTNAME (the pod's name).
set -euo pipefail

target=${1:?target major}
members=${2:?number of instances}
wait_seconds=${3:-3600}
UPGRADE_SCRIPT=${UPGRADE_SCRIPT:-/scripts/inplace_upgrade.py}
POLL_SECONDS=${POLL_SECONDS:-10}
KUBE_API=${KUBE_API:-https://kubernetes.default.svc}
SA_DIR=${SA_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}

log() { echo "major-upgrade: $*" >&2; }

if [ "${PGVERSION:-}" != "$target" ]; then
  # This pod still runs the old template: the primary restarts with the new one last.
  log "the primary ${HOSTNAME:-?} runs PGVERSION=${PGVERSION:-unset}, not $target: the rollout is not finished; retrying later"
  exit 1
fi

# Every pod of the cluster on this pod's revision and Ready (Patroni's own Role may list pods).
rolled_out() {
  local body
  body=$(curl -sS --fail --cacert "$SA_DIR/ca.crt" -H "Authorization: Bearer $(cat "$SA_DIR/token")" \
    "$KUBE_API/api/v1/namespaces/$POD_NAMESPACE/pods?labelSelector=cluster-name%3D$SCOPE") || return 1
  printf '%s' "$body" | python3 -c '
import json, sys
me, members = sys.argv[1], int(sys.argv[2])
pods = json.load(sys.stdin).get("items", [])
rev = lambda p: p["metadata"].get("labels", {}).get("controller-revision-hash")
ready = lambda p: any(c.get("type") == "Ready" and c.get("status") == "True" for c in p.get("status", {}).get("conditions", []))
mine = [rev(p) for p in pods if p["metadata"]["name"] == me]
ok = len(pods) == members and len(mine) == 1 and all(rev(p) == mine[0] and ready(p) and not p["metadata"].get("deletionTimestamp") for p in pods)
sys.exit(0 if ok else 1)' "${HOSTNAME:?}" "$members"
}

end=$((SECONDS + wait_seconds))
until rolled_out; do
  if [ "$SECONDS" -ge "$end" ]; then
    log "not every one of the $members pods of $SCOPE is Ready on the new template after ${wait_seconds}s"
    exit 1
  fi
  sleep "$POLL_SECONDS"
done

log "upgrading $SCOPE to PostgreSQL $target in place on ${HOSTNAME}"
exec python3 "$UPGRADE_SCRIPT" "$members"
