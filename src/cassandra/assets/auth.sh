#!/bin/bash
# The auth Job, converging: on a new cluster it logs in with Cassandra's default superuser
# (cassandra/cassandra), creates the `admin` superuser with the Secret's password, replicates
# system_auth to every DC (NetworkTopologyStrategy), then takes the default role's login and
# superuser away (a random password nobody keeps). On every run, as `admin`: the declared
# keyspaces (IF NOT EXISTS, never altered or dropped), their roles (passwords set from the
# Secret each run, so a rotation reaches the cluster) and GRANT ALL on their keyspace.
# Credentials go through a cqlshrc file and statements through stdin: never in argv.
#
# Env: HOST, DC, AUTH_RF, KEYSPACES ("keyspace:rf:role:password-file ..."), PASSWORD_DIR,
# ADMIN_PASSWORD_FILE, TRIES (default 60), SLEEP (default 10).
set -euo pipefail
export HOME="${TMPDIR:-/tmp}"
rc="$HOME/cqlshrc"
login() { # user password-file
  printf '[authentication]\nusername = %s\npassword = %s\n[connection]\nhostname = %s\nport = 9042\n' "$1" "$(cat "$2")" "$HOST" > "$rc"
  chmod 600 "$rc"
}
cql() { cqlsh --cqlshrc="$rc" "$@"; }
quote() { local v; v="$(cat "$1")"; printf "'%s'" "${v//\'/\'\'}"; }

login admin "$ADMIN_PASSWORD_FILE"
for attempt in $(seq 1 "${TRIES:-60}"); do
  if out="$(cql -e 'SELECT release_version FROM system.local' 2>&1)"; then
    echo "admin can log in"
    break
  fi
  if grep -q "Provided username admin and/or password are incorrect" <<< "$out"; then
    default="$HOME/default-password"
    echo cassandra > "$default"
    login cassandra "$default"
    if cql -e 'SELECT release_version FROM system.local' > /dev/null 2>&1; then
      echo "new cluster: creating the admin role"
      cql <<CQL
CREATE ROLE IF NOT EXISTS admin WITH PASSWORD = $(quote "$ADMIN_PASSWORD_FILE") AND SUPERUSER = true AND LOGIN = true;
ALTER KEYSPACE system_auth WITH replication = {'class': 'NetworkTopologyStrategy', '$DC': $AUTH_RF};
CQL
      login admin "$ADMIN_PASSWORD_FILE"
      head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$default"
      cql <<CQL
ALTER ROLE cassandra WITH PASSWORD = $(quote "$default") AND SUPERUSER = false AND LOGIN = false;
CQL
      rm -f "$default"
      break
    fi
    login admin "$ADMIN_PASSWORD_FILE"
  fi
  [ "$attempt" -lt "${TRIES:-60}" ] || { echo "auth: cannot log in as admin or as the default superuser: $out" >&2; exit 1; }
  sleep "${SLEEP:-10}"
done
for spec in ${KEYSPACES:-}; do
  IFS=: read -r ks rf role pwfile <<< "$spec"
  # Names are checked at synth ([a-z][a-z0-9_]*): safe unquoted.
  cql <<CQL
CREATE KEYSPACE IF NOT EXISTS $ks WITH replication = {'class': 'NetworkTopologyStrategy', '$DC': $rf};
CREATE ROLE IF NOT EXISTS $role WITH PASSWORD = $(quote "$PASSWORD_DIR/$pwfile") AND LOGIN = true;
ALTER ROLE $role WITH PASSWORD = $(quote "$PASSWORD_DIR/$pwfile");
GRANT ALL PERMISSIONS ON KEYSPACE $ks TO $role;
CQL
  echo "keyspace $ks (role $role) ready"
done
