#!/usr/bin/env bash
# System packages the tests need beyond .venv: Debian's Chromium and ChromeDriver, which the
# browser tests drive headless (never a browser downloaded by a test tool), and PostgreSQL and
# Redis, which the scale-out tests start on free ports of their own (tests/support/databases.py).
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need ${missing[*]} (Debian: apt-get install chromium chromium-driver postgresql redis-server)." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "==> installing ${missing[*]} from Debian's packages (for the browser and scale-out tests)"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
