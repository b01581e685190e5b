// Classification: the corpus measures (share of runs recognised, node types, root causes, Trace
// Links; all must be 100%), and the time to classify one 10k-span run with its linked 10k-span
// infrastructure trace (root cause across both halves included).
import { detectRun } from '../src/dify/detectRun';
import type { Resource, Span } from '../src/model/span';
import { asSpanId, asTraceId, type Microseconds } from '../src/model/units';
import { loadCorpus } from '../test/corpus/loadCorpus';
import { evaluateCorpus, percent, type Score } from '../test/unit/corpusEvaluation';
import { summarise, writeResult } from './stats';

const app: Resource = { serviceName: 'Travel Assistant', attributes: { 'acs.arms.service.feature': 'genai_app' } };
const api: Resource = { serviceName: 'langgenius/dify', attributes: {} };
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** A workflow run whose iteration ran `count` node executions, each mirrored by an infra node span and an HTTP call. */
function bigRun(count: number): { appSpans: Span[]; infraSpans: Span[]; appTrace: string; infraTrace: string } {
  const appTrace = asTraceId(hex(0xa11, 32))!;
  const infraTrace = asTraceId(hex(0xb22, 32))!;
  const base = { kind: 'internal' as const, events: [], scopeName: 'dify_trace_aliyun.data_exporter.traceclient' };
  const link = [{ traceId: infraTrace, attributes: {} }];
  const mk = (traceId: typeof appTrace, id: number, parent: number | undefined, name: string, resource: Resource, attributes: Span['attributes'], error?: string): Span => ({
    ...base, traceId, spanId: asSpanId(hex(id, 16))!, ...(parent === undefined ? {} : { parentSpanId: asSpanId(hex(parent, 16))! }),
    name, startUs: (1_764_000_000_000_000 + id * 100) as Microseconds, endUs: (1_764_000_000_000_000 + id * 100 + 50) as Microseconds,
    status: error ? { code: 'error', message: error } : { code: 'ok' }, attributes, links: traceId === appTrace ? link : [], resource,
  });
  const appSpans = [mk(appTrace, 1, undefined, 'workflow', app, { 'gen_ai.framework': 'dify' }, 'Failed to invoke tool')];
  const infraSpans = [mk(infraTrace, 1, undefined, 'POST /v1/workflows/run', api, {})];
  for (let i = 2; i <= count; i++) {
    const failing = i === count;
    appSpans.push(mk(appTrace, i, 1, i % 3 === 0 ? 'LLM' : 'Get Weather', app, { 'gen_ai.span.kind': i % 3 === 0 ? 'LLM' : 'TOOL', 'gen_ai.usage.total_tokens': '12' }, failing ? "An error occurred in the acme/weather/weather, please contact the author" : undefined));
    infraSpans.push(mk(infraTrace, i * 2, 1, 'Get Weather', api, { 'node.type': 'tool', 'node.execution_id': `exec-${i}` }));
    infraSpans.push(mk(infraTrace, i * 2 + 1, i * 2, 'POST', api, {}, failing ? 'HTTP 500' : undefined));
  }
  return { appSpans, infraSpans, appTrace, infraTrace };
}

const scores = evaluateCorpus(loadCorpus());
const { appSpans, infraSpans, appTrace, infraTrace } = bigRun(10_000);
const times: number[] = [];
let rootCause = '';
for (let i = 0; i < 15; i++) {
  const t = performance.now();
  const run = detectRun(asTraceId(appTrace)!, appSpans, (id) => (id === infraTrace ? infraSpans : undefined));
  times.push(performance.now() - t);
  rootCause = `${run?.rootCause?.name} in ${run?.rootCause?.serviceName}`;
}
const classify = summarise(times.slice(3));
const result = {
  corpus: Object.fromEntries(Object.entries(scores).map(([k, s]: [string, Score]) => [k, { right: s.right, total: s.total, percent: s.total === 0 ? null : (100 * s.right) / s.total }])),
  classify10kSpanRunMs: classify,
  appSpans: appSpans.length,
  linkedInfraSpans: infraSpans.length,
  rootCause,
};
console.log(`classification corpus: runs recognised ${percent(scores.runsRecognised)}, node types ${percent(scores.nodeTypesRight)}, root causes ${percent(scores.rootCausesRight)}, Trace Links ${percent(scores.traceLinksJoined)}, other run fields ${percent(scores.runFieldsRight)}, warnings ${percent(scores.warningsShown)}`);
console.log(`classify a ${appSpans.length.toLocaleString()}-span run with its ${infraSpans.length.toLocaleString()}-span linked trace: p50 ${classify.p50} ms, p95 ${classify.p95} ms (root cause: ${rootCause})`);
writeResult('classification', result);
