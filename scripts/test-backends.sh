#!/usr/bin/env bash
# `npm run test:backends`: the remote backend adapters against real backends on loopback: Jaeger
# v1.75.0 built from the Go module proxy (scripts/ensure-jaeger.sh), Zipkin 3.6.1 from Maven Central
# (scripts/ensure-zipkin.sh), Arize Phoenix from PyPI (scripts/ensure-phoenix.sh), each cached. A
# server that cannot be installed fails this tier; it is never skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
JAEGER_BINARY=$(bash scripts/ensure-jaeger.sh | tail -n 1)
ZIPKIN_JAR=$(bash scripts/ensure-zipkin.sh | tail -n 1)
PHOENIX_BINARY=$(bash scripts/ensure-phoenix.sh | tail -n 1)
export JAEGER_BINARY ZIPKIN_JAR PHOENIX_BINARY
node --import tsx --test --test-reporter=spec test/backends/*.test.ts
