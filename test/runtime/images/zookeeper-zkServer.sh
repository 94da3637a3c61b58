#!/usr/bin/env bash
# Stands in for zkServer.sh of the official zookeeper image (31z4/zookeeper-docker, 3.9.x on
# Temurin 17) in the runtime tier, with Debian's ZooKeeper 3.8 jars. Debian's own zkServer.sh
# sources a zkEnv.sh that hard-codes /etc/zookeeper/conf and a file logger, so only what our
# manifests depend on is emulated, as upstream's `zkServer.sh start-foreground` does it: the
# config $ZOOCFGDIR/zoo.cfg, $ZOOCFGDIR first on the classpath, $JVMFLAGS, exec java in the
# foreground. Logging is Debian's log4j configuration sent to the console (upstream 3.9 uses
# logback.xml from $ZOOCFGDIR).
set -euo pipefail
[ "${1:-}" = start-foreground ] || { echo "zkServer.sh (emulated): only start-foreground is emulated, got '${1:-}'" >&2; exit 2; }
cfgdir="${ZOOCFGDIR:-/conf}"
# shellcheck disable=SC2086 # JVMFLAGS is word-split by upstream's zkServer.sh too
exec java "-Dzookeeper.log.dir=${ZOO_LOG_DIR:-/logs}" -Dzookeeper.root.logger=INFO,CONSOLE \
  -Dlog4j.configuration=file:/etc/zookeeper/conf/log4j.properties \
  -XX:+HeapDumpOnOutOfMemoryError -XX:OnOutOfMemoryError='kill -9 %p' \
  -cp "${cfgdir}:/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-log4j12.jar:/usr/share/java/log4j-1.2.jar" ${JVMFLAGS:-} \
  org.apache.zookeeper.server.quorum.QuorumPeerMain "${cfgdir}/zoo.cfg"
