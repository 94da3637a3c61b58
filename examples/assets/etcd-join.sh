#!/bin/sh
# Starts an etcd member with the flags it is given ("$@", the manifest's args). A member whose
# data directory is empty while the cluster already runs cannot start with
# --initial-cluster-state=new: the cluster knows its old identity, so etcd crash-loops forever.
# In that case this replaces the member's stale entry (member remove + member add) and starts it
# with --initial-cluster-state=existing. Runs under busybox sh in the distroless etcd image.
# Input: the etcd flags, CLIENT_PORT (the members' client port) and optional ETCD_BIN/ETCDCTL_BIN.
set -eu
: "${CLIENT_PORT:?CLIENT_PORT must be set}"
etcd=${ETCD_BIN:-/usr/local/bin/etcd}
etcdctl=${ETCDCTL_BIN:-/usr/local/bin/etcdctl}

name='' data_dir='' initial_cluster='' peer_url=''
for a do
  case $a in
    --name=*) name=${a#*=} ;;
    --data-dir=*) data_dir=${a#*=} ;;
    --initial-cluster=*) initial_cluster=${a#*=} ;;
    --initial-advertise-peer-urls=*) peer_url=${a#*=} ;;
  esac
done
if [ -z "$name" ] || [ -z "$data_dir" ] || [ -z "$initial_cluster" ] || [ -z "$peer_url" ]; then
  echo "etcd-join: --name, --data-dir, --initial-cluster and --initial-advertise-peer-urls are required" >&2
  exit 2
fi

# Written after a member add, removed once the member has data: a restart in between must
# start as "existing" again (the added member's id is not the one "new" would derive).
marker="$data_dir.rejoining"
state=new
if [ -d "$data_dir/member" ]; then
  rm -f "$marker"
elif [ -f "$marker" ]; then
  state=existing
else
  endpoints=''
  old_ifs=$IFS
  IFS=,
  for m in $initial_cluster; do
    [ "${m%%=*}" = "$name" ] && continue
    url=${m#*=}
    endpoints="${endpoints:+$endpoints,}${url%:*}:$CLIENT_PORT"
  done
  IFS=$old_ifs
  ctl() { "$etcdctl" --endpoints="$endpoints" --dial-timeout=2s --command-timeout=10s "$@"; }
  # No answer: the cluster is being bootstrapped (or has no quorum); start as the manifest says.
  if list=$(ctl member list 2>/dev/null); then
    # Lines: id, status, name, peer urls, client urls, is learner
    entry=$(printf '%s\n' "$list" | grep -F ", $peer_url, " || true)
    case $entry in
      *", unstarted, "*)
        # Part of the initial bootstrap (or added by an earlier attempt): nothing to replace.
        ;;
      ?*)
        id=${entry%%,*}
        echo "etcd-join: $name has no data but the cluster lists it ($id): replacing the stale member"
        ctl member remove "$id"
        ctl member add "$name" --peer-urls="$peer_url"
        : > "$marker"
        state=existing
        ;;
      *)
        echo "etcd-join: $name has no data and is not a member: adding it"
        ctl member add "$name" --peer-urls="$peer_url"
        : > "$marker"
        state=existing
        ;;
    esac
  fi
fi

for a do
  shift
  case $a in
    --initial-cluster-state=*) a=--initial-cluster-state=$state ;;
  esac
  set -- "$@" "$a"
done
exec "$etcd" "$@"
