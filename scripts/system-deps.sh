#!/usr/bin/env bash
# Debian packages the test suite uses as real peers: Prometheus and promtool (scraping /metrics),
# tmux (driving `domstat top` in a real terminal), Chromium (the web page), sqlite3 (plain-SQL
# readers), fonts for PNG plots and systemd-analyze (the service unit). `npm test` runs this
# first; as root with apt-get it installs what is missing, otherwise it says what to install.
set -u
need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && exit 0
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing test peers from Debian: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 || apt-get install -y -qq "${need[@]}" >/dev/null
  exit $?
fi
echo "missing test peers: ${need[*]} (apt-get install ${need[*]}); the tests that need them will fail" >&2
exit 0
