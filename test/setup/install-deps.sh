#!/usr/bin/env bash
# Installs the Debian packages the test suite runs for real (idempotent; part of `npm run build`
# through the test task, so a clean clone needs nothing installed by hand). Fails with a clear
# message where it cannot install (not root, not Debian-like).
set -euo pipefail
# Asset scripts are linted with shellcheck; the other packages run the runtime tier (test/runtime): namespaces and
# setpriv (util-linux, iproute2), the servers the example manifests run (MariaDB: mariadbd, mariadb-backup, mbstream, socat), openssl for test certificates,
# prometheus for promtool (`promtool test rules` on synthesized alert rules).
PACKAGES=(shellcheck iproute2 util-linux openssl busybox etcd-server etcd-client postgresql-15 postgresql-client-15 python3 redis-server redis-sentinel redis-tools zookeeper pgbouncer mariadb-server mariadb-backup mariadb-client socat prometheus)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: the tests need these Debian packages: ${missing[*]}; this machine has no apt-get. Install them by hand." >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: the tests need these Debian packages: ${missing[*]}; run as root or install them with sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
