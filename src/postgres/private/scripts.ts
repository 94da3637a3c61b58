// Internal: shell scripts run inside the database pods. Names in them are validated
// (/^[a-z_][a-z0-9_]*$/) before they are written, so they need no quoting beyond SQL's %I.

/** Where the credentials Secret is mounted as files in every database pod. */
export const CREDENTIALS_DIR = '/etc/postgres-credentials';

export interface DatabaseSpec {
  readonly name: string;
  readonly owner: string;
  readonly passwordKey: string;
}

/**
 * psql functions: idempotent role and database creation (existing passwords are never changed).
 * synchronous_commit=local: with synchronous replication on, a commit during bootstrap would
 * otherwise wait for a replica that does not exist yet (Spilo's post_init.sh does the same).
 */
function functions(psql: string): string {
  return `export PGOPTIONS="-c synchronous_commit=local"
ensure_role() { # role, password file, extra attributes
  ${psql} -v role="$1" -v pw="$(cat "$2")" -v attrs="$3" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN %s PASSWORD %L', :'role', :'attrs', :'pw')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'role')\\gexec
SQL
}
ensure_database() { # database, owner
  ${psql} -v db="$1" -v owner="$2" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = :'db')\\gexec
SQL
}
`;
}

function databaseLines(dbs: DatabaseSpec[]): string {
  const owners = [...new Map(dbs.map((d) => [d.owner, d.passwordKey])).entries()];
  return [
    ...owners.map(([owner, key]) => `ensure_role ${owner} "${CREDENTIALS_DIR}/${key}" ''`),
    ...dbs.map((d) => `ensure_database ${d.name} ${d.owner}`),
  ].join('\n');
}

/**
 * Patroni's bootstrap.post_init: runs once, on the member that creates the cluster, with a
 * connection URL as its last argument. It first runs Spilo's own post_init (roles and
 * extensions Spilo expects; Spilo's template calls it as `/scripts/post_init.sh "$HUMAN_ROLE"`),
 * then creates the application roles and databases. Patroni's run script
 * (postgres-appliance/runit/patroni/run) drops the pod env, so passwords are read from files.
 */
export function patroniPostInit(dbs: DatabaseSpec[]): string {
  return `#!/bin/bash
set -euo pipefail
URL="\${@: -1}"
/scripts/post_init.sh zalandos "$URL"
${functions('psql -X -q -v ON_ERROR_STOP=1 -d "$URL"')}${databaseLines(dbs)}
`;
}

/**
 * /docker-entrypoint-initdb.d script of the official image: sourced (not executable) by
 * docker-entrypoint.sh after initdb, with a temporary server on the Unix socket. Creates the
 * replication role, allows it in pg_hba.conf (the entrypoint adds only `host all all all`,
 * which does not match replication connections) and creates the application databases.
 */
export function streamingInitdb(replicationUser: string, replicationKey: string, dbs: DatabaseSpec[]): string {
  return `# Sourced by docker-entrypoint.sh on the first start of the primary only.
${functions('psql -X -q -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --dbname postgres')}ensure_role ${replicationUser} "${CREDENTIALS_DIR}/${replicationKey}" REPLICATION
echo "host replication ${replicationUser} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
${databaseLines(dbs)}
`;
}

/**
 * Init container of the streaming mode: ordinal 0 is the primary and starts as it is; any
 * other ordinal with an empty data directory is cloned from it with pg_basebackup, using its
 * own physical slot `replica_<ordinal>`. `-R` writes primary_conninfo, primary_slot_name and
 * standby.signal.
 *
 * The slot is dropped (if left over from an earlier clone of this ordinal) and created afresh by
 * pg_basebackup -C, which reserves WAL from the start of the backup. A leftover slot must not be
 * reused: a replica that was gone longer than max_slot_wal_keep_size allows has an invalidated
 * slot (pg_replication_slots.wal_status 'lost'); PostgreSQL 16 and 17 let a walsender stream from
 * it anyway, but it never again holds back WAL (slot.c ReplicationSlotsComputeRequiredLSN skips
 * slots with data.invalidated set), and PostgreSQL 18 refuses it (walsender.c StartReplication:
 * ReplicationSlotAcquire(..., error_if_invalid = true)). An empty data directory owes the old slot
 * nothing. When the drop fails because the slot is still active (the old walsender has not yet
 * timed out), -C fails with "already exists" and the init container is retried.
 *
 * The clone goes to `$PGDATA.partial` and is renamed when pg_basebackup has finished. PG_VERSION
 * is among the first files a base backup writes, and a pg_basebackup that is killed (pod deleted
 * or drained, node lost, OOM) leaves its directory behind (it cleans up only on its own errors);
 * cloning into $PGDATA directly would make the next start take the half-copied directory for a
 * database ("holds a database") and PostgreSQL would then fail for good with "WAL ends before end
 * of online backup" until someone deleted the volume.
 */
export function streamingClone(replicationUser: string, replicationKey: string, walDir: string | undefined): string {
  return `set -eu
ordinal="\${HOSTNAME##*-}"
if [ -s "$PGDATA/PG_VERSION" ]; then echo "$PGDATA holds a database: starting as it is"; exit 0; fi
if [ "$ordinal" = "0" ]; then
  # An empty primary while replicas answer means pod 0 lost its volume: a new, empty database
  # behind the read-write Service would hide the data the replicas still have. The headless
  # Service lists only Ready pods, and pod 0 is not Ready while this runs.
  if pg_isready -q -t 3 -h "$PEERS_HOST" -p 5432; then
    echo "refusing to initialize an empty primary: a replica behind $PEERS_HOST is running with data." >&2
    echo "Promote a replica and rebuild pod 0 from it (docs/postgres.md), or delete every volume to start over." >&2
    exit 1
  fi
  echo "ordinal 0 is the primary: nothing to clone"; exit 0
fi
PGPASSWORD="$(cat ${CREDENTIALS_DIR}/${replicationKey})"; export PGPASSWORD
until pg_isready -q -h "$PRIMARY_HOST" -p 5432; do echo "waiting for the primary $PRIMARY_HOST"; sleep 5; done
slot="replica_$ordinal"
pg_receivewal -h "$PRIMARY_HOST" -U ${replicationUser} --drop-slot --slot "$slot" 2>/dev/null && echo "dropped the leftover slot $slot" || true
rm -rf "$PGDATA" "$PGDATA.partial"${walDir ? ` "${walDir}"` : ''}
pg_basebackup -h "$PRIMARY_HOST" -U ${replicationUser} -D "$PGDATA.partial" -R -X stream -C -S "$slot" --checkpoint=fast${walDir ? ` --waldir="${walDir}"` : ''}
mv "$PGDATA.partial" "$PGDATA"
echo "cloned from $PRIMARY_HOST with slot $slot"
`;
}

/**
 * pg_dumpall into the backup volume, keeping the newest `keep` dumps (recipes §4, Bitnami
 * backup/cronjob.yaml). A failed run removes its partial file: the retention only counts complete
 * dumps, so partial ones would otherwise pile up (one per failed attempt) until the volume is full
 * and every later backup fails.
 */
export function dumpAll(keep: number): string {
  return `set -eu
f="/backup/pg_dumpall-$(date -u +%Y-%m-%dT%H%M%SZ).sql.gz"
trap 'rm -f "$f.tmp"' EXIT
pg_dumpall --clean --if-exists --load-via-partition-root --quote-all-identifiers --no-password | gzip > "$f.tmp"
mv "$f.tmp" "$f"
ls -1t /backup/pg_dumpall-*.sql.gz | tail -n +${keep + 1} | xargs -r rm -f --
echo "wrote $f"
`;
}
