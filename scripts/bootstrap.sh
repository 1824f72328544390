#!/usr/bin/env bash
# Set up everything kanwu needs, idempotently: Debian packages (when allowed),
# a .venv with kanwu and its test tools. A second run changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(fontconfig libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-lxgw-wenkai poppler-utils ghostscript
          chromium chromium-driver)  # the last two: the browser test of kanwu serve (tests/test_serve_browser.py)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
  done
fi

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo)
  else
    echo "kanwu needs these Debian packages: ${missing[*]}" >&2
    echo "Install them, then run make again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "==> installing ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fc-cache -f >/dev/null 2>&1 || true
fi

PY=${PYTHON:-}
if [[ -z "$PY" ]]; then
  for cand in python3.13 python3.12 python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      PY=$cand; break
    fi
  done
fi
if [[ -z "$PY" ]]; then
  echo "kanwu needs Python 3.11 or newer (apt-get install python3 python3-venv)" >&2
  exit 1
fi

if [[ ! -x .venv/bin/python ]]; then
  echo "==> creating .venv with $PY"
  "$PY" -m venv .venv || { echo "python venv failed: apt-get install python3-venv" >&2; exit 1; }
fi

stamp=.venv/.kanwu-installed
want=$(cat pyproject.toml | sha256sum | cut -c1-16)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  echo "==> installing kanwu into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import kanwu, weasyprint, uharfbuzz" || { echo "pip install failed" >&2; exit 1; }
  echo "$want" > "$stamp"
fi
