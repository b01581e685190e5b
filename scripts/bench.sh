#!/usr/bin/env bash
# `npm run bench`: every benchmark, then a summary table of bench/results/*.json.
#   ingest      spans/s into the bundled trace server with its database vs Jaeger v2 (memory, Badger), A/B over three rounds
#   memory      RSS growth per stored span: the same ~1M spans into the bundled trace server (database on, default bounds) and Jaeger v2 (memory, Badger)
#   fuzz        100k generated malformed OTLP requests over HTTP and gRPC: crashes, hangs, lost spans, memory
#   load        5k spans/s for 10 min into the durable store (RSS curve, run listing), then the peak rate vs Jaeger v2 with Badger
#   listRuns    run listing with 100k spans in the store
#   classification  the corpus measures (must be 100%) and the time to classify a 10k-span run
#   compareRuns Compare Runs on two ~10k-span runs: request → aligned with the first divergence, and the diff's node values
#   nodePerformance per-node figures over 20k runs (1M node executions): the table asked for first, and after one more run
#   workflowPerformance the performance view's report over 20k runs / 1M spans: cold, opened, and after one more run
#   fidelity    every measure on the traces recorded from a real Dify (test/recorded), per release and exporter
#   persistedStore  ~1M spans in the trace database: bytes per span on disk and in memory, restart to the first run listed, the explorer's queries after it
#   runFilter   ~1M spans / 20k runs: filtered first page, keyword, facets, run id lookup; the keyword query against Jaeger v2 (scripts/ensure-jaeger.sh)
#   sourceLinks Go to Source: hit rate on test/sourceCorpus (must be 100%), resolution time, click → editor in code-server
#   remoteBackends  real Jaeger, Zipkin and Phoenix: list 50 runs and open a 10k-span run through the trace server's path vs their own APIs (overhead ratio), heap while opening
#   activation  the packaged extension in code-server: activation time, page load → receiver listening
#   traceView   a 100k-span trace opened in code-server vs Jaeger UI on Jaeger v2 (JAEGER_UI_BUILD, see
#               bench/README.md; skipped without it): first rows, 10k-span expand/collapse, scroll frames, heap, RSS
# Installs what it needs: npm packages (when missing or not the locked versions), Chromium, Node 24
# and code-server (scripts/ensure-host-tools.sh, cached); packs the .vsix when there is none.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-npm-deps.sh

echo "== Host tools (Chromium, Node 24, code-server; cached)"
bash scripts/ensure-host-tools.sh

vsix=$(node -p 'const p = require("./package.json"); `${p.name}-${p.version}.vsix`')
if [ ! -f "$vsix" ]; then
  echo "== Package the extension ($vsix)"
  npm run --silent package | tail -n 1
fi

for bench in ingest memory fuzz load listRuns persistedStore runFilter remoteBackends classification compareRuns nodePerformance workflowPerformance fidelity sourceLinks activation traceView; do
  echo "== bench/$bench.bench.ts"
  node --import tsx "bench/$bench.bench.ts"
done

echo
echo "== Summary (bench/results/*.json)"
node -e '
  const fs = require("fs");
  const dir = "bench/results";
  // The measured figures only (keys ending in Ms or PerSecond), not the parameters of each run.
  const rows = [["benchmark", "figure", "value / p50", "p95", "max", "n", "measured"]];
  const fmt = (n) => (typeof n === "number" ? n.toLocaleString("en-US", { maximumFractionDigits: 1 }) : "");
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const r = JSON.parse(fs.readFileSync(`${dir}/${file}`, "utf8"));
    const date = String(r.date ?? "").slice(0, 16).replace("T", " ");
    for (const [key, value] of Object.entries(r)) {
      const unit = key.endsWith("Ms") ? " ms" : key.endsWith("PerSecond") ? " /s" : undefined;
      if (unit === undefined) continue;
      const figure = key.replace(/Ms$|PerSecond$/, "");
      if (typeof value === "number") rows.push([r.benchmark, figure, fmt(value) + unit, "", "", "", date]);
      else if (value && typeof value === "object" && "p50" in value)
        rows.push([r.benchmark, figure, fmt(value.p50) + unit, fmt(value.p95), fmt(value.max), String(value.n), date]);
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const right = new Set([2, 3, 4, 5]);
  for (const row of rows) console.log(row.map((cell, i) => (right.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ").trimEnd());
'
