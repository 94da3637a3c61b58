# shellcheck shell=bash
# A /docker-entrypoint-initdb.d script of the official image: sourced (not executable) by
# docker-entrypoint.sh on the first start of the primary only, after initdb, with a temporary
# server on the Unix socket. Creates the replication role, allows it in pg_hba.conf (the
# entrypoint adds only `host all all all`, which does not match replication connections) and
# creates the roles and databases of databases.list (the replication role is its first entry).
#
# Env: POSTGRES_USER and PGDATA (the image's), REPLICATION_USER.
# The entrypoint also sources databases.sh, which sits in the same directory; sourcing it again
# here keeps this script independent of the order.

# databases.sh is checked on its own (shellcheck -x follows it from here).
# shellcheck source-path=SCRIPTDIR source=databases.sh disable=SC1091
. "$(dirname "${BASH_SOURCE[0]}")/databases.sh"
create_from_list "$(dirname "${BASH_SOURCE[0]}")/databases.list" \
  --username "$POSTGRES_USER" --no-password --dbname postgres
echo "host replication $REPLICATION_USER all scram-sha-256" >> "$PGDATA/pg_hba.conf"
