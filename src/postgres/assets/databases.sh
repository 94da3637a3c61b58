# shellcheck shell=bash
# Sourced (never run): defines create_from_list, which creates roles and databases from a list
# file, idempotently. Existing roles keep their passwords and existing databases are left alone,
# so a second run (a re-tried bootstrap) changes nothing.
#
# The list file, one entry a line (written by the construct; names are validated there as
# /^[a-z_][a-z0-9_]*$/, so they need no quoting beyond SQL's %I):
#   role <name> <file holding its password> [attributes, e.g. REPLICATION]
#   database <name> <owner>
#
# synchronous_commit=local: with synchronous replication on, a commit during bootstrap would
# otherwise wait for a replica that does not exist yet (Spilo's post_init.sh does the same).

create_from_list() { # list file, then psql's connection arguments
  local list="$1" kind name arg attrs pw
  shift
  while read -r kind name arg attrs; do
    case "$kind" in
      role)
        # A missing password file fails the bootstrap: a role without a password would not do.
        pw="$(cat "$arg")" || return 1
        PGOPTIONS="-c synchronous_commit=local" psql -X -q -v ON_ERROR_STOP=1 "$@" \
          -v role="$name" -v pw="$pw" -v attrs="${attrs:-}" <<'SQL' || return 1
SELECT format('CREATE ROLE %I LOGIN %s PASSWORD %L', :'role', :'attrs', :'pw')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'role')\gexec
SQL
        ;;
      database)
        PGOPTIONS="-c synchronous_commit=local" psql -X -q -v ON_ERROR_STOP=1 "$@" \
          -v db="$name" -v owner="$arg" <<'SQL' || return 1
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = :'db')\gexec
SQL
        ;;
      '') ;;
      *) echo "$list: unknown entry '$kind'" >&2; return 1 ;;
    esac
  done < "$list"
}
