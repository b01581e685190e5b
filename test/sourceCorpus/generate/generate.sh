#!/usr/bin/env bash
# Regenerates test/sourceCorpus (cases, DSL files, daemon fixture outputs) deterministically.
# Needs: CPython 3.12 (the plugin daemon's Python; found via PYTHON312, pyenv or PATH), Node (for the
# JavaScript Code nodes) and Go at /usr/local/go/bin/go (or $GO). Creates its own venv once.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIFY_PLUGIN_VERSION=0.10.2
VENV="${HOME}/.cache/dify-trace-explorer/source-corpus-venv"

find_python312() {
  for candidate in "${PYTHON312:-}" "${HOME}/.pyenv/versions/3.12.1/bin/python3.12" "$(command -v python3.12 || true)"; do
    if [[ -n "$candidate" && -x "$candidate" ]]; then echo "$candidate"; return; fi
  done
  echo "CPython 3.12 not found (set PYTHON312)" >&2; exit 1
}

if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('dify_plugin') != '$DIFY_PLUGIN_VERSION')" 2>/dev/null; then
  rm -rf "$VENV"
  "$(find_python312)" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "dify_plugin==$DIFY_PLUGIN_VERSION" "PyYAML>=6"
fi

cd "$HERE"
rm -rf ../cases
export PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0
"$VENV/bin/python" plugins.py
"$VENV/bin/python" sandbox.py
"$VENV/bin/python" daemon.py
"$VENV/bin/python" verify.py
