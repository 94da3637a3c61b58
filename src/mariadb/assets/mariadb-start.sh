#!/bin/bash
# Main container of MariaDBCluster: picks this pod's server_id and role from its ordinal, then
# hands over to the image's entrypoint (docker-entrypoint.sh), which initializes an empty data
# directory on the primary (root, the database, the app user and the replication user, from the
# MARIADB_*_FILE variables) and execs mariadbd with the arguments.
#
# Env: HOSTNAME (the pod name), PRIMARY_ORDINAL, SERVER_ID_BASE, DATADIR. Arguments: the
# mariadbd flags every pod shares.
#
# server_id = SERVER_ID_BASE + ordinal: unique per pod and never 0 (0 refuses to replicate).
# A replica is read-only (users with READ ONLY ADMIN, root included, can still write: see
# docs/mariadb.md) and must hold a cloned data directory: it refuses to let the entrypoint
# initialize a database of its own, whose GTIDs would diverge from the primary's.
set -eu
ordinal="${HOSTNAME##*-}"
case "$ordinal" in
  '' | *[!0-9]*) echo "cannot read an ordinal from the pod name '$HOSTNAME'" >&2; exit 1 ;;
esac
flags=("--server-id=$((SERVER_ID_BASE + ordinal))")
if [ "$ordinal" != "$PRIMARY_ORDINAL" ]; then
  if [ ! -d "$DATADIR/mysql" ]; then
    echo "replica $HOSTNAME has no cloned database in $DATADIR: the clone init container must run first" >&2
    exit 1
  fi
  flags+=(--read-only=ON)
fi
echo "starting $HOSTNAME as $([ "$ordinal" = "$PRIMARY_ORDINAL" ] && echo primary || echo replica) with ${flags[*]}"
exec docker-entrypoint.sh mariadbd "$@" "${flags[@]}"
