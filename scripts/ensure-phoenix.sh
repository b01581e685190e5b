#!/usr/bin/env bash
# Installs Arize Phoenix from PyPI into a project-owned virtual environment, for the remote backends
# tier (a real `phoenix serve` on loopback). Idempotent and cached; serialised with flock. Prints
# nothing on stdout but the `phoenix` executable's path.
#
#   C=${DIFY_TRACE_CACHE:-$HOME/.cache/dify-trace-explorer}
#   venv: $C/phoenix/venv-$PHOENIX_VERSION      install log: $C/logs/phoenix-install.log
set -euo pipefail

PHOENIX_VERSION=20.26.1
C=${DIFY_TRACE_CACHE:-$HOME/.cache/dify-trace-explorer}
DIR=$C/phoenix
VENV=$DIR/venv-$PHOENIX_VERSION
BIN=$VENV/bin/phoenix

say() { echo "ensure-phoenix: $*" >&2; }

mkdir -p "$DIR" "$C/logs"
exec 9>"$DIR/.lock"
if ! flock -n 9; then
  say "waiting for another ensure-phoenix run to finish ..."
  flock -w 3600 9 || { say "timed out waiting for $DIR/.lock"; exit 1; }
fi

if [ -x "$BIN" ] && [ -f "$VENV/.complete" ]; then
  echo "$BIN"
  exit 0
fi

# Phoenix supports Python 3.10 to 3.14 (its pyproject's requires-python).
PY=""
for candidate in ${PYTHON:-} python3.12 python3.11 python3.13 python3.10 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] < (3, 15) else 1)' 2>/dev/null; then
    PY=$candidate
    break
  fi
done
[ -n "$PY" ] || { say "no Python 3.10 to 3.14 found (Phoenix needs one)"; exit 1; }

log=$C/logs/phoenix-install.log
say "installing arize-phoenix $PHOENIX_VERSION with $("$PY" --version 2>&1) into $VENV; log: $log"
rm -rf "$VENV"
(
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet "arize-phoenix==$PHOENIX_VERSION"
) >"$log" 2>&1 || { say "FAILED (last lines of $log):"; tail -n 40 "$log" >&2; rm -rf "$VENV"; exit 1; }
[ -x "$BIN" ] || { say "the install has no $BIN: see $log"; exit 1; }
touch "$VENV/.complete"
echo "$BIN"
