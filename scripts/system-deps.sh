#!/usr/bin/env bash
# The Debian packages the tests drive, installed when missing (as root, or with passwordless sudo):
# `chromium` for the browser tests (Playwright cannot download its own browser offline), `redis-server`,
# which the shared-limit tests start, stop and restart themselves, `haproxy`, the load balancer of the
# scale-out test, `python3-venv` for the Python sample test and `curl` for the README's curl samples.
# Usage: system-deps.sh [package…]
set -euo pipefail
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(chromium redis-server haproxy python3-venv curl)
missing=()
for pkg in "${wanted[@]}"; do
  case "$pkg" in
    chromium) [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium) ;;
    python3-venv) python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv) ;;
    haproxy) command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy) ;;
    *) command -v "$pkg" >/dev/null 2>&1 || missing+=("$pkg") ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "The tests need these Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]} with apt-get (needed by the tests)…" >&2
"${SUDO[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
