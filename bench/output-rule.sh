#!/usr/bin/env bash
# What the output rule costs (a measurement, not a test), on one host, all in one run:
#  (a) latency of an output: OutputLatency stamps each line with nanoTime just before writing it,
#      200 us apart; LatencyReader (same host, same monotonic clock) records when it arrives:
#      without the agent, and as primary+backup over UDP loopback (idle=backoff, then idle=yield);
#      beside it, two yardsticks: the raw Aeron round trip (UDP loopback and IPC) of 32-byte
#      messages back to back on threads that never sleep (AeronRoundTrip), and the round trip of
#      Lockstep's own link paced as the lines are, its threads sleeping as the link threads do
#      (LinkRoundTrip: what any answer between two sleeping threads costs on this host);
#  (b) throughput of an output-heavy program (OutputLatency LINES 0: single-threaded, every line
#      an output): no agent, mode=record, primary+backup; medians of ROUNDS, alternating.
# Usage: bench/output-rule.sh [ROUNDS] [LINES]   (defaults 5, 200000); build first: mvn -B -q -DskipTests package
# AGENT_JAR=path runs another build of the agent (to compare two commits); HOGS=N runs N busy
# loops beside everything (a loaded host).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
LINES=${2:-200000}
. bench/common.sh
for _ in $(seq "${HOGS:-0}"); do sh -c 'while :; do :; done' & pids+=($!); disown $!; done
live() { # live NAME ARGS...: a backup and a primary of OutputLatency; the primary's stdout on this function's stdout
  local name=$1; shift
  rm -rf "$work/$name.p" "$work/$name.b"
  local base=$(( 20000 + RANDOM % 20000 ))
  local common="primary=127.0.0.1:$base,backup=127.0.0.1:$(( base + 1 )),lock=$work/$name.lock,idle=${IDLE:-backoff}"
  "$JAVA" -javaagent:"$AGENT"=mode=backup,journal="$work/$name.b",$common -cp "$APP" io.lockstep.demo.bench.OutputLatency "$@" \
    > /dev/null 2> "$work/$name.backup.err" &
  local backup=$!
  "$JAVA" -javaagent:"$AGENT"=mode=primary,journal="$work/$name.p",$common -cp "$APP" io.lockstep.demo.bench.OutputLatency "$@" \
    2> "$work/$name.primary.err"
  wait "$backup" || { echo "backup failed:"; cat "$work/$name.backup.err"; }
  if [ -s "$work/$name.primary.err" ]; then echo "primary said:" >&2; cat "$work/$name.primary.err" >&2; fi
}

echo "(a) latency of an output, 20000 lines 200 us apart (2000 warm-up lines not counted):"
"$JAVA" --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp "$BENCH" io.lockstep.benchmarks.AeronRoundTrip 20000 $(( 40000 + RANDOM % 10000 ))
"$JAVA" --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp "$BENCH" io.lockstep.benchmarks.LinkRoundTrip 20000 200 $(( 40000 + RANDOM % 10000 ))
"$JAVA" -cp "$APP" io.lockstep.demo.bench.OutputLatency 20000 200 | "$JAVA" -cp "$BENCH" io.lockstep.benchmarks.LatencyReader 2000 "no agent:"
IDLE=backoff live lat 20000 200 | "$JAVA" -cp "$BENCH" io.lockstep.benchmarks.LatencyReader 2000 "primary+backup, UDP, idle=backoff:"
IDLE=yield live lat 20000 200 | "$JAVA" -cp "$BENCH" io.lockstep.benchmarks.LatencyReader 2000 "primary+backup, UDP, idle=yield:"

echo "(b) throughput, OutputLatency $LINES 0, $ROUNDS rounds:"
for i in $(seq "$ROUNDS"); do
  t0=$(date +%s%N); "$JAVA" -cp "$APP" io.lockstep.demo.bench.OutputLatency "$LINES" 0 > "$work/none.out"; t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 )) | tee -a "$work/none.ms" > /dev/null
  rm -rf "$work/rec"
  t0=$(date +%s%N); "$JAVA" -javaagent:"$AGENT"=mode=record,journal="$work/rec" -cp "$APP" io.lockstep.demo.bench.OutputLatency "$LINES" 0 > "$work/rec.out"; t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 )) >> "$work/rec.ms"
  t0=$(date +%s%N); live tp "$LINES" 0 > "$work/live.out"; t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 )) >> "$work/live.ms"
  [ "$(wc -l < "$work/live.out")" = "$LINES" ] || { echo "primary printed $(wc -l < "$work/live.out") lines"; exit 1; }
  echo "  round $i: none $(tail -1 "$work/none.ms") ms, record $(tail -1 "$work/rec.ms") ms, primary+backup $(tail -1 "$work/live.ms") ms"
done
none=$(median < "$work/none.ms"); rec=$(median < "$work/rec.ms"); lv=$(median < "$work/live.ms")
echo "  medians: none $none ms, record $rec ms, primary+backup $lv ms; primary+backup/none $(awk -v a="$lv" -v b="$none" 'BEGIN {printf "%.2f", a/b}')"
echo "  log of the last primary run: $(du -sk "$work/tp.p" | awk '{print $1}') KiB on disk for $LINES outputs"
