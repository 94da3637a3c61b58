#!/usr/bin/env bash
# Primary-aware rollout of a Patroni (Spilo) StatefulSet whose updateStrategy is OnDelete.
#
# 1. every replica on an old revision is deleted, one at a time; the next one only once the
#    recreated pod carries the StatefulSet's updateRevision and Patroni reports it streaming with
#    a lag under MAX_LAG_BYTES (GET /replica?lag=<bytes>, Patroni docs/rest_api.rst);
# 2. if the primary is on an old revision: one switchover to an updated replica (POST /switchover
#    {"leader", "candidate"}), then the old primary is deleted and waited for as a replica.
#    With one instance there is nothing to switch over to: the pod is deleted and waited for.
# Pods already on the update revision are skipped, so a re-run (or a retry of the Job) carries on
# where the last one stopped and changes the primary at most once.
#
# Input (env): STS_NAME, NAMESPACE, MAX_LAG_BYTES, TIMEOUT_SECONDS (per wait), POLL_SECONDS,
# PATRONI_PORT, KUBE_API (https://kubernetes.default.svc), SA_DIR (the mounted token and CA).
set -euo pipefail

: "${STS_NAME:?}" "${NAMESPACE:?}"
MAX_LAG_BYTES=${MAX_LAG_BYTES:-16777216}
TIMEOUT_SECONDS=${TIMEOUT_SECONDS:-600}
POLL_SECONDS=${POLL_SECONDS:-5}
PATRONI_PORT=${PATRONI_PORT:-8008}
KUBE_API=${KUBE_API:-https://kubernetes.default.svc}
SA_DIR=${SA_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}

log() { echo "rollout: $*" >&2; }

# api METHOD PATH [BODY]: the API server's answer on stdout; status 0 on 2xx, 4 on 404, 1 otherwise.
api() {
  local args=(-sS -X "$1" --cacert "$SA_DIR/ca.crt" -H "Authorization: Bearer $(cat "$SA_DIR/token")" -w '\n%{http_code}')
  if [ $# -ge 3 ]; then args+=(-H 'Content-Type: application/json' --data "$3"); fi
  local out
  out=$(curl "${args[@]}" "$KUBE_API$2") || return 1
  printf '%s' "${out%$'\n'*}"
  case ${out##*$'\n'} in
    2??) return 0 ;;
    404) return 4 ;;
    *) return 1 ;;
  esac
}

# patroni METHOD IP PATH [BODY]: the HTTP status of Patroni's REST API on that pod (000 unreachable).
patroni() {
  local args=(-sS -o /dev/null -w '%{http_code}' --max-time 10 -X "$1")
  if [ $# -ge 4 ]; then args+=(-H 'Content-Type: application/json' --data "$4"); fi
  curl "${args[@]}" "http://$2:$PATRONI_PORT$3" 2>/dev/null || echo 000
}

# StatefulSet: sets REVISION and REPLICAS; fails while the controller has not observed the last change.
read_statefulset() {
  local body state
  body=$(api GET "/apis/apps/v1/namespaces/$NAMESPACE/statefulsets/$STS_NAME") || return 1
  state=$(printf '%s' "$body" | python3 -c '
import json, sys
s = json.load(sys.stdin)
st = s.get("status", {})
seen = st.get("observedGeneration", 0) >= s["metadata"].get("generation", 0)
print(st.get("updateRevision", "-") if seen else "-", s["spec"].get("replicas", 1))')
  read -r REVISION REPLICAS <<<"$state"
  [ "$REVISION" != - ]
}

# pod_state NAME: "<revision> <role> <ip>" ("-" for what is missing), or "absent".
pod_state() {
  local body rc=0
  body=$(api GET "/api/v1/namespaces/$NAMESPACE/pods/$1") || rc=$?
  if [ "$rc" = 4 ]; then echo absent; return 0; fi
  [ "$rc" = 0 ] || return 1
  printf '%s' "$body" | python3 -c '
import json, sys
p = json.load(sys.stdin)
labels = p.get("metadata", {}).get("labels", {})
terminating = p.get("metadata", {}).get("deletionTimestamp")
print(labels.get("controller-revision-hash", "-") if not terminating else "-", labels.get("role", "-"), p.get("status", {}).get("podIP") or "-")'
}

# updated POD: the pod exists and carries the update revision (sets ROLE and IP).
updated() {
  local rev
  read -r rev ROLE IP <<<"$(pod_state "$1")"
  [ "$rev" = "$REVISION" ] && [ "$IP" != - ]
}

# outdated POD: the pod exists on another revision. Unknown (an API error) or terminating is not outdated.
outdated() {
  local rev
  read -r rev _ _ <<<"$(pod_state "$1")"
  [ -n "$rev" ] && [ "$rev" != - ] && [ "$rev" != absent ] && [ "$rev" != "$REVISION" ]
}

# A replica on the update revision that streams with a lag under the threshold.
healthy_replica() {
  updated "$1" && [ "$ROLE" != primary ] && [ "$(patroni GET "$IP" "/replica?lag=$MAX_LAG_BYTES")" = 200 ]
}

healthy_primary() {
  updated "$1" && [ "$(patroni GET "$IP" /primary)" = 200 ]
}

find_primary() {
  local p role
  PRIMARY=
  for p in "${PODS[@]}"; do
    read -r _ role _ <<<"$(pod_state "$p")"
    if [ "$role" = primary ]; then PRIMARY=$p; return 0; fi
  done
  return 1
}

# An updated, caught-up replica; in synchronous mode Patroni accepts only a synchronous standby
# (GET /synchronous answers 200 on one), so one of those comes first.
find_candidate() {
  local p first=
  for p in "${PODS[@]}"; do
    if [ "$p" = "$PRIMARY" ] || ! healthy_replica "$p"; then continue; fi
    if [ "$(patroni GET "$IP" /synchronous)" = 200 ]; then CANDIDATE=$p; return 0; fi
    first=${first:-$p}
  done
  CANDIDATE=$first
  [ -n "$CANDIDATE" ]
}

# wait_for WHAT COMMAND...: retry COMMAND every POLL_SECONDS, at most TIMEOUT_SECONDS.
wait_for() {
  local what=$1 end=$((SECONDS + TIMEOUT_SECONDS))
  shift
  until "$@"; do
    if [ "$SECONDS" -ge "$end" ]; then
      log "timed out after ${TIMEOUT_SECONDS}s waiting for $what"
      exit 1
    fi
    sleep "$POLL_SECONDS"
  done
}

delete_pod() {
  local rc=0
  log "deleting pod $1"
  api DELETE "/api/v1/namespaces/$NAMESPACE/pods/$1" >/dev/null || rc=$?
  [ "$rc" = 0 ] || [ "$rc" = 4 ]
}

wait_for "the StatefulSet controller to observe statefulset/$STS_NAME" read_statefulset
PODS=()
for ((i = 0; i < REPLICAS; i++)); do PODS+=("$STS_NAME-$i"); done

stale=0
for p in "${PODS[@]}"; do
  if outdated "$p"; then stale=$((stale + 1)); fi
done
if [ "$stale" = 0 ]; then
  log "all pods of $STS_NAME run revision $REVISION: nothing to do"
  exit 0
fi
log "$stale of $REPLICAS pods of $STS_NAME are not on revision $REVISION"

wait_for "a pod labelled role=primary" find_primary
log "primary: $PRIMARY"

for p in "${PODS[@]}"; do
  [ "$p" != "$PRIMARY" ] || continue
  if outdated "$p"; then
    delete_pod "$p"
    wait_for "$p to come back on $REVISION as a streaming replica" healthy_replica "$p"
  fi
done

if outdated "$PRIMARY"; then
  if [ "$REPLICAS" = 1 ]; then
    delete_pod "$PRIMARY"
    wait_for "$PRIMARY to come back on $REVISION as the primary" healthy_primary "$PRIMARY"
  else
    wait_for "an updated replica to switch over to" find_candidate
    read -r _ _ leader_ip <<<"$(pod_state "$PRIMARY")"
    log "switching over from $PRIMARY to $CANDIDATE"
    code=$(patroni POST "$leader_ip" /switchover "{\"leader\":\"$PRIMARY\",\"candidate\":\"$CANDIDATE\"}")
    if [ "$code" != 200 ]; then
      log "switchover from $PRIMARY to $CANDIDATE answered HTTP $code; the Job retries (a re-run skips the pods already updated)"
      exit 1
    fi
    wait_for "$CANDIDATE to run as the primary" healthy_primary "$CANDIDATE"
    delete_pod "$PRIMARY"
    wait_for "$PRIMARY to come back on $REVISION as a streaming replica" healthy_replica "$PRIMARY"
  fi
fi
log "all pods of $STS_NAME run revision $REVISION"
