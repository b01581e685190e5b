#!/usr/bin/env bash
# `npm run demo`: from a fresh clone to a real VS Code (code-server) with the extension installed,
# the demo Dify plugin workspace open and the demo traces sent to it. Installs what it needs:
# npm packages (when missing or not the locked versions), Chromium, Node 24 and code-server
# (scripts/ensure-host-tools.sh, cached). Then packages the .vsix and hands over to scripts/demo.ts.
#
#   npm run demo                          # prints the URL to open; Ctrl-C stops
#   npm run demo -- --headless-check      # opens it in headless Chromium, checks, writes test-results/demo-*.png
#   npm run demo -- --port 9000           # code-server port (default 8080 when free)
#   npm run demo -- --large [spans]       # also a generated failing run of 100k (or [spans]) spans
#   npm run demo -- --recorded [name]     # also what a real Dify sent (test/recorded/<name>, default dify-1.13.3)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-npm-deps.sh

echo "== Host tools (Chromium, Node 24, code-server; cached)"
bash scripts/ensure-host-tools.sh

echo "== Package the extension (.vsix)"
npm run --silent package | tail -n 1

echo "== Start the demo"
exec node --import tsx scripts/demo.ts "$@"
