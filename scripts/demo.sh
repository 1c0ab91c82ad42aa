#!/usr/bin/env bash
# domstat in one minute: a simulated Xen host with 5 busy and idle domains, the agent sampling it
# every second for ~15 s, and the history read back. Everything lives in a temporary directory
# that is removed at the end. Run with: npm run demo
set -euo pipefail
cd "$(dirname "$0")/.."

AGENT_SECONDS=${AGENT_SECONDS:-15}
# Background processes are started as `node ...` directly, so $! is node's own pid.
DOMSTAT=(node bin/domstat.js)
domstat() { "${DOMSTAT[@]}" "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ domstat %s\n' "$*"; domstat "$@"; }

# Build only when dist/ is missing or older than the sources.
if [ ! -f dist/cli/main.js ] || [ -n "$(find src schema.sql -newer dist/cli/main.js -print -quit)" ]; then
  step "building (tsc)"
  npm run --silent build
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/domstat-demo.XXXXXX")
SIM_PID=
AGENT_PID=
cleanup() {
  [ -n "$AGENT_PID" ] && kill -TERM "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null || true
  [ -n "$SIM_PID" ] && kill -TERM "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "1. a simulated Xen dom0 with 5 domains, counters advancing every second"
printf '$ domstat simulate --domains 5 --out %s --xen &\n' "$DIR/host"
"${DOMSTAT[@]}" simulate --domains 5 --out "$DIR/host" --xen &
SIM_PID=$!
for _ in $(seq 1 100); do [ -f "$DIR/host/proc/net/dev" ] && break; sleep 0.1; done
sleep 0.5
show list --root "$DIR/host"
show domifstat --root "$DIR/host" sim-0001 vif1.0

step "2. the agent samples every domain into SQLite once a second for ${AGENT_SECONDS} s"
printf '$ domstat agent --root %s --db %s --interval 1\n' "$DIR/host" "$DIR/demo.db"
[ -t 1 ] || echo "(on a terminal the agent prints one status line per tick)"
"${DOMSTAT[@]}" agent --root "$DIR/host" --db "$DIR/demo.db" --interval 1 &
AGENT_PID=$!
sleep "$AGENT_SECONDS"
kill -TERM "$AGENT_PID"
wait "$AGENT_PID" || true
AGENT_PID=

step "3. what the database holds"
show history --db "$DIR/demo.db" --list

step "4. sim-0001's received bytes per second over the last minute (raw tier, one row per tick)"
show history --db "$DIR/demo.db" sim-0001 net.0.rx.bytes --rate --since 1m

step "5. the same as CSV, with more keys (first rows)"
printf '$ domstat history --db %s sim-0001 net.0.rx.bytes net.0.tx.bytes block.0.rd.bytes block.1.wr.bytes --rate --since 1m --format csv | head -6\n' "$DIR/demo.db"
domstat history --db "$DIR/demo.db" sim-0001 net.0.rx.bytes net.0.tx.bytes block.0.rd.bytes block.1.wr.bytes --rate --since 1m --format csv | head -6

step "done: the simulator and the agent are stopped and $DIR is removed"
