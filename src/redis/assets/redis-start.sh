#!/bin/sh
# Starts one member of a Sentinel-managed Redis: `redis-start.sh server` renders redis.conf and
# execs redis-server, `redis-start.sh sentinel` renders sentinel.conf and execs Sentinel. Both
# files are written to CONF_DIR (an emptyDir): Sentinel rewrites its file, and the password never
# sits in a ConfigMap.
#
# Who is the primary, in this order:
#   1. what a Sentinel of a peer pod says (a server also asks its own Sentinel);
#   2. a peer that already runs as a primary (Sentinels restarted, servers did not);
#   3. pod 0 (a new cluster, or every pod restarted at once).
# A server that Sentinel names primary but that has no data while Sentinel knows replicas does
# not start (it would replicate its empty dataset to them): it exits and is restarted until
# Sentinel has promoted a replica, then starts as that replica's replica.
#
# Env: MODE-independent: POD_NAME, POD_NAMESPACE, NAME (StatefulSet), HEADLESS, CLUSTER_DOMAIN,
# REPLICAS, MASTER_NAME, PASSWORD_FILE, CONF_DIR, REDIS_PORT, SENTINEL_PORT. Server: DATA_DIR,
# PERSISTENCE (aof|rdb|none), MAXMEMORY (bytes, 0 = none), MAXMEMORY_POLICY. Sentinel: QUORUM,
# DOWN_AFTER_MS, FAILOVER_TIMEOUT_MS. REDIS_SERVER: the binary (default redis-server).
set -eu

mode=${1:?usage: redis-start.sh server|sentinel}
REDISCLI_AUTH=$(cat "$PASSWORD_FILE")
export REDISCLI_AUTH
server=${REDIS_SERVER:-redis-server}

peer() { echo "$NAME-$1.$HEADLESS.$POD_NAMESPACE.svc.$CLUSTER_DOMAIN"; }
self=$(peer "${POD_NAME##*-}")

# One line of a command's answer, or nothing (3 s at most per peer; a host name only).
ask() {
  host=$1 port=$2
  shift 2
  timeout 3 redis-cli --no-auth-warning -h "$host" -p "$port" "$@" 2>/dev/null | sed -n 1p | grep -E '^[A-Za-z0-9.-]+$' || true
}

# $1 = "with-self" to include this pod's own Sentinel.
sentinel_master() {
  i=0
  while [ "$i" -lt "$REPLICAS" ]; do
    h=$(peer "$i")
    if [ "$h" != "$self" ] || [ "$1" = with-self ]; then
      m=$(ask "$h" "$SENTINEL_PORT" SENTINEL get-master-addr-by-name "$MASTER_NAME")
      if [ -n "$m" ]; then echo "$m"; return 0; fi
    fi
    i=$((i + 1))
  done
  return 1
}

running_master() {
  i=0
  while [ "$i" -lt "$REPLICAS" ]; do
    h=$(peer "$i")
    if [ "$h" != "$self" ] && [ "$(ask "$h" "$REDIS_PORT" ROLE)" = master ]; then echo "$h"; return 0; fi
    i=$((i + 1))
  done
  return 1
}

# Whether any Sentinel knows replicas of the primary.
sentinels_know_replicas() {
  i=0
  while [ "$i" -lt "$REPLICAS" ]; do
    n=$(timeout 3 redis-cli --no-auth-warning -h "$(peer "$i")" -p "$SENTINEL_PORT" SENTINEL master "$MASTER_NAME" 2>/dev/null \
      | awk 'p { print; exit } $0 == "num-slaves" { p = 1 }' || true)
    if [ -n "$n" ] && [ "$n" -gt 0 ] 2>/dev/null; then return 0; fi
    i=$((i + 1))
  done
  return 1
}

mkdir -p "$CONF_DIR"
if [ "$mode" = sentinel ]; then
  master=$(sentinel_master without-self || running_master || peer 0)
  echo "sentinel: primary is $master"
  conf="$CONF_DIR/sentinel.conf"
  # A restarted container keeps its Sentinel id (the emptyDir outlives it): peers see the same
  # Sentinel come back instead of a new one beside a stale entry.
  myid=$(sed -n 's/^sentinel myid \([0-9a-f]\{40\}\)$/\1/p' "$conf" 2>/dev/null || true)
  umask 077
  cat > "$conf" <<CONF
port $SENTINEL_PORT
protected-mode no
dir $CONF_DIR
requirepass "$REDISCLI_AUTH"
sentinel sentinel-pass "$REDISCLI_AUTH"
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $self
sentinel announce-port $SENTINEL_PORT
sentinel monitor $MASTER_NAME $master $REDIS_PORT $QUORUM
sentinel auth-pass $MASTER_NAME "$REDISCLI_AUTH"
sentinel down-after-milliseconds $MASTER_NAME $DOWN_AFTER_MS
sentinel failover-timeout $MASTER_NAME $FAILOVER_TIMEOUT_MS
sentinel parallel-syncs $MASTER_NAME 1
CONF
  if [ -n "$myid" ]; then echo "sentinel myid $myid" >> "$conf"; fi
  exec "$server" "$conf" --sentinel
fi

[ "$mode" = server ] || { echo "unknown mode $mode" >&2; exit 2; }
marker="$DATA_DIR/.redis-member"
master=$(sentinel_master with-self || running_master || peer 0)
if [ "$master" = "$self" ]; then
  if { [ "$PERSISTENCE" = none ] || [ ! -f "$marker" ]; } && sentinels_know_replicas; then
    echo "Sentinel names $self the primary, but it has no data and Sentinel knows replicas: waiting for a replica to be promoted" >&2
    sleep 5
    exit 1
  fi
  echo "server: starting as the primary"
  replicaof=""
else
  echo "server: starting as a replica of $master"
  replicaof="replicaof $master $REDIS_PORT"
fi

case "$PERSISTENCE" in
  aof) persistence_conf='appendonly yes
appendfsync everysec
save ""' ;;
  rdb) persistence_conf='appendonly no
save 3600 1 300 100 60 10000' ;;
  none) persistence_conf='appendonly no
save ""' ;;
  *) echo "unknown PERSISTENCE $PERSISTENCE" >&2; exit 2 ;;
esac

conf="$CONF_DIR/redis.conf"
umask 077
cat > "$conf" <<CONF
port $REDIS_PORT
protected-mode no
dir $DATA_DIR
requirepass "$REDISCLI_AUTH"
masterauth "$REDISCLI_AUTH"
replica-announce-ip $self
replica-announce-port $REDIS_PORT
$persistence_conf
maxmemory $MAXMEMORY
maxmemory-policy $MAXMEMORY_POLICY
$replicaof
CONF
touch "$marker"
exec "$server" "$conf"
