#!/usr/bin/env bash
# The failover demo of a server: a primary and a backup of an unmodified key-value server
# (KvServer: thread per connection, blocking sockets, a synchronized map, each write stamped with
# the time and a random id) on this host and on the same port. KvLoad's clients write keys and
# remember which writes were acknowledged; partway, the primary is killed with SIGKILL; the
# clients reconnect to the same address, where the backup went live, and carry on; at the end
# every acknowledged write is read back.
# Run from anywhere after `mvn -B -q -DskipTests package`.
# Usage: demo/server-failover.sh [CLIENTS] [WRITES_EACH] [KILL_AFTER_LINES]
set -euo pipefail
cd "$(dirname "$0")/.."

JAVA=${JAVA:-java}
AGENT=agent/target/lockstep-agent.jar
APP=demo-apps/target/demo-apps.jar
CLIENTS=${1:-4}
WRITES=${2:-500}
KILL_AFTER=${3:-$(( CLIENTS * WRITES / 3 ))}
for f in "$AGENT" "$APP"; do
  [ -f "$f" ] || { echo "missing $f: build first with: mvn -B -q -DskipTests package" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
trap 'kill -9 "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
base=$(( 20000 + RANDOM % 20000 ))
port=$(( base + 2 ))
common="primary=127.0.0.1:$base,backup=127.0.0.1:$(( base + 1 )),lock=$work/lock,timeout=500"

echo "== a backup and a primary of KvServer, both on port $port of this host =="
"$JAVA" -javaagent:"$AGENT"=mode=backup,journal="$work/backup",$common -cp "$APP" io.lockstep.demo.kv.KvServer "$port" \
  > "$work/backup.out" 2> "$work/backup.err" &
backup=$!; pids+=("$backup")
"$JAVA" -javaagent:"$AGENT"=mode=primary,journal="$work/primary",$common -cp "$APP" io.lockstep.demo.kv.KvServer "$port" \
  > "$work/primary.out" 2> "$work/primary.err" &
primary=$!; pids+=("$primary")
while [ ! -s "$work/primary.out" ]; do
  kill -0 "$primary" 2>/dev/null || { echo "the primary ended early:"; cat "$work/primary.err"; exit 1; }
  sleep 0.05
done
head -n 1 "$work/primary.out"

echo "== $CLIENTS clients write $WRITES keys each; the primary is killed after $KILL_AFTER writes =="
"$JAVA" -cp "$APP" io.lockstep.demo.kv.KvLoad 127.0.0.1 "$port" "$CLIENTS" "$WRITES" 30 SHUTDOWN > "$work/load.out" 2>&1 &
load=$!; pids+=("$load")
while [ "$(wc -l < "$work/primary.out")" -le "$KILL_AFTER" ]; do
  kill -0 "$primary" 2>/dev/null || { echo "the primary ended early:"; cat "$work/primary.err"; exit 1; }
  sleep 0.01
done
kill -9 "$primary"
{ wait "$primary"; } 2>/dev/null || true
echo "SIGKILL of the primary after $(( $(wc -l < "$work/primary.out") - 1 )) writes it logged"

status=0
wait "$load" || status=$?
echo "== the clients (exit status $status) =="
cat "$work/load.out"
bstatus=0
wait "$backup" || bstatus=$?
echo "== the backup (exit status $bstatus) =="
grep '^lockstep:' "$work/backup.err" || true
tail -n 1 "$work/backup.out"
if [ "$status" = 0 ] && [ "$bstatus" = 0 ] && grep -q " 0 lost" "$work/load.out"; then
  echo "OK: every acknowledged write survived the failover"
else
  echo "FAILED"; exit 1
fi
