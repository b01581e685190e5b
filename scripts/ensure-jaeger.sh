#!/usr/bin/env bash
# Builds Jaeger v2 (the OTel-collector based `cmd/jaeger` binary) from the Go module proxy, for the
# remote backends tier and the benchmarks that compare against it. Idempotent and cached; silent when the binary is already built;
# serialised with flock. Prints nothing on stdout but the binary's path.
#
# Why this route: the module path has no /v2
# suffix, so v2.x tags cannot be resolved by the proxy; v1.75.0 is the same commit as v2.12.0 (the
# release approved for this project). Its go.mod has a replace directive, which `go install pkg@version`
# refuses; a scratch module that requires it as a tool ignores the dependency's replace.
#
#   C=${DIFY_TRACE_CACHE:-$HOME/.cache/dify-trace-explorer}
#   binary: $C/jaeger/jaeger-v1.75.0      build log: $C/logs/jaeger-build.log
set -euo pipefail

JAEGER_VERSION=v1.75.0
C=${DIFY_TRACE_CACHE:-$HOME/.cache/dify-trace-explorer}
DIR=$C/jaeger
BIN=$DIR/jaeger-$JAEGER_VERSION
GO=${GO:-/usr/local/go/bin/go}
[ -x "$GO" ] || GO=$(command -v go || true)

say() { echo "ensure-jaeger: $*" >&2; }

mkdir -p "$DIR" "$C/logs"
exec 9>"$DIR/.lock"
if ! flock -n 9; then
  say "waiting for another ensure-jaeger run to finish ..."
  flock -w 3600 9 || { say "timed out waiting for $DIR/.lock"; exit 1; }
fi

if [ -x "$BIN" ] && "$BIN" version >/dev/null 2>&1; then
  echo "$BIN"
  exit 0
fi

[ -n "$GO" ] && [ -x "$GO" ] || { say "Go is not installed (looked for /usr/local/go/bin/go and go on PATH)"; exit 1; }

log=$C/logs/jaeger-build.log
say "building Jaeger $JAEGER_VERSION (= v2.12.0) with $("$GO" version) into $DIR; log: $log"
src=$DIR/build
mkdir -p "$src"
(
  cd "$src"
  # The module's go line is 1.24.6 and its toolchain line 1.25.4: GOTOOLCHAIN=auto lets an older Go fetch
  # a newer toolchain through the proxy; a newer Go builds it as is.
  export GOTOOLCHAIN=${GOTOOLCHAIN:-auto} GOFLAGS=-buildvcs=false
  [ -f go.mod ] || "$GO" mod init dify-trace-explorer/jaeger-build
  "$GO" get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION"
  # The machine may be shared: build at low priority (a one-off of a few minutes, then cached).
  nice -n 10 "$GO" build -trimpath -o "$BIN.tmp" github.com/jaegertracing/jaeger/cmd/jaeger
) >"$log" 2>&1 || { say "FAILED (last lines of $log):"; tail -n 40 "$log" >&2; rm -f "$BIN.tmp"; exit 1; }
mv "$BIN.tmp" "$BIN"
"$BIN" version >>"$log" 2>&1 || { say "the built binary does not run: see $log"; exit 1; }
echo "$BIN"
