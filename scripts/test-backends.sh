#!/usr/bin/env bash
# `npm run test:backends`: the remote backend adapters against real backends on loopback. Builds
# Jaeger v1.75.0 from the Go module proxy when it is not cached (scripts/ensure-jaeger.sh); a build
# that fails fails this tier, it is never skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
JAEGER_BINARY=$(bash scripts/ensure-jaeger.sh | tail -n 1)
export JAEGER_BINARY
node --import tsx --test --test-reporter=spec test/backends/*.test.ts
