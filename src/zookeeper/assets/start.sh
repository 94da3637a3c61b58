#!/bin/bash
# Entrypoint wrapper of a ZooKeeper server pod. The official image's docker-entrypoint.sh writes
# zoo.cfg only when absent and myid from ZOO_MY_ID, which a StatefulSet cannot set per pod: this
# script derives myid from the pod's ordinal (myid = ordinal + 1, so ordinals.start is respected),
# writes it on every start (the claim of <pod> always belongs to that ordinal), builds zoo.cfg in
# the writable conf dir from the mounted static settings and ZOO_SERVERS (the `server.N` lines,
# expanded by the kubelet with the pod's namespace), then runs the command it is given.
# Inputs: POD_NAME, ZOO_SERVERS, ZOO_TEMPLATE_DIR (zoo.cfg, logback.xml), ZOOCFGDIR, ZOO_DATA_DIR.
set -euo pipefail

: "${POD_NAME:?POD_NAME is not set}"
: "${ZOO_SERVERS:?ZOO_SERVERS is not set}"
template="${ZOO_TEMPLATE_DIR:?ZOO_TEMPLATE_DIR is not set}"
conf="${ZOOCFGDIR:-/conf}"
data="${ZOO_DATA_DIR:-/data}"

ordinal="${POD_NAME##*-}"
if ! [[ "$ordinal" =~ ^[0-9]+$ ]]; then
  echo "start: cannot read an ordinal from pod name '$POD_NAME'" >&2
  exit 1
fi
myid=$((10#$ordinal + 1))

read -r -a servers <<< "$ZOO_SERVERS"
if ! printf '%s\n' "${servers[@]}" | grep -q "^server\.${myid}="; then
  echo "start: ZOO_SERVERS has no server.${myid} line for pod $POD_NAME: is replicas or ordinalsStart out of step with the server list?" >&2
  exit 1
fi

mkdir -p "$data"
if [ -f "$data/myid" ] && [ "$(cat "$data/myid")" != "$myid" ]; then
  echo "start: $data/myid said $(cat "$data/myid"); this pod is myid $myid, rewriting it" >&2
fi
echo "$myid" > "$data/myid"

{
  cat "$template/zoo.cfg"
  printf '%s\n' "${servers[@]}"
} > "$conf/zoo.cfg.new"
mv "$conf/zoo.cfg.new" "$conf/zoo.cfg"
cp "$template/logback.xml" "$conf/logback.xml"

echo "start: $POD_NAME is myid $myid of ${#servers[@]} servers"
exec "$@"
