# Sourced by the benchmarks that run the demo programs under the agent (bench/server.sh,
# bench/thread-cpu.sh, bench/output-rule.sh, bench/failover.sh), from the repository's root: the
# jars they run (AGENT_JAR=path runs another build of the agent), a work directory and the
# processes to kill on exit, ports, and the median of the numbers on stdin.
JAVA=${JAVA:-java}
AGENT=${AGENT_JAR:-agent/target/lockstep-agent.jar}
APP=demo-apps/target/demo-apps.jar
BENCH=benchmarks/target/benchmarks.jar
for f in "$AGENT" "$APP" "$BENCH"; do
  [ -f "$f" ] || { echo "missing $f: build first with: mvn -B -q -DskipTests package" >&2; exit 1; }
done
work=$(mktemp -d)
pids=()
trap 'kill -9 "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

# A port below Linux's ephemeral range (32768-60999), where a connection's own local port could
# hold it, that no TCP server listens on (the live sides' two UDP ports start at one too).
free_port() {
  local port
  while port=$(( 20000 + RANDOM % 12000 )); (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do :; done
  echo "$port"
}
await_port() { # await_port PORT PID: until something accepts on PORT
  for _ in $(seq 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "the server ended early" >&2; return 1; }
    sleep 0.05
  done
  return 1
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
