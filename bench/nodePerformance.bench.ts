// Per-node performance across runs (issue 15's performance view, its trace-server side): 20k runs of
// one workflow, 50 node executions each (1M, as many as the spans of such a store), added to the
// aggregate as runs arrive; then the table asked for (first open), and one more run added and the
// table asked for again (an update). Goals: first open p95 < 300 ms, update < 50 ms.
//   node --import tsx bench/nodePerformance.bench.ts      RUNS=20000 NODES=50 SAMPLES=7
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { NodePerformance, type RunNodes } from '../src/dify/compare/nodePerformance';
import type { NodeExecution } from '../src/shared/runComparison';
import { summarise, writeResult } from './stats';

const RUNS = Number(process.env['RUNS'] ?? 20_000);
const NODES = Number(process.env['NODES'] ?? 50);
const SAMPLES = Number(process.env['SAMPLES'] ?? 7);

/** Deterministic pseudo-random durations (xorshift), so every sample aggregates the same runs. */
function runOf(n: number): RunNodes {
  let x = n * 2654435761 + 1;
  const rand = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) % 10_000) / 10_000;
  };
  const executions: NodeExecution[] = [];
  for (let i = 0; i < NODES; i++) {
    const durationUs = Math.round(1000 + rand() * 2_000_000);
    executions.push({ title: `Node ${i % 40}`, nodeType: i % 5 === 0 ? 'llm' : 'tool', nodeId: `n${i % 40}`, status: rand() < 0.02 ? 'error' : 'ok', startUs: i * 10_000, durationUs, selfTimeUs: durationUs / 2, tokens: i % 5 === 0 ? 300 : 0, span: { traceId: `t${n}`, spanId: `s${i}` } });
  }
  return { traceId: `t${n}`, startMs: n * 1000, status: 'succeeded', executions };
}

const runs = Array.from({ length: RUNS + SAMPLES }, (_, n) => runOf(n));
// The previous sample's aggregate is garbage only here (the trace server keeps one): collected
// before each timing, so its pauses are not counted against the next sample.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
const addMs: number[] = [];
const firstOpenMs: number[] = [];
const updateMs: number[] = [];
for (let sample = 0; sample < SAMPLES; sample++) {
  const perf = new NodePerformance();
  let started = performance.now();
  for (let n = 0; n < RUNS; n++) perf.add(runs[n]!);
  addMs.push(performance.now() - started);
  collect();
  started = performance.now();
  const nodes = perf.stats().length;
  firstOpenMs.push(performance.now() - started);
  collect();
  started = performance.now();
  perf.add(runs[RUNS + sample]!);
  if (perf.stats().length !== nodes) throw new Error('a new run of the same workflow changed the nodes');
  updateMs.push(performance.now() - started);
}
const firstOpen = summarise(firstOpenMs);
const update = summarise(updateMs);
writeResult('nodePerformance', {
  runs: RUNS,
  executionsPerRun: NODES,
  executions: RUNS * NODES,
  addAllRunsMs: summarise(addMs),
  firstOpenMs: firstOpen,
  updateMs: update,
  goals: { firstOpenP95Under300ms: firstOpen.p95 < 300, updateP95Under50ms: update.p95 < 50 },
});
console.log(`nodePerformance (${RUNS} runs, ${(RUNS * NODES).toLocaleString('en-US')} node executions): first open p50 ${firstOpen.p50.toFixed(0)} / p95 ${firstOpen.p95.toFixed(0)} ms (goal < 300); update after a new run p50 ${update.p50.toFixed(0)} / p95 ${update.p95.toFixed(0)} ms (goal < 50)`);
