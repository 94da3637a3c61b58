#!/bin/bash
# Runs one emulated container. Started by the emulator as root inside the pod's network namespace
# and a fresh mount + UTS namespace (nsenter --net, unshare -m -u). Reads a plan (tab-separated
# lines, written by pod.ts), builds the container's root as an overlay of the host root (writes go
# to a tmpfs, so the host is never changed), mounts volumes and /etc/hosts, optionally makes the
# root read-only, then execs the command as the pod's uid/gid. Usage: container-run.sh PLAN -- CMD...
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
plan=$1
shift
[ "${1:-}" = "--" ] && shift
root='' wd=/ uid='' gid='' groups='' envfile='' rootro=0 nnp=0
while IFS=$'\t' read -r op a b c; do
  case "$op" in
    root)
      mount -t tmpfs -o mode=0755 cstroot "$a"
      mkdir -p "$a/upper" "$a/work" "$a/root"
      mount -t overlay overlay -o "lowerdir=/,upperdir=$a/upper,workdir=$a/work" "$a/root"
      root="$a/root"
      mount -t proc proc "$root/proc"
      mount --rbind /dev "$root/dev"
      mount --rbind -o ro /sys "$root/sys"
      mount -t tmpfs -o mode=0755 run "$root/run"
      ;;
    bind)
      # Resolve the target inside the new root: an absolute symlink (/var/run -> /run) must not
      # lead to the host's directories.
      if [ -d "$a" ]; then
        chroot "$root" mkdir -p -- "$b"
      else
        chroot "$root" mkdir -p -- "$(dirname "$b")"
        chroot "$root" test -e "$b" || chroot "$root" touch -- "$b"
      fi
      dst=$root$(chroot "$root" realpath -e -- "$b")
      mount --bind "$a" "$dst"
      if [ "$c" = ro ]; then mount -o remount,ro,bind "$dst"; fi
      ;;
    passwd)
      # The image's user database: add the pod's uid when the host has none (images such as
      # postgres resolve arbitrary uids with nss_wrapper; programs like initdb need a name).
      getent passwd "$a" >/dev/null || printf 'cst%s:x:%s:%s::/tmp:/bin/sh\n' "$a" "$a" "$b" >> "$root/etc/passwd"
      ;;
    hostname) hostname "$a" ;;
    wd) wd=$a; chroot "$root" mkdir -p -- "$wd" ;;
    user) uid=$a gid=$b groups=$c ;;
    envfile) envfile=$a ;;
    rootro) rootro=1 ;;
    nonewprivs) nnp=1 ;;
    *) echo "container-run: unknown plan line: $op" >&2; exit 2 ;;
  esac
done < "$plan"
[ -n "$root" ] || { echo "container-run: plan has no root" >&2; exit 2; }
[ "$rootro" = 1 ] && mount -o remount,ro,bind "$root"
envs=()
[ -n "$envfile" ] && mapfile -d '' envs < "$envfile"
priv=()
if [ -n "$uid" ]; then
  priv=(--reuid "$uid" --regid "$gid")
  if [ -n "$groups" ]; then priv+=(--groups "$groups"); else priv+=(--clear-groups); fi
  [ "$uid" != 0 ] && priv+=(--inh-caps=-all --bounding-set=-all)
fi
[ "$nnp" = 1 ] && priv+=(--no-new-privs)
exec chroot "$root" /usr/bin/env -i -C "$wd" "${envs[@]}" /usr/bin/setpriv "${priv[@]}" -- "$@"
