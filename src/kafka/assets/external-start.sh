#!/bin/bash
# Main container of brokers whose external address is found at start (load balancer, node port):
# appends EXTERNAL://<the address the init container wrote> to KAFKA_ADVERTISED_LISTENERS, then
# runs the image's own entrypoint (docker/jvm/Dockerfile CMD, /etc/kafka/docker/run), which turns
# KAFKA_* variables into server.properties. ADDRESS_FILE is set in the pod; RUN by tests only.
set -euo pipefail
address=$(head -n 1 "$ADDRESS_FILE")
if [ -z "$address" ]; then
  echo "external-start: $ADDRESS_FILE is empty" >&2
  exit 1
fi
export KAFKA_ADVERTISED_LISTENERS="$KAFKA_ADVERTISED_LISTENERS,EXTERNAL://$address"
exec "${RUN:-/etc/kafka/docker/run}"
