#!/usr/bin/env bash
# Installs what bench/run.sh compares Runnel with, and skips what is already there (idempotent):
#   - Debian packages: redis-server and redis-tools (redis-benchmark), nats-server, rabbitmq-server;
#     util-linux for taskset.
#   - Microsoft Garnet, the .NET dotnet-tool `garnet-server`, into bench/.peers/garnet (git-ignored).
# Needs root for apt-get. The Debian packages may try to start their system services; on machines
# without an init system that is refused, which is fine: run.sh starts its own servers on free ports.
set -euo pipefail
cd "$(dirname "$0")/.."

GARNET_VERSION=${GARNET_VERSION:-2.2.8}
PEERS_DIR=${RUNNEL_PEERS_DIR:-bench/.peers}

packages=(redis-server redis-tools nats-server rabbitmq-server util-linux)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-peers: apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-peers: Debian packages already installed (${packages[*]})"
fi

garnet="$PEERS_DIR/garnet/garnet-server"
installed=$(dotnet tool list --tool-path "$PEERS_DIR/garnet" 2>/dev/null | awk '$1 == "garnet-server" {print $2}' || true)
if [ -x "$garnet" ] && [ "$installed" = "$GARNET_VERSION" ]; then
  echo "install-peers: garnet-server $GARNET_VERSION already in $PEERS_DIR/garnet"
else
  mkdir -p "$PEERS_DIR/garnet"
  if [ -n "$installed" ]; then
    dotnet tool uninstall --tool-path "$PEERS_DIR/garnet" garnet-server
  fi
  dotnet tool install --tool-path "$PEERS_DIR/garnet" garnet-server --version "$GARNET_VERSION"
fi

echo "install-peers: redis $(redis-server --version | sed -E 's/.*v=([^ ]+).*/\1/'), nats-server $(nats-server --version | sed 's/.*v//'), rabbitmq-server $(dpkg-query -W -f='${Version}' rabbitmq-server), garnet-server $GARNET_VERSION"
