#!/usr/bin/env bash
# domstat in one minute: a simulated Xen host with 5 busy and idle domains, the agent sampling it
# every second for ~15 s and serving its web page, `top` on the live host, and the history read
# back. Everything lives in a temporary directory that is removed at the end; the only thing
# left is the page's screenshot (when Chromium is installed), at the path the demo prints.
# Run with: npm run demo
set -euo pipefail
cd "$(dirname "$0")/.."

AGENT_SECONDS=${AGENT_SECONDS:-15}
# Background processes are started as `node ...` directly, so $! is node's own pid.
DOMSTAT=(node bin/domstat.cjs)
domstat() { "${DOMSTAT[@]}" "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ domstat %s\n' "$*"; domstat "$@"; }

# Build only when dist/ is missing or older than the sources (the one-shot bundle is built last).
if [ ! -f dist/cli/oneshot.cjs ] || [ -n "$(find src schema.sql scripts/bundle.mjs -newer dist/cli/oneshot.cjs -print -quit)" ]; then
  step "building (tsc, bundle)"
  npm run --silent build
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/domstat-demo.XXXXXX")
SCREENSHOT="${TMPDIR:-/tmp}/domstat-demo-page.png"
SIM_PID=
AGENT_PID=
cleanup() {
  [ -n "$AGENT_PID" ] && kill -TERM "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null || true
  [ -n "$SIM_PID" ] && kill -TERM "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "1. a simulated Xen dom0 with 5 domains, counters advancing every 0.1 s"
printf '$ domstat simulate --domains 5 --out %s --xen &\n' "$DIR/host"
"${DOMSTAT[@]}" simulate --domains 5 --out "$DIR/host" --xen &
SIM_PID=$!
for _ in $(seq 1 100); do [ -f "$DIR/host/proc/net/dev" ] && break; sleep 0.1; done
sleep 0.5
show list --root "$DIR/host"
show domifstat --root "$DIR/host" sim-0001 vif1.0

# A free port on the loopback: bound by the kernel's choice, then released for the agent.
PORT=$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
URL="http://127.0.0.1:$PORT/"

step "2. the agent samples every domain into SQLite once a second for ${AGENT_SECONDS} s, and serves its web page"
printf '$ domstat agent --root %s --db %s --interval 1 --listen 127.0.0.1:%s &\n' "$DIR/host" "$DIR/demo.db" "$PORT"
"${DOMSTAT[@]}" agent --root "$DIR/host" --db "$DIR/demo.db" --interval 1 --listen "127.0.0.1:$PORT" --quiet &
AGENT_PID=$!
AGENT_START=$SECONDS
echo "the web page: $URL (open it while the demo runs: live charts, /metrics for Prometheus)"

step "3. top, two batch refreshes 2 s apart (the second has rates)"
show top --root "$DIR/host" -b -n 2 -d 2 -o name

# Let the agent gather a few more seconds of history for the page and the queries below.
REST=$((AGENT_SECONDS - (SECONDS - AGENT_START)))
[ "$REST" -gt 0 ] && sleep "$REST"

CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -n "$CHROMIUM" ]; then
  step "4. the web page in headless Chromium"
  # Its own profile in the demo directory; --no-sandbox because the demo may run as root.
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$DIR/chromium" \
    --window-size=1280,900 --virtual-time-budget=8000 --screenshot="$SCREENSHOT" "$URL" >/dev/null 2>&1 || true
  if [ -s "$SCREENSHOT" ]; then echo "screenshot of $URL saved to $SCREENSHOT (kept after the demo)"; else echo "(Chromium could not take the screenshot)"; fi
else
  step "4. the web page: no Chromium here to take a screenshot; it was at $URL while the agent ran"
fi

kill -TERM "$AGENT_PID"
wait "$AGENT_PID" || true
AGENT_PID=

step "5. what the database holds"
show history --db "$DIR/demo.db" --list

step "6. sim-0001's received bytes per second over the last minute (raw tier, one row per tick)"
show history --db "$DIR/demo.db" sim-0001 net.0.rx.bytes --rate --since 1m

step "7. the same as CSV, with more keys (first rows)"
printf '$ domstat history --db %s sim-0001 net.0.rx.bytes net.0.tx.bytes block.0.rd.bytes block.1.wr.bytes --rate --since 1m --format csv | head -6\n' "$DIR/demo.db"
domstat history --db "$DIR/demo.db" sim-0001 net.0.rx.bytes net.0.tx.bytes block.0.rd.bytes block.1.wr.bytes --rate --since 1m --format csv | head -6

step "done: the simulator and the agent are stopped and $DIR is removed"
