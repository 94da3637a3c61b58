#!/bin/sh
# Starts an etcd member with the flags it is given ("$@", the manifest's args), and lets a member
# without data join a running cluster by itself. A member whose data directory is empty while the
# cluster runs cannot start with --initial-cluster-state=new (the cluster knows its old identity, so
# etcd crash-loops forever), and a member added by scaling up is not in the bootstrap cluster. Both
# are (re-)added here: member remove of a stale entry, member add, then
# --initial-cluster-state=existing with --initial-cluster set to the cluster's current members
# (etcd refuses an existing-state start whose list differs from the cluster's).
# Runs under busybox sh in the distroless etcd image (copied in by an init container).
# Input: the etcd flags, CLIENT_PORT (the members' client port), BUSYBOX (the busybox binary that
# provides grep, awk, ... in an image that has none; empty: the programs on PATH) and optional
# ETCD_BIN/ETCDCTL_BIN.
set -eu
: "${CLIENT_PORT:?CLIENT_PORT must be set}"
etcd=${ETCD_BIN:-/usr/local/bin/etcd}
etcdctl=${ETCDCTL_BIN:-/usr/local/bin/etcdctl}
bb() { if [ -n "${BUSYBOX:-}" ]; then "$BUSYBOX" "$@"; else "$@"; fi; }

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

# The name a peer URL has in the manifest's list (members added but not started have no name yet).
name_of() {
  old_ifs=$IFS
  IFS=,
  for m in $initial_cluster; do
    if [ "${m#*=}" = "$1" ]; then IFS=$old_ifs; printf '%s' "${m%%=*}"; return 0; fi
  done
  IFS=$old_ifs
  return 1
}

# The cluster's members as name=peer-url, from `member list` lines
# ("id, status, name, peer urls, client urls, is learner").
current_cluster() {
  printf '%s\n' "$1" | while IFS= read -r line; do
    [ -n "$line" ] || continue
    rest=${line#*, }; rest=${rest#*, }
    n=${rest%%, *}; rest=${rest#*, }
    u=${rest%%, *}; u=${u%%,*}
    if [ -z "$n" ]; then n=$(name_of "$u" || true); fi
    [ "$u" = "$peer_url" ] && n=$name
    [ -n "$n" ] || { echo "etcd-join: member with peer URL $u has no name (not one of this StatefulSet's pods?)" >&2; exit 3; }
    printf '%s=%s\n' "$n" "$u"
  done | bb paste -sd, -
}

# Written after a member add, with the cluster list the member joins with; removed once the
# member has data: a restart in between must start as "existing" again, with the same list.
marker="$data_dir.rejoining"
state=new
cluster=$initial_cluster
if [ -d "$data_dir/member" ]; then
  bb rm -f "$marker"
elif [ -f "$marker" ]; then
  state=existing
  cluster=$(bb cat "$marker")
else
  # The first other member that answers (a member of the bootstrap list, or one added by scaling up).
  endpoint='' list=''
  old_ifs=$IFS
  IFS=,
  for m in $initial_cluster; do
    [ "${m%%=*}" = "$name" ] && continue
    url=${m#*=}
    candidate="${url%:*}:$CLIENT_PORT"
    IFS=$old_ifs
    if list=$("$etcdctl" --endpoints="$candidate" --dial-timeout=2s --command-timeout=10s member list 2>/dev/null); then
      endpoint=$candidate
      break
    fi
    IFS=,
  done
  IFS=$old_ifs
  # No answer: the cluster is being bootstrapped (or has no quorum); start as the manifest says.
  if [ -n "$endpoint" ]; then
    ctl() { "$etcdctl" --endpoints="$endpoint" --dial-timeout=2s --command-timeout=10s "$@"; }
    entry=$(printf '%s\n' "$list" | bb grep -F ", $peer_url, " || true)
    # Fields: id, status, name, peer urls, client urls (published once a member has started), is learner.
    rest=${entry#*, }; rest=${rest#*, }
    entry_name=${rest%%, *}; rest=${rest#*, }; rest=${rest#*, }
    client_urls=${rest%%, *}
    if [ -z "$entry" ]; then
      echo "etcd-join: $name has no data and is not a member: adding it"
      ctl member add "$name" --peer-urls="$peer_url"
      state=existing
    elif [ -n "$client_urls" ]; then
      id=${entry%%,*}
      echo "etcd-join: $name has no data but the cluster lists it ($id): replacing the stale member"
      ctl member remove "$id"
      ctl member add "$name" --peer-urls="$peer_url"
      state=existing
    elif [ -z "$entry_name" ]; then
      # Added (by an earlier attempt whose marker was lost) but never started.
      state=existing
    fi
    # else: part of the initial bootstrap, never started: start as the manifest says.
    if [ "$state" = existing ]; then
      cluster=$(current_cluster "$(ctl member list)")
      bb mkdir -p "$(bb dirname "$marker")"
      printf '%s' "$cluster" > "$marker"
    fi
  fi
fi

for a do
  shift
  case $a in
    --initial-cluster-state=*) a=--initial-cluster-state=$state ;;
    --initial-cluster=*) a=--initial-cluster=$cluster ;;
  esac
  set -- "$@" "$a"
done
echo "etcd-join: starting $name as $state"
exec "$etcd" "$@"
