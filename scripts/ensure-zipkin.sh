#!/usr/bin/env bash
# Fetches the Zipkin server (the self-contained `exec` jar from Maven Central) for the remote backends
# tier. Idempotent and cached; serialised with flock. Prints nothing on stdout but the jar's path.
# Zipkin 3 needs Java 17 or later.
#
#   C=${DIFY_TRACE_CACHE:-$HOME/.cache/dify-trace-explorer}
#   jar: $C/zipkin/zipkin-server-$ZIPKIN_VERSION-exec.jar      log: $C/logs/zipkin-fetch.log
set -euo pipefail

ZIPKIN_VERSION=3.6.1
C=${DIFY_TRACE_CACHE:-$HOME/.cache/dify-trace-explorer}
DIR=$C/zipkin
JAR=$DIR/zipkin-server-$ZIPKIN_VERSION-exec.jar

say() { echo "ensure-zipkin: $*" >&2; }

mkdir -p "$DIR" "$C/logs"
exec 9>"$DIR/.lock"
if ! flock -n 9; then
  say "waiting for another ensure-zipkin run to finish ..."
  flock -w 3600 9 || { say "timed out waiting for $DIR/.lock"; exit 1; }
fi

if [ -s "$JAR" ] && unzip -tq "$JAR" >/dev/null 2>&1; then
  echo "$JAR"
  exit 0
fi

command -v java >/dev/null 2>&1 || { say "Java is not installed (Zipkin $ZIPKIN_VERSION needs Java 17 or later)"; exit 1; }
command -v mvn >/dev/null 2>&1 || { say "Maven (mvn) is not installed; it fetches the Zipkin jar from Maven Central"; exit 1; }

log=$C/logs/zipkin-fetch.log
say "fetching io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:exec from Maven Central into $DIR; log: $log"
mvn -B -q dependency:copy "-Dartifact=io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:exec" "-DoutputDirectory=$DIR" >"$log" 2>&1 \
  || { say "FAILED (last lines of $log):"; tail -n 40 "$log" >&2; exit 1; }
[ -s "$JAR" ] || { say "Maven left no $JAR: see $log"; exit 1; }
echo "$JAR"
