#!/usr/bin/env bash
# Start of a Kafka Connect worker or a MirrorMaker 2 process: copies the properties the library
# rendered into a ConfigMap (<template>) to <output>, replacing each @@NAME@@ with the value of
# env var NAME (passwords from Secrets, the pod IP), then runs <command...> <output>.
#
# Why not `${env:NAME}` (EnvVarConfigProvider, KIP-887): a provider on the worker is also offered
# to every connector config posted over the REST API, so anyone who may create a connector could
# read the worker's passwords. The file is private to the pod (mode 600, in an emptyDir).
#
# Usage: connect-config.sh <template> <output> <command> [args...]
set -euo pipefail

if [[ $# -lt 3 ]]; then
  echo "usage: connect-config.sh <template> <output> <command> [args...]" >&2
  exit 2
fi
template=$1
out=$2
shift 2

umask 077
mkdir -p "$(dirname "$out")"
: > "$out"
while IFS= read -r line || [[ -n $line ]]; do
  while [[ $line =~ @@([A-Z_][A-Z0-9_]*)@@ ]]; do
    name=${BASH_REMATCH[1]}
    if [[ -z ${!name+set} ]]; then
      echo "connect-config: env var $name is not set (placeholder @@$name@@ in $template)" >&2
      exit 1
    fi
    value=${!name}
    # A properties file treats '\' as an escape and a JAAS value is "quoted": refuse rather than mangle.
    if [[ $value == *'"'* || $value == *\\* || $value == *$'\n'* || $value == *'@@'* ]]; then
      echo "connect-config: the value of $name contains a double quote, a backslash, a newline or '@@', which the properties file cannot hold; change it (generated passwords never do)" >&2
      exit 1
    fi
    line=${line//"@@$name@@"/$value}
  done
  printf '%s\n' "$line" >> "$out"
done < "$template"

exec "$@" "$out"
