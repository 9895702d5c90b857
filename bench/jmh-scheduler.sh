#!/usr/bin/env bash
# JMH micro-benchmarks of what the agent adds to application code (a measurement, not a test):
# an uncontended monitor enter/exit and a tick (a loop back-edge). Runs the JMH benchmarks of
# benchmarks/ ROUNDS times without the agent and ROUNDS times under mode=record, alternating,
# each in its own JVM (JMH with -f 0: the benchmark runs in the JVM the agent is attached to),
# and prints per-benchmark medians and the derived costs:
#   per monitor = monitorIncrement(agent) - plainIncrement(agent) - (monitorIncrement(none) - plainIncrement(none))
#   per tick    = (loopOf1000(agent) - loopOf1000(none)) / 1000
#
# Usage: bench/jmh-scheduler.sh [ROUNDS]      (ROUNDS >= 5, default 5)
# Environment: JAVA (default java), AGENT_JAR, BENCH_JAR (default benchmarks/target/benchmarks.jar)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
ROUNDS=${1:-5}
if ! [[ $ROUNDS =~ ^[0-9]+$ ]] || (( ROUNDS < 5 )); then
    echo "jmh-scheduler: ROUNDS must be an integer >= 5 (got '$ROUNDS')" >&2
    exit 2
fi
JAVA=${JAVA:-java}
AGENT_JAR=$(realpath "${AGENT_JAR:-agent/target/lockstep-agent.jar}")
BENCH_JAR=$(realpath "${BENCH_JAR:-benchmarks/target/benchmarks.jar}")
for jar in "$AGENT_JAR" "$BENCH_JAR"; do
    [[ -f $jar ]] || { echo "jmh-scheduler: $jar not found; build first: mvn -B -q install -DskipTests" >&2; exit 2; }
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lockstep-jmh.XXXXXX")
trap 'rm -rf -- "$TMP"' EXIT
cp -- "$AGENT_JAR" "$TMP/agent.jar"
cp -- "$BENCH_JAR" "$TMP/benchmarks.jar"
cd "$TMP"
echo "java: $("$JAVA" -XX:-UsePerfData -version 2>&1 | head -n 1)   cores: $(nproc)   rounds: $ROUNDS"

# one MODE ROUND: runs the benchmarks once, appends "MODE benchmark score" lines to results
one() {
    local mode=$1 round=$2 agent=()
    if [[ $mode == record ]]; then
        agent=("-javaagent:$TMP/agent.jar=mode=record,journal=$TMP/journal-$round")
    fi
    # No blackhole auto-detection: it starts a child JVM and waits for it (Process.waitFor is not modelled yet).
    "$JAVA" -XX:-UsePerfData "-Djava.io.tmpdir=$TMP" -Djmh.blackhole.autoDetect=false "${agent[@]}" -jar "$TMP/benchmarks.jar" SchedulerCosts \
        -f 0 -rf csv -rff "$TMP/$mode-$round.csv" > "$TMP/$mode-$round.log" 2>&1 \
        || { tail -n 30 "$TMP/$mode-$round.log" >&2; echo "jmh-scheduler: $mode round $round failed" >&2; exit 1; }
    awk -F, -v m="$mode" 'NR > 1 { gsub(/"/, ""); sub(/.*\./, "", $1); print m, $1, $5 }' "$TMP/$mode-$round.csv" >> "$TMP/results"
    rm -rf -- "$TMP/journal-$round"
}
for (( round = 1; round <= ROUNDS; round++ )); do
    if (( round % 2 )); then one none "$round"; one record "$round"; else one record "$round"; one none "$round"; fi
    echo "round $round: $(awk -v r=0 '{ printf "%s %s=%.2f  ", $1, $2, $3 }' <(tail -n 6 "$TMP/results"))"
done
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
echo "medians of $ROUNDS rounds (ns/op):"
printf '%-18s %10s %10s %8s\n' benchmark none record ratio
declare -A M
for b in plainIncrement monitorIncrement loopOf1000; do
    for mode in none record; do
        M[$mode-$b]=$(awk -v m="$mode" -v b="$b" '$1 == m && $2 == b { print $3 }' "$TMP/results" | median)
    done
    awk -v b="$b" -v n="${M[none-$b]}" -v r="${M[record-$b]}" 'BEGIN { printf "%-18s %10.3f %10.3f %8.2f\n", b, n, r, r / n }'
done
awk -v pa="${M[record-plainIncrement]}" -v ma="${M[record-monitorIncrement]}" -v pn="${M[none-plainIncrement]}" \
    -v mn="${M[none-monitorIncrement]}" -v la="${M[record-loopOf1000]}" -v ln="${M[none-loopOf1000]}" 'BEGIN {
    printf "per uncontended monitor enter/exit added by the agent: %.2f ns\n", (ma - pa) - (mn - pn)
    printf "per tick (loop back-edge) added by the agent:           %.3f ns\n", (la - ln) / 1000 }'
