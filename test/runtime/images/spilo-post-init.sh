#!/bin/bash
# Stands in for Spilo's /scripts/post_init.sh in the runtime tier (Spilo's script creates its own
# roles, extensions and cron jobs, none of which our bootstrap depends on). It checks what our
# post-init.sh hands it, as Spilo's template calls it: `post_init.sh <human role> <connection
# string>`, and that the connection string reaches the server.
set -euo pipefail
[ "$#" = 2 ] || { echo "spilo post_init stub: expected 2 arguments, got $#: $*" >&2; exit 2; }
psql -X -At -v ON_ERROR_STOP=1 -d "$2" -c 'SELECT 1' >/dev/null
echo "spilo post_init stub: role=$1 url=$2"
