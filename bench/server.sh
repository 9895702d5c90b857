#!/usr/bin/env bash
# What a server pays (a measurement, not a test), on one host, all in one run:
#  (a) KvServer (demo-apps) under KvBench's closed loop of CLIENTS connections: requests/s and
#      latency p50/p99 without the agent, with mode=record, and as primary+backup (same port);
#  (b) the same for a third-party server, H2 in TCP mode (in-memory database), driven by its own
#      JDBC client (JdbcBench: one insert per commit);
#  (c) the failover gap of KvServer: SIGKILL of the primary (under load) to the first request
#      the backup answers on the same port, ROUNDS times.
# Usage: bench/server.sh [ROUNDS] [CLIENTS] [SECONDS]   (defaults 3, 16, 10); build first: mvn -B -q -DskipTests package
# AGENT_JAR=path runs another build of the agent (to compare two commits); WARMUP=seconds of load before each measurement (default 20: the agent's figures level off by then; at 3, C2 was still compiling the instrumented server on the 2 cores the measurement ran on).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
CLIENTS=${2:-16}
SECONDS_=${3:-10}
WARMUP=${WARMUP:-20}
. bench/common.sh
# serve SETUP NAME CP MAIN ARGS...: starts the server (none | record | live), sets $server (the primary) and $backup
serve() {
  local setup=$1 name=$2 cp=$3; shift 3
  local base; base=$(free_port)
  backup=""
  rm -rf "$work/$name".*
  case $setup in
    none) "$JAVA" -cp "$cp" "$@" > "$work/$name.out" 2>&1 & server=$! ;;
    record) "$JAVA" -javaagent:"$AGENT"=mode=record,journal="$work/$name.journal" -cp "$cp" "$@" > "$work/$name.out" 2>&1 &
      server=$! ;;
    live)
      local common="primary=127.0.0.1:$base,backup=127.0.0.1:$(( base + 1 )),lock=$work/$name.lock,idle=${IDLE:-backoff}"
      "$JAVA" -javaagent:"$AGENT"=mode=backup,journal="$work/$name.b",$common -cp "$cp" "$@" > "$work/$name.bout" 2>&1 &
      backup=$!; pids+=("$backup")
      "$JAVA" -javaagent:"$AGENT"=mode=primary,journal="$work/$name.p",$common -cp "$cp" "$@" > "$work/$name.out" 2>&1 &
      server=$! ;;
  esac
  pids+=("$server")
}
stop() { kill -9 "$server" ${backup:+"$backup"} 2>/dev/null || true; wait "$server" ${backup:+"$backup"} 2>/dev/null || true; }

echo "(a) KvServer, $CLIENTS clients, ${SECONDS_} s after ${WARMUP} s of warm-up, $ROUNDS rounds:"
for i in $(seq "$ROUNDS"); do
  for setup in none record live; do
    port=$(free_port)
    serve "$setup" kv "$APP" io.lockstep.demo.kv.KvServer "$port"
    await_port "$port" "$server"
    "$JAVA" -cp "$BENCH" io.lockstep.benchmarks.KvBench 127.0.0.1 "$port" "$CLIENTS" "$SECONDS_" "$WARMUP" "  round $i $setup:"
    stop
  done
done

echo "(b) H2 TCP server (in-memory database), JDBC inserts, $CLIENTS clients, ${SECONDS_} s after ${WARMUP} s, $ROUNDS rounds:"
for i in $(seq "$ROUNDS"); do
  for setup in none record live; do
    port=$(free_port)
    serve "$setup" h2 "$BENCH" org.h2.tools.Server -tcp -tcpPort "$port" -ifNotExists
    await_port "$port" "$server"
    "$JAVA" -cp "$BENCH" io.lockstep.benchmarks.JdbcBench "jdbc:h2:tcp://127.0.0.1:$port/mem:bench;DB_CLOSE_DELAY=-1" sa \
      "$CLIENTS" "$SECONDS_" "$WARMUP" "  round $i $setup:"
    stop
  done
done

echo "(c) failover gap of KvServer under load (SIGKILL of the primary to the backup's first answer), $ROUNDS rounds:"
for i in $(seq "$ROUNDS"); do
  port=$(free_port)
  serve live kvf "$APP" io.lockstep.demo.kv.KvServer "$port"
  await_port "$port" "$server"
  "$JAVA" -cp "$APP" io.lockstep.demo.kv.KvLoad 127.0.0.1 "$port" 4 100000 30 > "$work/kvf.load" 2>&1 &
  load=$!; pids+=("$load")
  sleep 3
  kill -9 "$server"
  killed=$(date +%s%N)
  until answer=$(exec 3<>"/dev/tcp/127.0.0.1/$port" && echo COUNT >&3 && timeout 5 head -n 1 <&3) && [ -n "$answer" ]; do
    sleep 0.001
  done 2>/dev/null
  answered=$(date +%s%N)
  echo "  round $i: $(( (answered - killed) / 1000000 )) ms ($answer)"
  kill -9 "$load" 2>/dev/null || true
  stop
done
