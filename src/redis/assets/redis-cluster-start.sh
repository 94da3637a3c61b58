#!/bin/sh
# Starts one node of a Redis Cluster (RedisCluster in cluster mode): renders redis.conf into
# CONF_DIR (an emptyDir, so the password never sits in a ConfigMap) and execs redis-server. The
# node announces its stable DNS name (cluster-announce-hostname, Redis 7+) and clients are
# redirected to names, not pod IPs (cluster-preferred-endpoint-type hostname). The cluster's
# own state (node id, peers, slots) is nodes.conf on the data volume; the create Job forms the
# cluster, this script never does.
#
# Nodes still reach each other on the cluster bus by IP. A pod that is rescheduled gets a new
# IP, which its peers learn when it connects; when every pod restarts at once, the IPs in each
# nodes.conf are all stale, so before starting, each peer's recorded IP is replaced by what its
# recorded hostname resolves to now (peers not resolvable yet keep theirs).
# https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/ (nodes.conf,
# "ip:port@cport,hostname").
#
# Env: POD_NAME, POD_NAMESPACE, HEADLESS, CLUSTER_DOMAIN, PASSWORD_FILE, CONF_DIR, DATA_DIR,
# REDIS_PORT, BUS_PORT, NODE_TIMEOUT_MS, PERSISTENCE (aof|rdb|none), MAXMEMORY (bytes, 0 = none),
# MAXMEMORY_POLICY. REDIS_SERVER: the binary (default redis-server).
set -eu

REDISCLI_AUTH=$(cat "$PASSWORD_FILE")
server=${REDIS_SERVER:-redis-server}
self="$POD_NAME.$HEADLESS.$POD_NAMESPACE.svc.$CLUSTER_DOMAIN"
nodes="$DATA_DIR/nodes.conf"

umask 077
if [ -s "$nodes" ]; then
  cp "$nodes" "$nodes.refresh"
  sed -n 's/^[0-9a-f]\{40\} [^ ,]*,\([^ ,]*\)[ ,].*/\1/p' "$nodes" | while IFS= read -r host; do
    ip=$(getent hosts "$host" | awk '{ print $1; exit }' || true)
    [ -n "$ip" ] || continue
    h=$(printf '%s' "$host" | sed 's/[.]/\\./g')
    sed -i "s/^\([0-9a-f]\{40\}\) [^ ]*:\([0-9]*@[0-9]*\),$h\([ ,]\)/\1 $ip:\2,$host\3/" "$nodes.refresh"
  done
  if ! cmp -s "$nodes" "$nodes.refresh"; then echo "nodes.conf: peer addresses refreshed from their host names"; fi
  mv "$nodes.refresh" "$nodes"
  echo "server: rejoining the cluster as $self ($(grep -c . "$nodes") entries in nodes.conf)"
else
  echo "server: new node $self; the create Job adds it to the cluster"
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

mkdir -p "$CONF_DIR"
conf="$CONF_DIR/redis.conf"
cat > "$conf" <<CONF
port $REDIS_PORT
protected-mode no
dir $DATA_DIR
requirepass "$REDISCLI_AUTH"
masterauth "$REDISCLI_AUTH"
cluster-enabled yes
cluster-config-file $nodes
cluster-port $BUS_PORT
cluster-node-timeout $NODE_TIMEOUT_MS
cluster-announce-hostname $self
cluster-preferred-endpoint-type hostname
$persistence_conf
maxmemory $MAXMEMORY
maxmemory-policy $MAXMEMORY_POLICY
CONF
exec "$server" "$conf"
