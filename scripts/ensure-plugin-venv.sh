#!/usr/bin/env bash
# A virtual environment with the real dify_plugin SDK from PyPI, for the demo plugin's Replay Tool
# Call e2e test (the test links it as the plugin's .venv for the run). Idempotent and cached;
# serialised with flock. Prints nothing on stdout but the environment's python path.
#
#   C=${DIFY_TRACE_CACHE:-$HOME/.cache/dify-trace-explorer}
#   venv: $C/plugin-venv/dify_plugin-$SDK_VERSION      install log: $C/logs/plugin-venv-install.log
#
# The demo plugin's requirements.txt asks for dify_plugin 0.10; the package index this project is
# built against serves releases up to 0.7.4, whose Tool, ToolRuntime and Session have the same shape
# (dify_plugin/interfaces/tool, entities/tool.py, core/runtime.py), so 0.7.4 is what is installed.
set -euo pipefail

SDK_VERSION=0.7.4
C=${DIFY_TRACE_CACHE:-$HOME/.cache/dify-trace-explorer}
DIR=$C/plugin-venv
VENV=$DIR/dify_plugin-$SDK_VERSION
BIN=$VENV/bin/python

say() { echo "ensure-plugin-venv: $*" >&2; }

mkdir -p "$DIR" "$C/logs"
exec 9>"$DIR/.lock"
if ! flock -n 9; then
  say "waiting for another ensure-plugin-venv run to finish ..."
  flock -w 3600 9 || { say "timed out waiting for $DIR/.lock"; exit 1; }
fi

if [ -x "$BIN" ] && [ -f "$VENV/.complete" ]; then
  echo "$BIN"
  exit 0
fi

# dify_plugin 0.7.4 needs Python 3.11 or newer (its Requires-Python); gevent 25.5 has wheels up to 3.13.
PY=""
for candidate in ${PYTHON:-} python3.12 python3.11 python3.13 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)' 2>/dev/null; then
    PY=$candidate
    break
  fi
done
[ -n "$PY" ] || { say "no Python 3.11 to 3.13 found (dify_plugin $SDK_VERSION needs one)"; exit 1; }

log=$C/logs/plugin-venv-install.log
say "creating $VENV with dify_plugin $SDK_VERSION (log: $log) ..."
rm -rf "$VENV"
{
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install --disable-pip-version-check "dify_plugin==$SDK_VERSION" "httpx>=0.28"
} >"$log" 2>&1 || { say "installing dify_plugin failed; see $log"; tail -20 "$log" >&2; exit 1; }
"$BIN" -c 'import dify_plugin, dify_plugin.core.runtime, dify_plugin.entities.tool' >>"$log" 2>&1 || { say "dify_plugin does not import; see $log"; exit 1; }
touch "$VENV/.complete"
echo "$BIN"
