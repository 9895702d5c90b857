#!/usr/bin/env bash
# The failover demo: a primary and a backup of an unmodified multithreaded program (Ticker: every
# line depends on randomness, time and thread interleaving, and carries a digest of the lines
# before it) on this host. The primary is killed with SIGKILL partway; the backup goes live and
# finishes the run. What a client saw (the primary's lines, then the backup's) is checked: no line
# missing, none different, only the primary's last unconfirmed lines repeated.
# Run from anywhere after `mvn -B -q -DskipTests package`.  Usage: demo/failover.sh [LINES] [KILL_AT]
set -euo pipefail
cd "$(dirname "$0")/.."

JAVA=${JAVA:-java}
AGENT=${AGENT_JAR:-agent/target/lockstep-agent.jar}
APP=demo-apps/target/demo-apps.jar
LINES=${1:-1000}
KILL_AT=${2:-$(( LINES / 3 ))}
for f in "$AGENT" "$APP"; do
  [ -f "$f" ] || { echo "missing $f: build first with: mvn -B -q -DskipTests package" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
trap 'kill -9 "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
base=$(( 20000 + RANDOM % 20000 ))
common="primary=127.0.0.1:$base,backup=127.0.0.1:$(( base + 1 )),lock=$work/lock,timeout=500"

echo "== a backup and a primary of Ticker $LINES lines, on one host =="
# Made here, not by the background jobs' redirections: the wait for KILL_AT lines below must not
# read a file that does not exist yet (its wc failed, the wait ended, and the primary was killed
# before it printed anything).
: > "$work/primary.out"
: > "$work/backup.out"
"$JAVA" -javaagent:"$AGENT"=mode=backup,journal="$work/backup",$common -cp "$APP" io.lockstep.demo.Ticker "$LINES" 3 \
  > "$work/backup.out" 2> "$work/backup.err" &
backup=$!; pids+=("$backup")
"$JAVA" -javaagent:"$AGENT"=mode=primary,journal="$work/primary",$common -cp "$APP" io.lockstep.demo.Ticker "$LINES" 3 \
  > "$work/primary.out" 2> "$work/primary.err" &
primary=$!; pids+=("$primary")

while [ "$(wc -l < "$work/primary.out")" -lt "$KILL_AT" ]; do
  kill -0 "$primary" 2>/dev/null || { echo "the primary ended early:"; cat "$work/primary.err"; exit 1; }
  sleep 0.01
done
kill -9 "$primary"
killed=$(date +%s%N)
while [ ! -s "$work/backup.out" ] && kill -0 "$backup" 2>/dev/null; do sleep 0.001; done
first_output=$(date +%s%N)
{ wait "$primary"; } 2>/dev/null || true
echo "SIGKILL of the primary after $(wc -l < "$work/primary.out") lines; its last line:"
tail -n 1 "$work/primary.out"
echo
status=0
wait "$backup" || status=$?
echo "== the backup (exit status $status) =="
grep '^lockstep:' "$work/backup.err" || true
echo "its first lines:"
head -n 3 "$work/backup.out"
echo "..."
tail -n 1 "$work/backup.out"
echo
echo "failover: $(( (first_output - killed) / 1000000 )) ms from SIGKILL to the backup's first line"
echo
echo "== what the clients saw, checked =="
"$JAVA" -cp "$APP" io.lockstep.demo.TickerCheck "$LINES" "$work/primary.out" "$work/backup.out"
