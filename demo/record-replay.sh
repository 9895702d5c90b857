#!/usr/bin/env bash
# The record/replay demo: the same unmodified program, run twice plainly (its output differs),
# then recorded and replayed in another environment, with other stdin, at another time (its
# output is identical). Run from anywhere after `mvn -B -q -DskipTests package`.
set -euo pipefail
cd "$(dirname "$0")/.."

JAVA=${JAVA:-java}
AGENT=agent/target/lockstep-agent.jar
APP=demo-apps/target/demo-apps.jar
MAIN=io.lockstep.demo.NondeterminismDemo
for f in "$AGENT" "$APP"; do
  [ -f "$f" ] || { echo "missing $f: build first with: mvn -B -q -DskipTests package" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== 1. two plain runs, no agent: the lines that differ =="
printf 'hello\nworld\n' | "$JAVA" -cp "$APP" "$MAIN" > "$work/plain1.txt"
sleep 1
printf 'other\ninput\n' | LOCKSTEP_DEMO=2 TZ=America/New_York "$JAVA" -Xshare:off -cp "$APP" "$MAIN" > "$work/plain2.txt"
diff "$work/plain1.txt" "$work/plain2.txt" | grep '^[<>]' || true

echo
echo "== 2. record (TZ=Asia/Tokyo, stdin 'hello world') =="
printf 'hello\nworld\n' | TZ=Asia/Tokyo "$JAVA" -javaagent:"$AGENT"=mode=record,journal="$work/journal" \
  -cp "$APP" "$MAIN" | tee "$work/record.txt"

echo
echo "== 3. replay, a second later, in an empty environment but TZ=America/New_York (no LANG, no HOME), stdin closed, class data sharing off =="
sleep 1
env -i PATH="$PATH" LOCKSTEP_DEMO=replay TZ=America/New_York "$JAVA" -Xshare:off -javaagent:"$AGENT"=mode=replay,journal="$work/journal" \
  -cp "$APP" "$MAIN" < /dev/null > "$work/replay.txt"

if cmp -s "$work/record.txt" "$work/replay.txt"; then
  echo "replay output is byte-for-byte identical to the recording ($(wc -l < "$work/record.txt") lines, $(wc -c < "$work/record.txt") bytes)"
  echo "journal: $(du -sh "$work/journal" | cut -f1) on disk"
else
  echo "REPLAY DIFFERS:" >&2
  diff "$work/record.txt" "$work/replay.txt" >&2
  exit 1
fi
