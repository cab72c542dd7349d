#!/usr/bin/env bash
# Runs the floor experiments of bench/RESULTS.md ("The machine's floor"): floor.c's server and client
# for the traffic of two issue-7 goals, on 127.0.0.1, data in a fresh temp dir, server stopped by PID.
#   bench/floor/run.sh fsync [FILES [FLUSH_THREADS]]   4 connections x 1,000 records/s of 1 KiB, fsync before ack
#   bench/floor/run.sh connections [COUNT]             100 connections x 1,000 records/s of 100 B, 5 per request
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill "${server_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
gcc -O2 -Wall -Werror -pthread -o "$work/floor" "$here/floor.c"
port=$((20000 + RANDOM % 20000))

start_server() {
  "$work/floor" server "$port" "$@" 2>"$work/server.log" &
  server_pid=$!
  until grep -q ready "$work/server.log" 2>/dev/null; do sleep 0.05; done
}

server_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }

report_server() { # ticks before, seconds
  local ticks=$(( $(server_ticks) - $1 )) hz
  hz=$(getconf CLK_TCK)
  awk -v t="$ticks" -v hz="$hz" -v s="$2" 'BEGIN { printf "server %.2f cores\n", t / hz / s }'
}

case "${1:-}" in
  fsync)
    files=${2:-16} threads=${3:-4}
    mkdir "$work/data"
    start_server "$work/data" "$files" "$threads" $((64 << 20))
    writes0=$(awk '{print $5}' /sys/block/vda/stat 2>/dev/null || echo 0)
    ticks0=$(server_ticks) t0=$(date +%s.%N)
    for i in 1 2 3 4; do "$work/floor" client "$port" 1 1000 10000 1024 1 & done
    wait $(jobs -p | grep -v "^$server_pid$")
    writes1=$(awk '{print $5}' /sys/block/vda/stat 2>/dev/null || echo 0)
    report_server "$ticks0" "$(echo "$(date +%s.%N) - $t0" | bc)"
    echo "device write requests: $((writes1 - writes0)) ($files files, $threads flush threads)"
    ;;
  connections)
    count=${2:-100}
    start_server
    ticks0=$(server_ticks) t0=$(date +%s.%N)
    "$work/floor" client "$port" "$count" 1000 10000 100 5
    report_server "$ticks0" "$(echo "$(date +%s.%N) - $t0" | bc)"
    ;;
  *)
    echo "usage: $0 fsync [FILES [FLUSH_THREADS]] | connections [COUNT]" >&2
    exit 2
    ;;
esac
