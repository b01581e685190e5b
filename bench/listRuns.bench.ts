// Time to list runs with 100k spans in the store: the first listing (classifies every trace)
// and repeated listings of the first page (what the Runs view does on each change).
import { fromBinary } from '@bufbuild/protobuf';
import { ExportTraceServiceRequestSchema } from '../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import { exportRequestToModel } from '../src/server/receiver/otlpToModel';
import { MemoryTraceStore } from '../src/server/store/memoryTraceStore';
import { RunIndex } from '../src/server/store/runIndex';
import { summarise, writeResult } from './stats';
import { difyBatch } from './difyBatch';

const totalSpans = 100_000;
const store = new MemoryTraceStore(1_000_000);
const index = new RunIndex(store);
for (let b = 0; b * 512 < totalSpans; b++) {
  const spans = exportRequestToModel(fromBinary(ExportTraceServiceRequestSchema, difyBatch(b, Math.min(512, totalSpans - b * 512)))).spans;
  index.markChanged(store.add(spans).touched);
}

let t = performance.now();
const first = index.list({}, 100);
const firstMs = performance.now() - t;

const pageTimes: number[] = [];
const filteredTimes: number[] = [];
for (let i = 0; i < 50; i++) {
  t = performance.now();
  index.list({}, 100);
  pageTimes.push(performance.now() - t);
  t = performance.now();
  index.list({ status: ['failed'], text: 'keyerror' }, 100);
  filteredTimes.push(performance.now() - t);
}
// One trace changes (new spans arrive), then the view lists again.
const incremental: number[] = [];
for (let i = 0; i < 20; i++) {
  const spans = exportRequestToModel(fromBinary(ExportTraceServiceRequestSchema, difyBatch(10_000 + i, 16))).spans;
  index.markChanged(store.add(spans).touched);
  t = performance.now();
  index.list({}, 100);
  incremental.push(performance.now() - t);
}

const result = {
  spans: store.stats().spans,
  traces: store.stats().traces,
  runs: first.totalMatching,
  firstListingMs: Math.round(firstMs * 100) / 100,
  firstPageMs: summarise(pageTimes),
  filteredPageMs: summarise(filteredTimes),
  afterOneTraceChangedMs: summarise(incremental),
};
console.log(`listRuns with ${result.spans.toLocaleString()} spans (${result.runs} runs): first listing ${result.firstListingMs} ms; first page p50 ${result.firstPageMs.p50} ms, p95 ${result.firstPageMs.p95} ms; filtered p95 ${result.filteredPageMs.p95} ms; after one trace changed p95 ${result.afterOneTraceChangedMs.p95} ms`);
writeResult('listRuns', result);
