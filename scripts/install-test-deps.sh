#!/usr/bin/env bash
# Installs the external Kafka clients the compatibility tests drive. Safe to run repeatedly:
# it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v kcat >/dev/null 2>&1 || need_apt+=(kcat)
/usr/bin/python3 -c 'import kafka' >/dev/null 2>&1 || need_apt+=(python3-kafka)
/usr/bin/python3 -c 'import confluent_kafka' >/dev/null 2>&1 || need_apt+=(python3-confluent-kafka)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

node_dir=tests/Runnel.Compat/clients/node
if [ ! -d "$node_dir/node_modules/kafkajs" ]; then
  echo "Installing KafkaJS (npm)"
  (cd "$node_dir" && npm ci --no-audit --no-fund --silent)
fi
