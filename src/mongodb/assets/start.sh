#!/bin/bash
# Entrypoint wrapper of a replica set member. mongod refuses a keyfile that its group or others
# can read ("permissions on <file> are too open"), and a Secret volume's files belong to root with
# the pod's fsGroup: this script copies the key to a file of its own with mode 0400. It also maps
# the generated key's URL-safe characters '-' and '_' to '+' and '/': mongod accepts only the
# base64 alphabet in a keyfile (security_file.cpp, "invalid char in key file"); every member maps
# the same way, so they share one key. Then it runs the command it is given (mongod ...), under
# `numactl --interleave=all` where that works, as the image's docker-entrypoint.sh does.
# Inputs: MONGO_KEYFILE_SOURCE (the mounted Secret key), MONGO_KEYFILE (where mongod reads it).
set -euo pipefail

src="${MONGO_KEYFILE_SOURCE:?MONGO_KEYFILE_SOURCE is not set}"
dst="${MONGO_KEYFILE:?MONGO_KEYFILE is not set}"

if [ ! -s "$src" ]; then
  echo "start: keyfile $src is missing or empty: does the credentials Secret have the keyfile key?" >&2
  exit 1
fi
umask 077
rm -f "$dst"
tr -- '-_' '+/' < "$src" > "$dst"
chmod 0400 "$dst"

if numactl --interleave=all true > /dev/null 2>&1; then
  exec numactl --interleave=all "$@"
fi
exec "$@"
