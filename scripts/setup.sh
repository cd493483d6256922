#!/usr/bin/env bash
# Create .venv on Python 3.10 and install herbot's exact pinned dependencies.
# Idempotent: it reinstalls only when requirements/lock.txt or pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

want="$(cat .python-version)"   # 3.10: Rasa 3.6 supports Python 3.8 to 3.10 only
venv=.venv
stamp="$venv/.herbot-installed"

find_python() {
  local candidate
  for candidate in "python$want" \
      "$(command -v pyenv >/dev/null 2>&1 && pyenv root)/versions/$want"*/bin/python \
      /usr/bin/python"$want" /usr/local/bin/python"$want"; do
    if [ -x "$(command -v "$candidate" 2>/dev/null || echo "$candidate")" ] &&
       "$candidate" -c "import sys, venv; assert sys.version.startswith('$want.')" 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import sys; assert sys.version.startswith('$want.')" 2>/dev/null; then
  if ! python="$(find_python)"; then
    echo "herbot needs Python $want (Rasa 3.6 runs on Python 3.8 to 3.10) and none was found." >&2
    echo "Install it, e.g. 'pyenv install $want' or 'apt-get install python$want python$want-venv', then run this again." >&2
    exit 1
  fi
  echo "==> creating $venv with $("$python" --version)"
  rm -rf "$venv"
  "$python" -m venv "$venv"
fi

want_stamp="$(cat requirements/lock.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want_stamp" ]; then
  echo "==> installing pinned dependencies (first time: several minutes, about 5 GB)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pip==24.2"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
  "$venv/bin/python" -m pip check
  echo "$want_stamp" > "$stamp"
fi
