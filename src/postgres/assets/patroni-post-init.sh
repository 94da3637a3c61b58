#!/bin/bash
# Patroni's bootstrap.post_init: runs once, on the member that creates the cluster, with a
# connection URL as its last argument. It first runs Spilo's own post_init (roles and extensions
# Spilo expects; Spilo's template calls it as `/scripts/post_init.sh "$HUMAN_ROLE"`), then creates
# the application roles and databases listed in databases.list beside this script.
#
# Patroni's run script (postgres-appliance/runit/patroni/run) drops the pod env, so everything
# comes from files: the list beside this script, the passwords from the mounted Secret.
# SPILO_POST_INIT exists for tests only.
set -euo pipefail
URL="${*: -1}"
here="$(dirname "$0")"
"${SPILO_POST_INIT:-/scripts/post_init.sh}" zalandos "$URL"
# databases.sh is checked on its own (shellcheck -x follows it from here).
# shellcheck source-path=SCRIPTDIR source=databases.sh disable=SC1091
. "$here/databases.sh"
create_from_list "$here/databases.list" -d "$URL"
