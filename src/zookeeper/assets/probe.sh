#!/bin/bash
# Probe of a ZooKeeper server through a four-letter word on its client port (bash's /dev/tcp: no
# nc needed). `ready`: `srvr` reports a quorum role (leader, follower, observer; standalone for a
# single server), so a server that has not joined a quorum gets no client traffic. `live`: `ruok`
# answers `imok` (the JVM serves requests, quorum or not).
# Inputs: $1 (ready|live), ZOO_CLIENT_PORT.
set -uo pipefail

port="${ZOO_CLIENT_PORT:-2181}"

ask() {
  exec 3<>"/dev/tcp/127.0.0.1/${port}" || return 1
  printf '%s' "$1" >&3
  timeout 4 cat <&3
  exec 3<&-
}

case "${1:-}" in
  ready)
    reply=$(ask srvr) || { echo "probe: no answer on port ${port}" >&2; exit 1; }
    if grep -Eq '^Mode: (leader|follower|observer|standalone)$' <<< "$reply"; then exit 0; fi
    echo "probe: not serving: ${reply:-no reply}" >&2
    exit 1
    ;;
  live)
    reply=$(ask ruok) || { echo "probe: no answer on port ${port}" >&2; exit 1; }
    [ "$reply" = imok ] && exit 0
    echo "probe: ruok answered '${reply}'" >&2
    exit 1
    ;;
  *)
    echo "usage: probe.sh ready|live" >&2
    exit 2
    ;;
esac
