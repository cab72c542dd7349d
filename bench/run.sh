#!/usr/bin/env bash
# bench/run.sh: Runnel side by side with the systems users would pick instead (issue #7).
#
# Runs a fixed set of workloads against Runnel (driven by its librdkafka tools, and again by its
# wire clients, which do only the protocol's work per record as redis-benchmark does) and, in the
# same run on the same machine, against Redis Streams, NATS JetStream, RabbitMQ streams and Microsoft Garnet. Each server starts on
# 127.0.0.1 on a free port with its data in a fresh temp dir, and is stopped by its PID. Every cell
# runs --runs times; the table shows the median and the range (min–max) of msg/s, MiB/s, latency
# percentiles and the server's CPU ms per MiB (utime+stime of the server process tree from
# /proc/PID/stat over the measured run), and Runnel's ratio to the best peer.
# The table goes to stdout; a Markdown copy with the machine and the command line to --out.
# See bench/README.md ("Peer comparison") for what each workload means per system.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

usage() {
  cat <<'USAGE'
Usage: bench/run.sh [options]
  --runs N              runs per cell (default 3; --quick: 1)
  --pinning MODE        pinned | unpinned | both (default both; --quick: unpinned).
                        pinned: server on CPU 0, clients on CPU 1 (taskset)
  --scale F             multiply every record count by F (default 1; --quick: 0.02)
  --quick               short smoke run: small counts, 1 run, unpinned (a set option still wins)
  --systems LIST        comma-separated subset of runnel,runnel-wire,redis,nats,rabbitmq,garnet (default all)
  --workloads LIST      comma-separated subset of workload ids (default all; see bench/README.md)
  --out FILE            Markdown results file (default bench/results/peers-<time>.md);
                        the raw samples go next to it as FILE.samples.tsv
  --no-build            do not publish src/Runnel.Cli (ReadyToRun, into bench/.build/runnel) and
                        build bench/Runnel.PeerBench first
  --keep                keep the temp dir (server logs and driver outputs)
Environment: DRIVER_TIMEOUT (s, per driver command, default 600), REDIS_PIPELINE (default 256),
  NATS_WINDOW / RABBITMQ_WINDOW (unacknowledged publishes per producer, default 256),
  RUNNEL_PEERS_DIR (where install-peers.sh put garnet-server, default bench/.peers),
  GARNET_DEVICE_TYPE (default RandomAccess), RABBITMQ_START_TIMEOUT (s, default 120).
USAGE
}

COMMAND_LINE="bench/run.sh $*"
RUNS="" PINNING="" SCALE="" QUICK=0 OUT="" BUILD=1 KEEP=0
SYSTEMS="runnel,runnel-wire,redis,nats,rabbitmq,garnet"
WORKLOADS="produce-1k-acks1,produce-100b-acks1,produce-1k-acksall,produce-1k-fsync-4p,consume-1k,consume-100b,e2e-10mibs,roundtrip"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --pinning) PINNING=$2; shift 2 ;;
    --scale) SCALE=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --systems) SYSTEMS=$2; shift 2 ;;
    --workloads) WORKLOADS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
if [ "$QUICK" = 1 ]; then
  RUNS=${RUNS:-1} PINNING=${PINNING:-unpinned} SCALE=${SCALE:-0.02} DRIVER_TIMEOUT=${DRIVER_TIMEOUT:-120}
fi
RUNS=${RUNS:-3} PINNING=${PINNING:-both} SCALE=${SCALE:-1}
case "$PINNING" in
  both) MODES="pinned unpinned" ;;
  pinned|unpinned) MODES=$PINNING ;;
  *) echo "run.sh: --pinning must be pinned, unpinned or both" >&2; exit 2 ;;
esac
if [[ " $MODES " == *" pinned "* ]] && [ "$(nproc)" -lt 2 ]; then
  echo "run.sh: pinned mode needs 2 CPUs (server on CPU 0, clients on CPU 1); running unpinned only" >&2
  MODES=unpinned
fi
if ! [[ "$RUNS" =~ ^[1-9][0-9]*$ ]]; then echo "run.sh: --runs must be a positive integer" >&2; exit 2; fi

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-bench/results/peers-$STAMP.md}
mkdir -p "$(dirname "$OUT")"
SAMPLES="$OUT.samples.tsv"
: > "$SAMPLES"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/runnel-peers.XXXXXX")
DRIVER_TIMEOUT=${DRIVER_TIMEOUT:-600}
REDIS_PIPELINE=${REDIS_PIPELINE:-256}
NATS_WINDOW=${NATS_WINDOW:-256}
RABBITMQ_WINDOW=${RABBITMQ_WINDOW:-256}
PEERS_DIR=${RUNNEL_PEERS_DIR:-bench/.peers}
# Garnet's default (native) device needs glibc 2.38+, libaio and liburing; its managed
# RandomAccess device runs anywhere .NET does.
GARNET_DEVICE_TYPE=${GARNET_DEVICE_TYPE:-RandomAccess}
# Runnel as it is deployed: published ReadyToRun (precompiled), see README "Deploying".
RUNNEL="$ROOT/bench/.build/runnel/runnel"
PEERBENCH="$ROOT/bench/Runnel.PeerBench/bin/Release/net10.0/peerbench"
GARNET="$ROOT/$PEERS_DIR/garnet/garnet-server"
CLK_TCK=$(getconf CLK_TCK)

# Record counts at --scale 1 (the full default set takes about 25 minutes on 2 cores).
count() { python3 -c "import math,sys; print(max(int(sys.argv[2]), math.ceil(float(sys.argv[1]) * float(sys.argv[3]))))" "$SCALE" "$1" "$2"; }
N_1K=$(count 1000 200000)          # produce/consume 1 KiB
N_100B=$(count 2000 500000)        # produce/consume 100 B
N_FSYNC=$(count 1000 120000)       # fsync before ack, over 4 producers (30,000 each: past client start-up)
N_E2E=$(count 1024 102400)         # 10 s at 10 MiB/s of 1 KiB records
N_RT=$(count 100 2000)             # single-record round trips
E2E_RATE=10240                     # 10 MiB/s of 1 KiB records
N_FSYNC=$(( (N_FSYNC + 3) / 4 * 4 ))

log() { echo "[run.sh $(date -u +%H:%M:%S)] $*" >&2; }

# ---- Server lifecycle -------------------------------------------------------------------------

SERVER_PID="" SERVER_CLEANUP=""
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

wait_port() {  # port, seconds: true once something accepts on 127.0.0.1:port while the server lives
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

start_server() {  # log file, command...: starts the server (on CPU 0 when pinned) and sets SERVER_PID
  local logfile=$1; shift
  $SERVER_PIN "$@" > "$logfile" 2>&1 &
  SERVER_PID=$!
}

tree_pids() {  # a PID and all its descendants
  local child
  echo "$1"
  for child in $(pgrep -P "$1" 2>/dev/null); do tree_pids "$child"; done
}

cpu_ms() {  # utime+stime of a process tree in ms (fields 14 and 15 of /proc/PID/stat, after the comm)
  local ticks=0 pid t
  for pid in $(tree_pids "$1"); do
    t=$(sed -E 's/^.*\) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}')
    ticks=$((ticks + ${t:-0}))
  done
  echo $((ticks * 1000 / CLK_TCK))
}

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  local pids pid i
  pids=$(tree_pids "$SERVER_PID")
  kill -TERM "$SERVER_PID" 2>/dev/null
  for i in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
  for pid in $pids; do kill -KILL "$pid" 2>/dev/null; done
  wait "$SERVER_PID" 2>/dev/null
  if [ -n "$SERVER_CLEANUP" ]; then eval "$SERVER_CLEANUP"; fi
  SERVER_PID="" SERVER_CLEANUP=""
}

DRIVER_PIDS=()
stop_drivers() {
  local pid
  for pid in "${DRIVER_PIDS[@]}"; do
    for pid in $(tree_pids "$pid"); do kill -TERM "$pid" 2>/dev/null; done
  done
}

cleanup() {
  stop_drivers
  stop_server
  if [ "$KEEP" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- Measuring --------------------------------------------------------------------------------

wanted() { [[ ",$WORKLOADS," == *",$1,"* ]]; }

record_na() {  # workload, reason
  wanted "$1" || return 0
  "$PEERBENCH" parse --workload "$1" --system "$SYSTEM" --pinning "$MODE" --run "$RUN" \
    --not-applicable "$2" --samples "$SAMPLES"
}

# measure WORKLOAD FORMAT RECORD_SIZE RECORDS PARALLEL "PARSE OPTIONS" -- DRIVER COMMAND...
# Runs PARALLEL copies of the driver (on CPU 1 when pinned), reads the server's CPU before and
# after, and appends one sample (with CAVEAT as its footnote when set, e.g. CAVEAT=... measure ...).
measure() {
  local workload=$1 format=$2 size=$3 records=$4 parallel=$5 parse_opts=$6
  shift 7
  wanted "$workload" || return 0
  local outs=() before after i out pid running
  log "$MODE run $RUN: $SYSTEM: $workload"
  before=$(cpu_ms "$SERVER_PID")
  DRIVER_PIDS=()
  for ((i = 1; i <= parallel; i++)); do
    out="$CELL/$workload.$i.out"
    outs+=("$out")
    $CLIENT_PIN timeout "$DRIVER_TIMEOUT" "$@" > "$out" 2>&1 &
    DRIVER_PIDS+=($!)
  done
  # A driver whose server died may retry for ever (redis-benchmark does): stop the drivers then.
  while :; do
    running=0
    for pid in "${DRIVER_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && running=1; done
    [ "$running" = 1 ] || break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      log "  the server exited during the run; stopping the driver"
      stop_drivers
      break
    fi
    sleep 0.1
  done
  wait "${DRIVER_PIDS[@]}" 2>/dev/null
  DRIVER_PIDS=()
  after=$(cpu_ms "$SERVER_PID")
  local caveat=()
  if [ -n "${CAVEAT:-}" ]; then caveat=(--caveat "$CAVEAT"); fi
  # shellcheck disable=SC2086 # parse_opts is a list of options
  if ! "$PEERBENCH" parse --format "$format" --workload "$workload" --system "$SYSTEM" --pinning "$MODE" \
      --run "$RUN" --record-size "$size" --records "$records" --server-cpu-ms $((after - before)) \
      $parse_opts "${caveat[@]}" --samples "$SAMPLES" "${outs[@]}"; then
    log "  no summary from the driver; its output:"
    tail -n 5 "${outs[@]}" >&2
  fi
}

server_down() {  # every wanted workload of this session is n/a: reason
  local w
  for w in "${SESSION_WORKLOADS[@]}"; do record_na "$w" "$1"; done
}

session_wanted() {
  local w
  for w in "${SESSION_WORKLOADS[@]}"; do wanted "$w" && return 0; done
  return 1
}

# ---- Runnel -------------------------------------------------------------------------------------

RUNNEL_PRODUCER_PROPS="linger.ms=5 batch.size=1048576"
# runnel_session PHASE [wire]: PHASE main | fsync; with wire, the produce workloads run
# `perf produce --wire-producers`, the consume ones `perf consume --wire`, and e2e `perf e2e --wire-producers --wire-consumer` (bench/README.md).
runnel_session() {
  local port overrides=() bs wire_produce=() wire_consume=()
  if [ "${2:-}" = wire ]; then wire_produce=(--wire-producers); wire_consume=(--wire); fi
  port=$(free_port)
  bs="127.0.0.1:$port"
  if [ "$1" = fsync ]; then overrides=(--override runnel.log.flush.on.acks.all=true); fi
  start_server "$CELL/server.log" "$RUNNEL" broker --listen "$bs" --data-dir "$CELL/data" --log-level Warning "${overrides[@]}"
  if ! wait_port "$port" 60; then server_down "Runnel broker did not start"; stop_server; return; fi
  local topic
  for topic in bench-1k bench-100b bench-1k-all bench-e2e bench-rt bench-fsync; do
    $CLIENT_PIN "$RUNNEL" topics create -b "$bs" --topic "$topic" --partitions 16 > /dev/null || log "topics create $topic failed"
  done
  if [ "$1" = fsync ]; then
    # shellcheck disable=SC2086
    measure produce-1k-fsync-4p RunnelProduce 1024 "$N_FSYNC" 4 "" -- "$RUNNEL" perf produce -b "$bs" --topic bench-fsync \
      --num-records $((N_FSYNC / 4)) --record-size 1024 --throughput -1 "${wire_produce[@]}" --producer-props acks=-1 $RUNNEL_PRODUCER_PROPS
    stop_server
    return
  fi
  # shellcheck disable=SC2086
  {
    measure produce-1k-acks1 RunnelProduce 1024 "$N_1K" 1 "" -- "$RUNNEL" perf produce -b "$bs" --topic bench-1k \
      --num-records "$N_1K" --record-size 1024 --throughput -1 "${wire_produce[@]}" --producer-props acks=1 $RUNNEL_PRODUCER_PROPS
    measure consume-1k RunnelConsume 1024 "$N_1K" 1 "" -- "$RUNNEL" perf consume -b "$bs" --topic bench-1k --messages "$N_1K" --timeout 30000 "${wire_consume[@]}"
    measure produce-100b-acks1 RunnelProduce 100 "$N_100B" 1 "" -- "$RUNNEL" perf produce -b "$bs" --topic bench-100b \
      --num-records "$N_100B" --record-size 100 --throughput -1 "${wire_produce[@]}" --producer-props acks=1 $RUNNEL_PRODUCER_PROPS
    measure consume-100b RunnelConsume 100 "$N_100B" 1 "" -- "$RUNNEL" perf consume -b "$bs" --topic bench-100b --messages "$N_100B" --timeout 30000 "${wire_consume[@]}"
    measure produce-1k-acksall RunnelProduce 1024 "$N_1K" 1 "" -- "$RUNNEL" perf produce -b "$bs" --topic bench-1k-all \
      --num-records "$N_1K" --record-size 1024 --throughput -1 "${wire_produce[@]}" --producer-props acks=-1 $RUNNEL_PRODUCER_PROPS
  }
  if [ "$RUNNEL_HAS_E2E" = 1 ]; then
    local wire_e2e=()
    if [ "${2:-}" = wire ]; then wire_e2e=(--wire-producers --wire-consumer); fi
    measure e2e-10mibs Latency 1024 "$N_E2E" 1 "" -- "$RUNNEL" perf e2e -b "$bs" --topic bench-e2e --num-records "$N_E2E" \
      --record-size 1024 --producer-acks -1 --throughput "$E2E_RATE" "${wire_e2e[@]}"
  else
    record_na e2e-10mibs "runnel perf e2e is not in this build (runnel perf e2e --help failed)"
  fi
  if [ "${2:-}" = wire ]; then
    record_na roundtrip "Kafka's one-at-a-time round trip checks each record with librdkafka: see the Runnel row"
  elif [ "$RUNNEL_HAS_E2E" = 1 ]; then
    measure roundtrip Latency 1024 "$N_RT" 1 "" -- "$RUNNEL" perf e2e -b "$bs" --topic bench-rt --num-records "$N_RT" \
      --record-size 1024 --producer-acks -1
  else
    record_na roundtrip "runnel perf e2e is not in this build (runnel perf e2e --help failed)"
  fi
  stop_server
}

# ---- Redis Streams and Garnet (redis-benchmark) -------------------------------------------------

VALUE_1K=$(head -c 1024 /dev/zero | tr '\0' 'x')
VALUE_100B=$(head -c 100 /dev/zero | tr '\0' 'x')
RANGE_COUNT=100

# resp_session KIND PHASE: KIND redis (XADD/XRANGE on a stream) or garnet (RPUSH/LRANGE on a list).
resp_session() {
  local kind=$1 phase=$2 port
  port=$(free_port)
  mkdir -p "$CELL/data"
  if [ "$kind" = redis ]; then
    local fsync=everysec
    if [ "$phase" = fsync ]; then fsync=always; fi
    start_server "$CELL/server.log" redis-server --port "$port" --bind 127.0.0.1 --dir "$CELL/data" --save "" \
      --appendonly yes --appendfsync "$fsync" --daemonize no --protected-mode no
  else
    local commit=(--aof-commit-freq 1000)
    if [ "$phase" = fsync ]; then commit=(--aof-commit-freq 0 --aof-commit-wait); fi
    if [ ! -x "$GARNET" ]; then server_down "garnet-server not installed (run bench/install-peers.sh)"; return; fi
    start_server "$CELL/server.log" "$GARNET" --bind 127.0.0.1 --port "$port" --checkpointdir "$CELL/data" \
      --device-type "$GARNET_DEVICE_TYPE" --aof "${commit[@]}" --logger-level Warning
  fi
  if ! wait_port "$port" 60; then server_down "$SYSTEM did not start (see its log)"; stop_server; return; fi
  local rb=(redis-benchmark -h 127.0.0.1 -p "$port" --csv)
  # Arrays, so that XADD's "*" is never globbed and the 1 KiB value stays one word.
  add_args() { if [ "$kind" = redis ]; then ADD=(XADD "$1" '*' v "$2"); else ADD=(RPUSH "$1" "$2"); fi; }
  range_args() {
    if [ "$kind" = redis ]; then RANGE=(XRANGE "$1" - + COUNT "$RANGE_COUNT"); else RANGE=(LRANGE "$1" 0 $((RANGE_COUNT - 1))); fi
  }
  if [ "$phase" = fsync ]; then
    add_args bench-fsync "$VALUE_1K"
    measure produce-1k-fsync-4p RedisBenchmark 1024 "$N_FSYNC" 1 "" -- "${rb[@]}" -n "$N_FSYNC" -c 4 -P "$REDIS_PIPELINE" "${ADD[@]}"
  else
    add_args bench-1k "$VALUE_1K"
    measure produce-1k-acks1 RedisBenchmark 1024 "$N_1K" 1 "" -- "${rb[@]}" -n "$N_1K" -c 1 -P "$REDIS_PIPELINE" "${ADD[@]}"
    # redis-benchmark cannot walk a backlog: every request reads the same first entries.
    local caveat="range reads of the same first $RANGE_COUNT entries per request (redis-benchmark cannot scan a backlog): not compared"
    range_args bench-1k
    CAVEAT=$caveat measure consume-1k RedisBenchmark 1024 $((N_1K / RANGE_COUNT)) 1 "--records-per-op $RANGE_COUNT --no-latency" -- \
      "${rb[@]}" -n $((N_1K / RANGE_COUNT)) -c 1 -P 16 "${RANGE[@]}"
    add_args bench-100b "$VALUE_100B"
    measure produce-100b-acks1 RedisBenchmark 100 "$N_100B" 1 "" -- "${rb[@]}" -n "$N_100B" -c 1 -P "$REDIS_PIPELINE" "${ADD[@]}"
    range_args bench-100b
    CAVEAT=$caveat measure consume-100b RedisBenchmark 100 $((N_100B / RANGE_COUNT)) 1 "--records-per-op $RANGE_COUNT --no-latency" -- \
      "${rb[@]}" -n $((N_100B / RANGE_COUNT)) -c 1 -P 16 "${RANGE[@]}"
    add_args bench-1k-all "$VALUE_1K"
    measure produce-1k-acksall RedisBenchmark 1024 "$N_1K" 1 "" -- "${rb[@]}" -n "$N_1K" -c 1 -P "$REDIS_PIPELINE" "${ADD[@]}"
    record_na e2e-10mibs "redis-benchmark has no publish-to-consumer latency mode; no driver for this peer yet"
    record_na roundtrip "redis-benchmark has no publish-to-consumer latency mode; no driver for this peer yet"
  fi
  stop_server
}

# ---- NATS JetStream and RabbitMQ streams (bench/Runnel.PeerBench) ------------------------------

nats_session() {  # phase
  local port conf url
  port=$(free_port)
  url="nats://127.0.0.1:$port"
  mkdir -p "$CELL/data"
  conf="$CELL/nats.conf"
  if [ "$1" = fsync ]; then
    printf 'listen: "127.0.0.1:%s"\njetstream { store_dir: "%s", sync_interval: always }\n' "$port" "$CELL/data" > "$conf"
  else
    printf 'listen: "127.0.0.1:%s"\njetstream { store_dir: "%s" }\n' "$port" "$CELL/data" > "$conf"
  fi
  start_server "$CELL/server.log" nats-server -c "$conf"
  if ! wait_port "$port" 30; then
    if grep -q 'unknown field "sync_interval"' "$CELL/server.log"; then
      server_down "nats-server $(nats-server --version | sed 's/.*v/v/') has no JetStream sync_interval (fsync before ack); it fsyncs on its own interval"
    else
      server_down "nats-server did not start (see its log)"
    fi
    stop_server
    return
  fi
  stream_sessions "$url" "$NATS_WINDOW" "$1"
  stop_server
}

RABBITMQ_START_TIMEOUT=${RABBITMQ_START_TIMEOUT:-120}
rabbitmq_session() {  # phase
  if [ "$1" = fsync ]; then
    record_na produce-1k-fsync-4p "RabbitMQ streams confirm once written to the OS and rely on replication, with no fsync-before-confirm setting"
    return
  fi
  if [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then server_down "rabbitmq-server not installed (run bench/install-peers.sh)"; return; fi
  local port dist epmd base=$CELL/rabbitmq
  port=$(free_port) dist=$(free_port) epmd=$(free_port)
  mkdir -p "$base"
  echo '[].' > "$base/enabled_plugins"
  # The Debian wrapper (/usr/sbin/rabbitmq-server) switches to the rabbitmq user; the script it
  # wraps runs as the caller in the foreground, with everything (cookie, database, logs) under the
  # temp dir and its own ports, so it does not meet a system RabbitMQ.
  start_server "$CELL/server.log" env HOME="$base" RABBITMQ_MNESIA_BASE="$base/mnesia" \
    RABBITMQ_LOG_BASE="$base/log" RABBITMQ_NODENAME="runnelbench$port@localhost" RABBITMQ_NODE_PORT="$port" \
    RABBITMQ_DIST_PORT="$dist" ERL_EPMD_PORT="$epmd" RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins" \
    RABBITMQ_CONFIG_FILE="$base/rabbitmq" RABBITMQ_ADVANCED_CONFIG_FILE="$base/advanced.config" \
    RABBITMQ_PID_FILE="$base/pid" /usr/lib/rabbitmq/bin/rabbitmq-server
  # Erlang starts its own epmd daemon on this port; it outlives the node, so stop it after.
  SERVER_CLEANUP="ERL_EPMD_PORT=$epmd epmd -kill >/dev/null 2>&1"
  if ! wait_port "$port" "$RABBITMQ_START_TIMEOUT"; then
    server_down "RabbitMQ did not accept AMQP connections within ${RABBITMQ_START_TIMEOUT} s on this machine"
    stop_server
    return
  fi
  stream_sessions "amqp://guest:guest@127.0.0.1:$port/" "$RABBITMQ_WINDOW" main
  stop_server
}

stream_sessions() {  # url, window, phase: the PeerBench workloads against a NATS or AMQP url
  local url=$1 window=$2
  if [ "$3" = fsync ]; then
    measure produce-1k-fsync-4p Latency 1024 "$N_FSYNC" 1 "" -- "$PEERBENCH" produce --server "$url" --stream bench-fsync \
      --num-records "$N_FSYNC" --record-size 1024 --window "$window" --producers 4
    return
  fi
  measure produce-1k-acks1 Latency 1024 "$N_1K" 1 "" -- "$PEERBENCH" produce --server "$url" --stream bench-1k \
    --num-records "$N_1K" --record-size 1024 --window "$window"
  measure consume-1k Latency 1024 "$N_1K" 1 "--no-latency" -- "$PEERBENCH" consume --server "$url" --stream bench-1k \
    --num-records "$N_1K" --record-size 1024
  measure produce-100b-acks1 Latency 100 "$N_100B" 1 "" -- "$PEERBENCH" produce --server "$url" --stream bench-100b \
    --num-records "$N_100B" --record-size 100 --window "$window"
  measure consume-100b Latency 100 "$N_100B" 1 "--no-latency" -- "$PEERBENCH" consume --server "$url" --stream bench-100b \
    --num-records "$N_100B" --record-size 100
  measure produce-1k-acksall Latency 1024 "$N_1K" 1 "" -- "$PEERBENCH" produce --server "$url" --stream bench-1k-all \
    --num-records "$N_1K" --record-size 1024 --window "$window"
  measure e2e-10mibs Latency 1024 "$N_E2E" 1 "" -- "$PEERBENCH" e2e --server "$url" --stream bench-e2e \
    --num-records "$N_E2E" --record-size 1024 --throughput "$E2E_RATE" --window "$window"
  measure roundtrip Latency 1024 "$N_RT" 1 "" -- "$PEERBENCH" e2e --server "$url" --stream bench-rt \
    --num-records "$N_RT" --record-size 1024
}

# ---- Main ---------------------------------------------------------------------------------------

if [ "$BUILD" = 1 ]; then
  log "publishing src/Runnel.Cli (Release, ReadyToRun) and building bench/Runnel.PeerBench"
  dotnet publish -c Release --nologo -v quiet -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
      -o "$ROOT/bench/.build/runnel" src/Runnel.Cli > "$WORK/build.log" 2>&1 \
    && dotnet build -c Release --nologo -v quiet bench/Runnel.PeerBench >> "$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log" >&2; exit 1; }
fi
RUNNEL_HAS_E2E=0
if "$RUNNEL" perf e2e --help 2>/dev/null | grep -q "runnel perf e2e"; then RUNNEL_HAS_E2E=1; else
  log "runnel perf e2e is not in this build: the Runnel e2e and round-trip cells are n/a"
fi

declare -A NAMES=(
  [runnel]="Runnel"
  [runnel-wire]="Runnel (wire clients)"
  [redis]="Redis Streams"
  [nats]="NATS JetStream"
  [rabbitmq]="RabbitMQ streams"
  [garnet]="Garnet"
)
log "counts: 1 KiB ${N_1K}, 100 B ${N_100B}, fsync ${N_FSYNC}, e2e ${N_E2E} at ${E2E_RATE}/s, round trips ${N_RT}; runs ${RUNS}; pinning ${MODES}"
START=$SECONDS
for MODE in $MODES; do
  if [ "$MODE" = pinned ]; then SERVER_PIN="taskset -c 0" CLIENT_PIN="taskset -c 1"; else SERVER_PIN="" CLIENT_PIN=""; fi
  for ((RUN = 1; RUN <= RUNS; RUN++)); do
    for key in ${SYSTEMS//,/ }; do
      if [ -z "${NAMES[$key]:-}" ]; then echo "run.sh: unknown system $key" >&2; exit 2; fi
      for phase in main fsync; do
        SYSTEM=${NAMES[$key]}
        if [ "$phase" = fsync ]; then
          SESSION_WORKLOADS=(produce-1k-fsync-4p)
          case $key in
            redis) SYSTEM="Redis Streams (AOF always)" ;;
            garnet) SYSTEM="Garnet (AOF commit per op, wait)" ;;
          esac
        else
          SESSION_WORKLOADS=(produce-1k-acks1 consume-1k produce-100b-acks1 consume-100b produce-1k-acksall e2e-10mibs roundtrip)
          case $key in
            redis) SYSTEM="Redis Streams (AOF everysec)" ;;
            garnet) SYSTEM="Garnet (AOF commit 1 s)" ;;
          esac
        fi
        session_wanted || continue
        CELL="$WORK/$MODE-$RUN-$key-$phase"
        mkdir -p "$CELL"
        case $key in
          runnel) runnel_session "$phase" ;;
          runnel-wire) runnel_session "$phase" wire ;;
          redis) resp_session redis "$phase" ;;
          garnet) resp_session garnet "$phase" ;;
          nats) nats_session "$phase" ;;
          rabbitmq) rabbitmq_session "$phase" ;;
        esac
        if [ "$KEEP" = 0 ]; then rm -rf "$CELL/data" "$CELL/rabbitmq/mnesia"; fi
      done
    done
  done
done
ELAPSED=$((SECONDS - START))

TABLE="$WORK/table.md"
echo
"$PEERBENCH" aggregate --samples "$SAMPLES" --markdown "$TABLE" || exit 1
echo
echo "(median over runs, range min–max in parentheses; vs best peer: >1 means Runnel did better — msg/s ratio, or for latency workloads best peer p99 / Runnel p99)"

version_of() { "$@" 2>/dev/null | head -n 1; }
{
  echo "## Peer comparison, $(date -u +%Y-%m-%d) (bench/run.sh)"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| CPU | $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores |"
  echo "| Memory | $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) |"
  echo "| OS | $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r) |"
  echo "| .NET | SDK $(dotnet --version 2>/dev/null), runtime $(dotnet --list-runtimes 2>/dev/null | awk '/NETCore.App/ {v=$2} END {print v}') |"
  echo "| Runnel | commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' (modified)'), drivers: runnel perf (Confluent.Kafka/librdkafka); wire clients: runnel perf produce --wire-producers, perf consume --wire, perf e2e --wire-producers --wire-consumer |"
  echo "| Redis | $(version_of redis-server --version | sed -E 's/.*v=([^ ]+).*/\1/'), driver redis-benchmark $(version_of redis-benchmark --version | awk '{print $2}') |"
  echo "| NATS | nats-server $(version_of nats-server --version | sed 's/.*v//'), driver peerbench (NATS.Net $(grep -oP 'Include="NATS.Net" Version="\K[^"]+' Directory.Packages.props)) |"
  echo "| RabbitMQ | $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo 'not installed'), Erlang $(dpkg-query -W -f='${Version}' erlang-base 2>/dev/null), driver peerbench (RabbitMQ.Client $(grep -oP 'Include="RabbitMQ.Client" Version="\K[^"]+' Directory.Packages.props), AMQP 0.9.1) |"
  echo "| Garnet | $( [ -x "$GARNET" ] && dotnet tool list --tool-path "$PEERS_DIR/garnet" 2>/dev/null | awk '$1 == "garnet-server" {print $2}' || echo 'not installed'), driver redis-benchmark |"
  echo "| Pinning | $MODES (pinned: server on CPU 0, clients on CPU 1) |"
  echo "| Counts | 1 KiB ${N_1K}, 100 B ${N_100B}, fsync ${N_FSYNC} (4 producers), e2e ${N_E2E} at ${E2E_RATE}/s, round trips ${N_RT}; ${RUNS} run(s) per cell; took ${ELAPSED} s |"
  echo
  echo "Command: \`$COMMAND_LINE\`"
  echo
  echo "Each figure is the median over runs with the range (min–max) in parentheses. \"vs best peer\" is"
  echo "Runnel's msg/s over the best peer's (latency workloads: the best peer's p99 over Runnel's); above 1"
  echo "means Runnel did better. Server CPU is utime+stime of the server's process tree per payload MiB."
  echo "What each workload means per system: bench/README.md, \"Peer comparison\"."
  echo
  cat "$TABLE"
} > "$OUT"
log "results: $OUT (samples: $SAMPLES)"
