#!/usr/bin/env bash
# Live-mode benchmark (a measurement, not a test), on one host over UDP loopback:
#  (b) throughput of an output-heavy program (Ticker N lines, no pause: every line a held output)
#      without the agent and as primary+backup, alternating, medians of ROUNDS;
#  (c) failover time, SIGKILL of the primary to the backup's first line, median of ROUNDS runs of
#      demo/failover.sh;
#  (d) log bandwidth: the primary's journal bytes per second and per line of the throughput runs.
# Usage: bench/failover.sh [ROUNDS] [LINES]   (defaults 10, 20000); build first: mvn -B -q -DskipTests package
# AGENT_JAR=path runs another build of the agent (demo/failover.sh takes it too).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-10}
LINES=${2:-20000}
. bench/common.sh

echo "(c) failover, $ROUNDS runs:"
for i in $(seq "$ROUNDS"); do
  ./demo/failover.sh 400 150 > "$work/demo.$i" 2>&1 || { cat "$work/demo.$i"; exit 1; }
  grep -o 'failover: [0-9]* ms' "$work/demo.$i" | grep -o '[0-9]*' | tee -a "$work/failover.ms" | sed 's/^/  ms: /'
  grep -q '^OK:' "$work/demo.$i" || { cat "$work/demo.$i"; exit 1; }
done
echo "  median failover: $(median < "$work/failover.ms") ms"

echo "(b) throughput, Ticker $LINES lines, no pause:"
for i in $(seq "$ROUNDS"); do
  t0=$(date +%s%N); "$JAVA" -cp "$APP" io.lockstep.demo.Ticker "$LINES" 0 > "$work/none.out"; t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 )) >> "$work/none.ms"
  rm -rf "$work/p" "$work/b"; base=$(( 20000 + RANDOM % 20000 ))
  common="primary=127.0.0.1:$base,backup=127.0.0.1:$(( base + 1 )),lock=$work/lock"
  "$JAVA" -javaagent:"$AGENT"=mode=backup,journal="$work/b",$common -cp "$APP" io.lockstep.demo.Ticker "$LINES" 0 > /dev/null 2>&1 &
  bpid=$!
  t0=$(date +%s%N)
  "$JAVA" -javaagent:"$AGENT"=mode=primary,journal="$work/p",$common -cp "$APP" io.lockstep.demo.Ticker "$LINES" 0 > "$work/live.out"
  t1=$(date +%s%N)
  wait "$bpid"
  echo $(( (t1 - t0) / 1000000 )) >> "$work/live.ms"
  cmp -s <(wc -l < "$work/none.out") <(wc -l < "$work/live.out") || { echo "line counts differ"; exit 1; }
  echo "  round $i: none $(tail -1 "$work/none.ms") ms, primary+backup $(tail -1 "$work/live.ms") ms"
done
none=$(median < "$work/none.ms"); live=$(median < "$work/live.ms")
echo "  median: none $none ms, primary+backup $live ms, ratio $(awk -v a="$live" -v b="$none" 'BEGIN {printf "%.2f", a/b}')"
echo "(d) log of the last primary run:"
used=$(du -sk "$work/p" | awk '{print $1}')
echo "  journal on disk: ${used} KiB for $LINES lines in $live ms: $(( used * 1024 / LINES )) B per line, $(awk -v u="$used" -v t="$live" 'BEGIN {printf "%d", u * 1000 / t}') KiB/s"
