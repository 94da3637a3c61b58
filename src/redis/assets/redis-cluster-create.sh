#!/bin/bash
# The create Job of RedisCluster in cluster mode: forms the cluster once, and on scale-out adds
# the new pods to it. It converges and can run any number of times:
#   - no node knows another node and none owns a slot: a new cluster, `redis-cli --cluster
#     create` with every pod (the first SHARDS become the primaries);
#   - otherwise the cluster exists and is never re-created: each pod that knows only itself is
#     added with `--cluster add-node`, as a primary while there are fewer than SHARDS healthy
#     primaries, else as a replica (redis-cli gives it to the primary with the fewest replicas);
#     a stale entry under the same host name (a pod that lost its volume) is forgotten first;
#     then `rebalance --cluster-use-empty-masters` moves slots onto primaries without any (and
#     onto any primary off by more than 2 %, so a run stopped between add-node and rebalance is
#     finished by the next; slots left open by a rebalance stopped mid-way need --cluster fix);
#   - nothing to add and the slots balanced: nothing is changed.
# It ends when `redis-cli --cluster check` passes and every node reports cluster_state:ok.
# CLUSTER MEET takes addresses, not names, so nodes are given to redis-cli by their current IP;
# the nodes announce their host names themselves (cluster-announce-hostname).
#
# Env: NAME (StatefulSet), HEADLESS, POD_NAMESPACE, CLUSTER_DOMAIN, ORDINALS_START, SHARDS,
# REPLICAS_PER_SHARD, REDIS_PORT, PASSWORD_FILE. WAIT_SECONDS: how long to wait for the pods
# (default 600).
set -euo pipefail

REDISCLI_AUTH=$(cat "$PASSWORD_FILE")
export REDISCLI_AUTH
total=$((SHARDS * (1 + REPLICAS_PER_SHARD)))
wait_seconds=${WAIT_SECONDS:-600}

cli() { timeout 10 redis-cli --no-auth-warning -p "$REDIS_PORT" -h "$@"; }
info() { cli "$1" CLUSTER INFO | tr -d '\r' | sed -n "s/^$2://p"; }
# CLUSTER NODES of a node: id addr flags master ping pong epoch link [slots...]
cluster_nodes() { cli "$1" CLUSTER NODES | tr -d '\r'; }
# Whether every node knows the same number of nodes.
agree() {
  local n first=""
  for ip in "${ips[@]}"; do
    n=$(info "$ip" cluster_known_nodes 2>/dev/null) || return 1
    first=${first:-$n}
    [ "$n" = "$first" ] || return 1
  done
}
# Primaries that are not failing and own no slot, as a node sees them.
empty_primaries() { cluster_nodes "$1" | awk '$3 ~ /master/ && $3 !~ /fail/ && NF == 8 { n++ } END { print n + 0 }'; }
healthy_primaries() { cluster_nodes "$1" | awk '$3 ~ /master/ && $3 !~ /fail/ { n++ } END { print n + 0 }'; }

hosts=() ips=()
for ((i = 0; i < total; i++)); do
  hosts[i]="$NAME-$((ORDINALS_START + i)).$HEADLESS.$POD_NAMESPACE.svc.$CLUSTER_DOMAIN"
  deadline=$((SECONDS + wait_seconds))
  until ip=$(getent hosts "${hosts[i]}" | awk '{ print $1; exit }' || true); [ -n "$ip" ] && [ "$(cli "$ip" PING 2>/dev/null)" = PONG ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "${hosts[i]} does not answer after ${wait_seconds} s; the Job retries" >&2
      exit 1
    fi
    sleep 2
  done
  ips[i]=$ip
done

entry="" fresh=() slotted=0
for i in "${!ips[@]}"; do
  known=$(info "${ips[i]}" cluster_known_nodes)
  slots=$(info "${ips[i]}" cluster_slots_assigned)
  if [ "$slots" -gt 0 ]; then slotted=1; fi
  if [ "$known" -gt 1 ]; then
    entry=${entry:-${ips[i]}}
  elif [ "$slots" -eq 0 ]; then
    fresh+=("$i")
  fi
done

if [ -z "$entry" ]; then
  if [ "$slotted" -eq 1 ]; then
    echo "some nodes own slots but no node knows another: not a state this Job creates; inspect with redis-cli --cluster check and repair with --cluster fix" >&2
    exit 1
  fi
  addrs=()
  for i in "${!ips[@]}"; do addrs+=("${ips[i]}:$REDIS_PORT"); done
  echo "creating a cluster of $SHARDS primaries with $REPLICAS_PER_SHARD replicas each: ${hosts[*]}"
  redis-cli --no-auth-warning --cluster create "${addrs[@]}" --cluster-replicas "$REPLICAS_PER_SHARD" --cluster-yes
else
  echo "the cluster exists (entry ${entry}); new nodes: ${#fresh[@]}"
  for i in "${fresh[@]}"; do
    # A pod that lost its volume comes back as a new node: forget its old entry (failed, no slots).
    for id in $(cluster_nodes "$entry" | awk -v h="${hosts[i]}" '{ split($2, a, ","); if (a[2] == h && $3 ~ /fail/ && NF == 8) print $1 }'); do
      echo "forgetting the stale entry $id of ${hosts[i]}"
      for ip in "${ips[@]}"; do cli "$ip" CLUSTER FORGET "$id" >/dev/null 2>&1 || true; done
    done
    before=$(info "$entry" cluster_known_nodes)
    if [ "$(healthy_primaries "$entry")" -lt "$SHARDS" ]; then
      echo "adding ${hosts[i]} as a primary"
      redis-cli --no-auth-warning --cluster add-node "${ips[i]}:$REDIS_PORT" "$entry:$REDIS_PORT"
    else
      echo "adding ${hosts[i]} as a replica"
      redis-cli --no-auth-warning --cluster add-node "${ips[i]}:$REDIS_PORT" "$entry:$REDIS_PORT" --cluster-slave
    fi
    # Until the entry node has exchanged pings with it (its host name is known and the handshake is
    # over): the next node's role depends on the primaries the entry node counts.
    for _ in $(seq 1 60); do
      if cluster_nodes "$entry" | awk -v h="${hosts[i]}" '{ split($2, a, ","); if (a[2] == h && $3 !~ /handshake|noaddr/) f = 1 } END { exit !f }' \
        && [ "$(info "$entry" cluster_known_nodes)" -gt "$before" ]; then break; fi
      sleep 1
    done
  done
  # Every node must know every other before slots move (MIGRATE to a node it does not know fails).
  deadline=$((SECONDS + wait_seconds))
  until agree && redis-cli --no-auth-warning --cluster check "$entry:$REDIS_PORT" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      redis-cli --no-auth-warning --cluster check "$entry:$REDIS_PORT" || true
      echo "the nodes do not agree after ${wait_seconds} s; the Job retries. Slots left open by an interrupted rebalance (check reports them) are closed by redis-cli --cluster fix <node>:6379" >&2
      exit 1
    fi
    sleep 2
  done
  empty=$(empty_primaries "$entry")
  # redis-cli moves slots only when a primary is off by more than 2 %: a balanced cluster is left alone.
  echo "rebalancing: $empty primaries own no slots"
  out=$(redis-cli --no-auth-warning --cluster rebalance "$entry:$REDIS_PORT" --cluster-use-empty-masters)
  echo "$out"
  if [ "${#fresh[@]}" -eq 0 ] && grep -q 'No rebalancing needed' <<<"$out"; then
    echo "nothing to do: every node is in the cluster and the slots are balanced"
  fi
fi

first=${entry:-${ips[0]}}
deadline=$((SECONDS + wait_seconds))
# Consistent, every node knows every other, and every node has seen each new node take its role.
all_ok() {
  agree && redis-cli --no-auth-warning --cluster check "$first:$REDIS_PORT" >/dev/null 2>&1 || return 1
  for ip in "${ips[@]}"; do
    [ "$(info "$ip" cluster_state 2>/dev/null)" = ok ] && [ "$(empty_primaries "$ip" 2>/dev/null)" = 0 ] || return 1
  done
}
until all_ok; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    redis-cli --no-auth-warning --cluster check "$first:$REDIS_PORT" || true
    echo "the cluster is not consistent after ${wait_seconds} s; the Job retries" >&2
    exit 1
  fi
  sleep 2
done
echo "cluster ok: $(info "$first" cluster_known_nodes) nodes, $(healthy_primaries "$first") primaries, $(info "$first" cluster_slots_ok) slots ok"
