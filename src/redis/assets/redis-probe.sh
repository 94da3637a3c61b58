#!/bin/sh
# Probe of the server or Sentinel on PORT (arg 1), password from PASSWORD_FILE.
# `ready` (arg 2) wants PONG; `live` also accepts LOADING (a large dataset still loading is alive).
set -u
REDISCLI_AUTH=$(cat "$PASSWORD_FILE")
export REDISCLI_AUTH
answer=$(timeout 4 redis-cli --no-auth-warning -h 127.0.0.1 -p "$1" PING 2>&1)
case "$answer" in
  PONG) exit 0 ;;
  LOADING*) [ "${2:-ready}" = live ] && exit 0 ;;
esac
echo "redis-cli PING on port $1: $answer"
exit 1
