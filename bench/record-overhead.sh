#!/usr/bin/env bash
# Record-mode overhead benchmark (a measurement, not a test): single-threaded programs by
# default, the one-token scheduler's multithreaded ones with BENCHES="ProducerConsumer ParallelCpu".
#
# For each benchmark program, for each round, runs the program as a whole JVM process three
# ways: with no agent, with mode=record (a fresh journal), then with mode=replay of that journal.
# The position of the no-agent run alternates (first in odd rounds, last in even rounds) so slow
# drift of a noisy machine does not favour one mode. Wall time of each process is taken with
# `date +%s%N` around it, never from the program's clock (under replay that clock is the
# recorded one). Every replay's stdout must equal its recording's stdout.
#
# Usage: bench/record-overhead.sh [ROUNDS]        (ROUNDS >= 5, default 5)
# Environment:
#   JAVA              java binary (default: java on the PATH)
#   AGENT_JAR         default agent/target/lockstep-agent.jar
#   DEMO_JAR          default demo-apps/target/demo-apps.jar
#   CPU_ARGS          arguments of CpuBound   (default: none, its own default of ~8-10 s)
#   CLOCK_ARGS        arguments of ClockHeavy (default: none, its own default)
#   SKIP_STARTUP=1    skip the startup-only row (CpuBound 0: JVM + agent start, no workload)
#   BENCHES           which programs, in order (default "CpuBound ClockHeavy startup-only"); the
#                     scheduler's: "ProducerConsumer ParallelCpu" (PC_ARGS, PAR_ARGS: their arguments)
#
# Writes nothing outside one temporary directory, which it removes on exit; the JVMs run with
# that directory as working directory and java.io.tmpdir, and without hsperfdata files.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ROUNDS=${1:-5}
if ! [[ $ROUNDS =~ ^[0-9]+$ ]] || (( ROUNDS < 5 )); then
    echo "record-overhead: ROUNDS must be an integer >= 5 (got '$ROUNDS')" >&2
    exit 2
fi
JAVA=${JAVA:-java}
AGENT_JAR=${AGENT_JAR:-agent/target/lockstep-agent.jar}
DEMO_JAR=${DEMO_JAR:-demo-apps/target/demo-apps.jar}
for jar in "$AGENT_JAR" "$DEMO_JAR"; do
    if [[ ! -f $jar ]]; then
        echo "record-overhead: $jar not found; build first: mvn -B -q install -DskipTests" >&2
        exit 2
    fi
done
AGENT_JAR=$(cd "$(dirname "$AGENT_JAR")" && pwd)/$(basename "$AGENT_JAR")
DEMO_JAR=$(cd "$(dirname "$DEMO_JAR")" && pwd)/$(basename "$DEMO_JAR")
command -v "$JAVA" >/dev/null || { echo "record-overhead: no java at '$JAVA'" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/lockstep-bench.XXXXXX")
cleanup() { rm -rf -- "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$TMP/work" "$TMP/jvmtmp" "$TMP/jars"
# Snapshots: a rebuild during the run must not swap the jars under the benchmark.
cp -- "$AGENT_JAR" "$TMP/jars/lockstep-agent.jar"
cp -- "$DEMO_JAR" "$TMP/jars/demo-apps.jar"
echo "agent: $AGENT_JAR (sha256 $(sha256sum "$AGENT_JAR" | cut -c1-12), $(date -r "$AGENT_JAR" '+%F %T'))"
echo "demo:  $DEMO_JAR (sha256 $(sha256sum "$DEMO_JAR" | cut -c1-12))"
AGENT_JAR=$TMP/jars/lockstep-agent.jar
DEMO_JAR=$TMP/jars/demo-apps.jar
cd "$TMP/work"

JVM_OPTS=(-XX:-UsePerfData "-Djava.io.tmpdir=$TMP/jvmtmp")

echo "java -version: $("$JAVA" -XX:-UsePerfData -version 2>&1 | head -n 1)"
echo "               $("$JAVA" -XX:-UsePerfData -version 2>&1 | sed -n 2p)"
echo "rounds: $ROUNDS   cores: $(nproc 2>/dev/null || echo '?')   load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo

fail() {
    echo >&2
    echo "record-overhead: FAILED: $*" >&2
    exit 1
}

# run LABEL OUT ERR [java args...]: runs one JVM, sets ELAPSED_MS; fails loudly on a non-zero exit.
run() {
    local label=$1 out=$2 err=$3
    shift 3
    local start end status=0
    start=$(date +%s%N)
    "$JAVA" "${JVM_OPTS[@]}" "$@" <"/dev/null" >"$out" 2>"$err" || status=$?
    end=$(date +%s%N)
    ELAPSED_MS=$(( (end - start) / 1000000 ))
    if (( status != 0 )); then
        echo "--- stdout of $label ---" >&2; tail -n 20 "$out" >&2
        echo "--- stderr of $label ---" >&2; tail -n 40 "$err" >&2
        fail "$label exited with status $status"
    fi
}

median() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

human() {  # bytes -> "12.3 MiB"
    awk -v b="$1" 'BEGIN { if (b >= 1048576) printf "%.1f MiB", b / 1048576; else printf "%.1f KiB", b / 1024 }'
}

SUMMARY=()
STEADY=()

# bench NAME MAIN_CLASS [program args...]
bench() {
    local name=$1 main=$2
    shift 2
    local -a args=("$@")
    local -a none=() rec=() rep=() work_none=() work_rec=() cpu_none=() cpu_rec=()
    local journal_disk="" journal_apparent="" round
    echo "== $name: $main ${args[*]:-}"
    for (( round = 1; round <= ROUNDS; round++ )); do
        local dir="$TMP/r-$name-$round"
        mkdir -p "$dir"
        local journal="$dir/journal"
        local t_none t_rec t_rep
        if (( round % 2 == 1 )); then
            run "$name none #$round" "$dir/none.out" "$dir/none.err" -cp "$DEMO_JAR" "$main" "${args[@]}"
            t_none=$ELAPSED_MS
        fi
        run "$name record #$round" "$dir/record.out" "$dir/record.err" \
            "-javaagent:$AGENT_JAR=mode=record,journal=$journal" -cp "$DEMO_JAR" "$main" "${args[@]}"
        t_rec=$ELAPSED_MS
        run "$name replay #$round" "$dir/replay.out" "$dir/replay.err" \
            "-javaagent:$AGENT_JAR=mode=replay,journal=$journal" -cp "$DEMO_JAR" "$main" "${args[@]}"
        t_rep=$ELAPSED_MS
        if (( round % 2 == 0 )); then
            run "$name none #$round" "$dir/none.out" "$dir/none.err" -cp "$DEMO_JAR" "$main" "${args[@]}"
            t_none=$ELAPSED_MS
        fi
        if ! cmp -s "$dir/record.out" "$dir/replay.out"; then
            echo "--- diff record.out replay.out ($name round $round) ---" >&2
            diff "$dir/record.out" "$dir/replay.out" | head -n 20 >&2 || true
            fail "$name round $round: the replay's stdout differs from the recording's"
        fi
        if [[ ! -s $dir/record.out ]]; then
            fail "$name round $round: the program printed nothing"
        fi
        if grep -q '^workload-ms ' "$dir/none.err"; then
            work_none+=("$(awk '/^workload-ms /{print $2}' "$dir/none.err")")
            work_rec+=("$(awk '/^workload-ms /{print $2}' "$dir/record.err")")
            cpu_none+=("$(awk '/^workload-cpu-ms /{print $2}' "$dir/none.err")")
            cpu_rec+=("$(awk '/^workload-cpu-ms /{print $2}' "$dir/record.err")")
        fi
        for f in record.err replay.err; do
            if [[ -s $dir/$f ]] && grep -qv '^workload-' "$dir/$f"; then
                echo "   (round $round: ${f%.err} wrote to stderr: $(head -c 300 "$dir/$f" | tr '\n' ' '))"
            fi
        done
        if [[ -z $journal_disk ]]; then
            journal_disk=$(( $(du -sk "$journal" | cut -f1) * 1024 ))
            journal_apparent=$(du -sb --apparent-size "$journal" 2>/dev/null | cut -f1 || echo 0)
        fi
        none+=("$t_none"); rec+=("$t_rec"); rep+=("$t_rep")
        printf '   round %d: none %6d ms   record %6d ms   replay %6d ms   %s\n' \
            "$round" "$t_none" "$t_rec" "$t_rep" "$(head -n 1 "$dir/record.out" | cut -c1-60)"
        rm -rf -- "$dir"
    done
    local m_none m_rec m_rep
    m_none=$(printf '%s\n' "${none[@]}" | median)
    m_rec=$(printf '%s\n' "${rec[@]}" | median)
    m_rep=$(printf '%s\n' "${rep[@]}" | median)
    SUMMARY+=("$(awk -v n="$name" -v a="$m_none" -v b="$m_rec" -v c="$m_rep" \
        -v j="$(human "$journal_disk") ($(human "$journal_apparent") apparent)" \
        'BEGIN { printf "%-14s %9d %9d %9d %12.3f %14.3f   %s", n, a, b, c, b / a, c / b, j }')")
    if (( ${#work_none[@]} > 0 )); then
        local w_none w_rec c_none c_rec
        w_none=$(printf '%s\n' "${work_none[@]}" | median)
        w_rec=$(printf '%s\n' "${work_rec[@]}" | median)
        c_none=$(printf '%s\n' "${cpu_none[@]}" | median)
        c_rec=$(printf '%s\n' "${cpu_rec[@]}" | median)
        STEADY+=("$(awk -v n="$name" -v a="$w_none" -v b="$w_rec" -v c="$c_none" -v d="$c_rec" \
            'BEGIN { printf "%-14s %9d %9d %12.3f %9d %9d %12.3f", n, a, b, b / a, c, d, (c > 0 ? d / c : 0) }')")
    fi
    echo
}

DEFAULT_BENCHES="CpuBound ClockHeavy"
[[ ${SKIP_STARTUP:-0} == 1 ]] || DEFAULT_BENCHES+=" startup-only"
for name in ${BENCHES:-$DEFAULT_BENCHES}; do
    case $name in
        CpuBound) bench CpuBound io.lockstep.demo.bench.CpuBound ${CPU_ARGS:-} ;;
        ClockHeavy) bench ClockHeavy io.lockstep.demo.bench.ClockHeavy ${CLOCK_ARGS:-} ;;
        startup-only) bench startup-only io.lockstep.demo.bench.CpuBound 0 ;;
        ProducerConsumer) bench ProducerConsumer io.lockstep.demo.bench.ProducerConsumer ${PC_ARGS:-} ;;
        ParallelCpu) bench ParallelCpu io.lockstep.demo.bench.ParallelCpu ${PAR_ARGS:-} ;;
        *) fail "unknown benchmark '$name' (known: CpuBound ClockHeavy startup-only ProducerConsumer ParallelCpu)" ;;
    esac
done

echo "medians of $ROUNDS rounds, wall time of the whole JVM process (ms):"
printf '%-14s %9s %9s %9s %12s %14s   %s\n' program none record replay record/none replay/record "journal of one recording (on disk)"
for line in "${SUMMARY[@]}"; do
    echo "$line"
done
if (( ${#STEADY[@]} > 0 )); then
    echo
    echo "medians of the workload's own time (ms; start-up excluded): wall (System.nanoTime) and the CPU time of the workload's threads"
    printf '%-14s %9s %9s %12s %9s %9s %12s\n' program wall-none wall-rec record/none cpu-none cpu-rec record/none
    for line in "${STEADY[@]}"; do
        echo "$line"
    done
fi
