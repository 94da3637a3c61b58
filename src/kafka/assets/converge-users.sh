#!/usr/bin/env bash
# Users Job: makes the cluster's SCRAM users and ACLs converge on the spec, at run time, without a
# broker restart. Talks to BOOTSTRAP (the INTERNAL listener) with the node keystore in
# /etc/kafka/tls (TLS_STORE_PASSWORD): the node identity is a super user.
#   USERS  one user name a line; with SCRAM=1 each has its password in /etc/kafka-users/<name>/password
#   ACLS   one ACL a line: principal|RESOURCE_TYPE|PATTERN|name|OPERATION|PERMISSION|CliOperation
# Ownership: every user it manages carries a marker ACL (Describe on the literal topic MARKER, a
# topic nobody creates). ACLs of a marked principal are this Job's: missing ones are added, the
# ones the spec no longer declares removed. A marked principal that left the spec loses its ACLs,
# its marker and its SCRAM credential. Principals without the marker are never touched.
set -euo pipefail
PATH="$PATH:/opt/kafka/bin"
: "${BOOTSTRAP:?}" "${TLS_STORE_PASSWORD:?}"
USERS="${USERS:-}" ACLS="${ACLS:-}" SCRAM="${SCRAM:-}"
MARKER="${MARKER:-__cdk8s-stateful-managed-user}"
USERS_DIR="${USERS_DIR:-/etc/kafka-users}"
T="${TMPDIR:-/tmp}"
P="$T/client.properties"
printf "%s\n" security.protocol=SSL ssl.keystore.type=PKCS12 ssl.keystore.location=/etc/kafka/tls/keystore.p12 \
  "ssl.keystore.password=$TLS_STORE_PASSWORD" ssl.truststore.type=PKCS12 ssl.truststore.location=/etc/kafka/tls/truststore.p12 \
  "ssl.truststore.password=$TLS_STORE_PASSWORD" > "$P"
acls() { kafka-acls.sh --bootstrap-server "$BOOTSTRAP" --command-config "$P" "$@"; }
configs() { kafka-configs.sh --bootstrap-server "$BOOTSTRAP" --command-config "$P" "$@"; }

n=0
until kafka-broker-api-versions.sh --bootstrap-server "$BOOTSTRAP" --command-config "$P" > /dev/null 2>&1; do
  n=$((n + 1)); [ "$n" -lt 60 ] || { echo "no broker answered at $BOOTSTRAP" >&2; exit 1; }
  echo "waiting for a broker at $BOOTSTRAP ($n/60)"; sleep 10
done

# `kafka-acls.sh --list` output -> principal|TYPE|PATTERN|name|OPERATION|PERMISSION, one a line.
normalize() {
  sed -n -e 's/.*resourceType=\([A-Z_]*\), name=\(.*\), patternType=\([A-Z]*\)).*/R \1|\3|\2/p' \
    -e 's/.*(principal=\([^,]*\), host=\*, operation=\([A-Z_]*\), permissionType=\([A-Z]*\)).*/A \1|\2|\3/p' |
    awk '/^R / { r = substr($0, 3); next } /^A / { split(substr($0, 3), a, "|"); split(r, b, "|"); print a[1] "|" b[1] "|" b[2] "|" b[3] "|" a[2] "|" a[3] }' |
    sort -u
}
# CLI arguments of one normalized ACL line (CliOperation in field 7, else derived from field 5).
acl_args() {
  local principal type pattern name op perm cli
  IFS='|' read -r principal type pattern name op perm cli <<< "$1"
  [ -n "$cli" ] || cli=$(printf '%s' "$op" | awk -F_ '{ for (i = 1; i <= NF; i++) printf "%s%s", substr($i, 1, 1), tolower(substr($i, 2)) }')
  args=("--${perm,,}-principal" "$principal" --operation "$cli" --resource-pattern-type "${pattern,,}")
  case "$type" in
    TOPIC) args+=(--topic "$name") ;;
    GROUP) args+=(--group "$name") ;;
    TRANSACTIONAL_ID) args+=(--transactional-id "$name") ;;
    CLUSTER) args+=(--cluster) ;;
    *) echo "unknown resource type $type" >&2; exit 1 ;;
  esac
}

mapfile -t declared < <(printf '%s\n' "$USERS" | grep -v '^$' || true)
# Principals marked by earlier runs.
mapfile -t marked < <(acls --list --topic "$MARKER" | normalize | cut -d'|' -f1 | sort -u)

# 1. Passwords (SCRAM): from files, through a properties file, never on a command line.
if [ "$SCRAM" = 1 ]; then
  for u in "${declared[@]}"; do
    f="$USERS_DIR/$u/password"
    [ -s "$f" ] || { echo "user $u: no password in $f" >&2; exit 1; }
    pw=$(cat "$f")
    case "$pw" in *,* | *[][]* | *$'\n'*) echo "user $u: the password holds ',', '[', ']' or a newline, which kafka-configs.sh cannot pass; use another" >&2; exit 1 ;; esac
    F="$T/scram.properties"
    (umask 077; printf 'SCRAM-SHA-512=[password=%s]\n' "${pw//\\/\\\\}" > "$F")
    configs --alter --entity-type users --entity-name "$u" --add-config-file "$F"
    rm -f "$F"
    echo "user $u: SCRAM-SHA-512 credential set"
  done
fi

# 2. ACLs of every managed principal: declared ones and those marked before.
want_all=$(printf '%s\n' "$ACLS" | grep -v '^$' | cut -d'|' -f1-6 | sort -u || true)
for u in "${declared[@]}"; do want_all+=$'\n'"User:$u|TOPIC|LITERAL|$MARKER|DESCRIBE|ALLOW"; done
principals=$( { for u in "${declared[@]}"; do echo "User:$u"; done; printf '%s\n' "${marked[@]}"; } | grep -v '^$' | sort -u || true)
for pr in $principals; do
  have=$(acls --list --principal "$pr" | normalize | grep -F "$pr|" || true)
  want=$(printf '%s\n' "$want_all" | grep -F "$pr|" | sort -u || true)
  # Add what is missing before removing what is extra: a changed ACL never leaves a gap.
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    cli=$(printf '%s\n' "$ACLS" | grep -F -m1 "$line|" | cut -d'|' -f7 || true)
    acl_args "$line|$cli"; acls --add "${args[@]}" > /dev/null
    echo "added: $line"
  done < <(comm -13 <(printf '%s\n' "$have") <(printf '%s\n' "$want"))
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    acl_args "$line|"; acls --remove --force "${args[@]}" > /dev/null
    echo "removed: $line"
  done < <(comm -23 <(printf '%s\n' "$have") <(printf '%s\n' "$want"))
done

# 3. Users that left the spec: their SCRAM credential goes too (their ACLs went above).
for pr in "${marked[@]}"; do
  u="${pr#User:}"
  printf '%s\n' "${declared[@]}" | grep -qxF "$u" && continue
  # A user without a credential (mTLS, or deleted by hand) makes kafka-configs.sh fail: nothing to delete then.
  [ "$SCRAM" != 1 ] || configs --alter --entity-type users --entity-name "$u" --delete-config SCRAM-SHA-512 || echo "user $u: no SCRAM credential to delete"
  echo "user $u: no longer declared, removed"
done
echo "users converged: ${#declared[@]} declared"
