// The receiver fuzzer at full size (issue 14: at least 100k generated malformed OTLP requests,
// HTTP and gRPC): crashes, hangs, acknowledged spans lost, memory against its baseline, latency.
// The short variant runs in `npm test` (test/unit/receiverFuzz.test.ts).
import { runFuzz } from '../test/fuzz/runFuzz';
import { summarise, writeResult } from './stats';

async function main(): Promise<void> {
  const count = Number(process.env['FUZZ_REQUESTS'] ?? '100000');
  const seed = 20261203;
  const report = await runFuzz({ seed, count });
  const latency = summarise(report.latencyMs);
  const growthMiB = report.heapAfterMiB - report.heapBaselineMiB - report.storedSpanMiB;
  console.log(`${report.requests.toLocaleString('en-US')} requests (${report.byTransport.http} HTTP, ${report.byTransport.grpc} gRPC) in ${(report.durationMs / 1000).toFixed(1)} s, seed ${seed}`);
  console.log(`crashes ${report.crashed === undefined ? 0 : 1}${report.crashed ? ` (${report.crashed})` : ''} · hangs ${report.hangs.length} · acknowledged spans ${report.acknowledgedSpans.toLocaleString('en-US')}, missing ${report.missingSpans}`);
  console.log(`heap ${report.heapBaselineMiB.toFixed(1)} → ${report.heapAfterMiB.toFixed(1)} MiB with ${report.storedSpanMiB.toFixed(1)} MiB of spans stored (beyond them: ${growthMiB.toFixed(1)} MiB); RSS after ${report.rssAfterMiB.toFixed(0)} MiB`);
  console.log(`answer latency ms: p50 ${latency.p50} · p95 ${latency.p95} · max ${latency.max}`);
  for (const [kind, labels] of Object.entries(report.answers).sort()) console.log(`  ${kind.padEnd(28)} ${Object.entries(labels).map(([l, n]) => `${l}×${n}`).join(' ')}`);
  writeResult('fuzz', {
    seed,
    requests: report.requests,
    byTransport: report.byTransport,
    crashes: report.crashed === undefined ? 0 : 1,
    hangs: report.hangs.length,
    acknowledgedSpans: report.acknowledgedSpans,
    missingSpans: report.missingSpans,
    heapBaselineMiB: Math.round(report.heapBaselineMiB * 10) / 10,
    heapAfterMiB: Math.round(report.heapAfterMiB * 10) / 10,
    storedSpanMiB: Math.round(report.storedSpanMiB * 10) / 10,
    heapBeyondStoredMiB: Math.round(growthMiB * 10) / 10,
    answerLatencyMs: latency,
    durationMs: Math.round(report.durationMs),
    answers: report.answers,
  });
  if (report.crashed !== undefined || report.hangs.length > 0 || report.missingSpans > 0) process.exitCode = 1;
}
void main();
