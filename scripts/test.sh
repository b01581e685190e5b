#!/usr/bin/env bash
# `npm test`: every test tier, from a fresh clone. Installs what it needs (npm packages, and for
# the e2e tier Chromium, Node 24 and code-server through scripts/ensure-host-tools.sh; for the remote
# backends tier a Jaeger build through scripts/ensure-jaeger.sh; all cached).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-npm-deps.sh

echo "== Type-check (host + server, webview)"
npm run --silent typecheck
echo "== Lint"
npm run --silent lint
echo "== Unit tests"
npm run --silent test:unit
echo "== Trace database tests (Node 24: node:sqlite, as in the editor's extension host)"
npm run --silent test:node24
echo "== Remote backends against real ones on loopback (Jaeger v1.75.0, Zipkin 3.6.1, Phoenix 20.26.1; installed and cached by scripts/ensure-*.sh)"
npm run --silent test:backends
echo "== Package (.vsix)"
npm run --silent package
echo "== End-to-end tests in code-server"
npm run --silent test:e2e
