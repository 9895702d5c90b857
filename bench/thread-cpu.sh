#!/usr/bin/env bash
# Where a server's CPU and wake-ups go (a measurement, not a test): KvServer (demo-apps) under
# KvBench's closed loop of CLIENTS connections, without the agent, with mode=record, or as
# primary+backup (same port). Over SECONDS seconds in the middle of the load it reads
# /proc/<pid>/task/*/{stat,status} of each server JVM and prints, per group of threads (a
# thread's name without its trailing number), the voluntary and involuntary context switches per
# second and the CPU used, in percent of one core, then each JVM's total, the client's (KvBench)
# included: with the requests/s, what a request costs each process (the budget of 2 cores). The
# agent's own threads are named lockstep-*.
# Usage: bench/thread-cpu.sh [SETUP] [CLIENTS] [SECONDS]   (SETUP none | record | live; defaults record, 16, 4)
# AGENT_JAR=path runs another build of the agent; WARMUP=seconds of load before the window (default 20, as bench/server.sh). Linux only; build first: mvn -B -q -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/.."
SETUP=${1:-record}
CLIENTS=${2:-16}
SECONDS_=${3:-4}
WARMUP=${WARMUP:-20}
. bench/common.sh

base=$(free_port)
port=$(( base + 2 ))
common="primary=127.0.0.1:$base,backup=127.0.0.1:$(( base + 1 )),lock=$work/lock"
case $SETUP in
  none) "$JAVA" -cp "$APP" io.lockstep.demo.kv.KvServer "$port" > "$work/out" 2>&1 & servers=($!) ;;
  record) "$JAVA" -javaagent:"$AGENT"=mode=record,journal="$work/journal" -cp "$APP" io.lockstep.demo.kv.KvServer "$port" \
      > "$work/out" 2>&1 & servers=($!) ;;
  live)
    "$JAVA" -javaagent:"$AGENT"=mode=backup,journal="$work/b",$common -cp "$APP" io.lockstep.demo.kv.KvServer "$port" > "$work/bout" 2>&1 &
    backup=$!
    "$JAVA" -javaagent:"$AGENT"=mode=primary,journal="$work/p",$common -cp "$APP" io.lockstep.demo.kv.KvServer "$port" > "$work/out" 2>&1 &
    servers=($! "$backup") ;;
  *) echo "SETUP must be none, record or live (got '$SETUP')" >&2; exit 2 ;;
esac
pids+=("${servers[@]}")
await_port "$port" "${servers[0]}"
"$JAVA" -cp "$BENCH" io.lockstep.benchmarks.KvBench 127.0.0.1 "$port" "$CLIENTS" $(( SECONDS_ + 4 )) "$WARMUP" "$SETUP:" > "$work/bench" &
bench=$!; pids+=("$bench")
sleep $(( WARMUP + 2 ))

# One line per thread: tid name voluntary involuntary cpu-ticks. One awk over all the files: a
# process per thread would take seconds to start on a loaded machine, and threads come and go.
snapshot() {
  local task name
  for task in /proc/"$1"/task/*; do
    read -r name < "$task/comm" 2>/dev/null || name=gone
    printf '%s %s\n' "${task##*/}" "${name// /_}"
  done > "$work/names"
  awk 'FNR == 1 { split(FILENAME, p, "/"); tid = p[5] }
       FILENAME ~ /status$/ && /^voluntary_ctxt/ { v[tid] = $2 }
       FILENAME ~ /status$/ && /^nonvoluntary_ctxt/ { n[tid] = $2 }
       FILENAME ~ /stat$/ { sub(/.*\) /, ""); split($0, f, " "); c[tid] = f[12] + f[13] }
       END { for (t in v) print t, v[t], n[t], c[t] }' /proc/"$1"/task/*/status /proc/"$1"/task/*/stat 2>/dev/null \
    | sort > "$work/counts"
  sort "$work/names" | join - "$work/counts"
}
ticks=$(getconf CLK_TCK)
for pid in "${servers[@]}" "$bench"; do snapshot "$pid" > "$work/before-$pid"; done
sleep "$SECONDS_"
for pid in "${servers[@]}" "$bench"; do snapshot "$pid" > "$work/after-$pid"; done
wait "$bench" || true
cat "$work/bench"
role=server
[ "$SETUP" = live ] && role=primary
for pid in "${servers[@]}" "$bench"; do
  [ "$pid" = "$bench" ] && role=client
  echo "$role JVM, per group of threads over $SECONDS_ s (switches/s voluntary, involuntary; CPU % of one core):"
  join "$work/before-$pid" "$work/after-$pid" | awk -v s="$SECONDS_" -v hz="$ticks" '{
      g = $2; sub(/[-#]?[0-9]+$/, "", g); V[g] += $7 - $3; N[g] += $8 - $4; C[g] += $9 - $5; K[g]++ }
    END { for (g in V) if (C[g] > 0 || V[g] + N[g] >= 10 * s)
      printf "  %-24s %3d thread(s) %9.0f %9.0f %7.1f\n", g, K[g], V[g] / s, N[g] / s, 100 * C[g] / hz / s }' \
    | sort -k6 -g -r
  join "$work/before-$pid" "$work/after-$pid" | awk -v s="$SECONDS_" -v hz="$ticks" '{ C += $9 - $5 }
    END { printf "  %-24s %16s %19s %7.1f\n", "(all threads)", "", "", 100 * C / hz / s }'
  role=backup
done
