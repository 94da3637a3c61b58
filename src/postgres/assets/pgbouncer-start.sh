#!/bin/bash
# Entry point of the PgBouncer containers: writes the auth_file, which holds only the auth_user's
# password (from the Secret, env PGBOUNCER_PASSWORD), into the pod's private emptyDir, then runs
# PgBouncer in the foreground with the config file given as $1 (from the ConfigMap, no passwords).
# Every other user is looked up at login through auth_query (pgbouncer.get_auth in the database).
# userlist.txt format (https://www.pgbouncer.org/config.html#authentication-file-format):
# "user" "password", a double quote inside a field written twice.
set -euo pipefail
config="$1"
: "${PGBOUNCER_PASSWORD:?}" "${AUTH_FILE:?}" "${AUTH_USER:?}"
umask 077
printf '"%s" "%s"\n' "${AUTH_USER//\"/\"\"}" "${PGBOUNCER_PASSWORD//\"/\"\"}" >"$AUTH_FILE.tmp"
mv -f "$AUTH_FILE.tmp" "$AUTH_FILE"
unset PGBOUNCER_PASSWORD
exec pgbouncer "$config"
