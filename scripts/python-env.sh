#!/usr/bin/env bash
# The Python environment the integration tests run the guide's Python sample in: a virtualenv under
# .data/pyvenv with the `openai` package from the machine's package index. Idempotent and quick once made.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.data/pyvenv
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import openai' 2>/dev/null; then exit 0; fi
echo "Preparing $VENV with the openai Python package (for the Python sample test)…" >&2
python3 -m venv "$VENV"
# Few retries: on a machine with only a local mirror, each unreachable index would otherwise cost a minute.
"$VENV/bin/pip" install -q --disable-pip-version-check --retries 1 --timeout 20 openai >"$VENV/pip.log" 2>&1 || true
if ! "$VENV/bin/python" -c 'import openai' 2>/dev/null; then
  grep -v '^WARNING' "$VENV/pip.log" >&2 || true
  echo "Could not install the openai Python package into $VENV: the Python sample test needs a package index (see pip config)." >&2
  exit 1
fi
