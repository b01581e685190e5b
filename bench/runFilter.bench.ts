// Runs explorer at scale: ~1,000,000 spans (~20k Dify runs, both halves) in the embedded store, then
// p50/p95 of the first page with a combined filter (status + app + time + keyword), the keyword
// alone (one word, a word fragment, a phrase), run id lookup and facets; and the same data in a
// real Jaeger v2 (scripts/ensure-jaeger.sh, memory storage) with its closest query: an exact
// attribute value match (Jaeger has no free-text search) and its trace-id lookup.
//   node --import tsx bench/runFilter.bench.ts        RUNS=2000 for a quick run; JAEGER=0 to skip Jaeger
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { create, fromBinary, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { ExportTraceServiceRequestSchema } from '../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import type { KeyValueSchema } from '../src/server/receiver/gen/opentelemetry/proto/common/v1/common_pb';
import type { ResourceSpansSchema, SpanSchema } from '../src/server/receiver/gen/opentelemetry/proto/trace/v1/trace_pb';
import { exportRequestToModel } from '../src/server/receiver/otlpToModel';
import { startJaeger, type JaegerProcess } from './jaegerProcess';
import { rssMiB } from './traceView/processMemory';
import { TraceService } from '../src/server/traceService';
import type { RunFilter } from '../src/shared/runSummary';
import { seeded } from './difyBatch';
import { summarise, writeResult } from './stats';

// 1M spans of Dify-sized attributes need more than Node's default heap: run again with a larger one.
if (process.env['RUN_FILTER_BENCH_CHILD'] === undefined) {
  const child = spawnSync(process.execPath, ['--max-old-space-size=12288', '--expose-gc', '--import', 'tsx', import.meta.filename], { stdio: 'inherit', env: { ...process.env, RUN_FILTER_BENCH_CHILD: '1' } });
  process.exit(child.status ?? 1);
}

const runCount = Number(process.env['RUNS'] ?? 20_000);
const withJaeger = process.env['JAEGER'] !== '0';
const now = Date.parse('2026-11-25T12:00:00Z');
const dayMs = 24 * 3600_000;

// ---- Data: Dify runs in the Aliyun exporter's shape plus their infrastructure trace (Trace Link) ----

type KV = MessageInitShape<typeof KeyValueSchema>;
type SpanInit = MessageInitShape<typeof SpanSchema>;
const s = (key: string, value: string): KV => ({ key, value: { value: { case: 'stringValue', value } } });
const n = (key: string, value: number): KV => ({ key, value: { value: { case: 'intValue', value: BigInt(value) } } });
const words = `the a to of and for in with your on trip hotel flight city museum day budget family weekend beach mountain train station
restaurant booking itinerary weather forecast rain sunny temperature guide tour ticket price discount refund invoice order account
password reset shipping delivery package return policy warranty contract clause liability termination payment renewal notice
party agreement confidential obligation review risk score customer support ticket escalate priority urgent please thanks hello
question answer summary report sales lead pipeline quarter revenue forecast growth churn region product feature pricing demo
meeting follow email draft translate english german french japanese document extract table chart analysis dataset query sql
average total monthly weekly trend anomaly spike drop error retry timeout latency cache vector knowledge base search result
relevant source citation paragraph chapter section note reminder schedule calendar morning evening night local time zone`.split(/\s+/);
const cities = ['Paris', 'Tokyo', 'New York', 'Lisbon', 'Berlin', 'Kyoto', 'Seoul', 'Rome', 'Cairo', 'Lima', 'Oslo', 'Sydney'];
const chinese = ['东京三日游行程推荐', '北京天气怎么样', '帮我总结这份合同的风险条款', '退款政策是什么', '上海到杭州的高铁票'];

interface NodeSpec { readonly title: string; readonly type: string; readonly aliyunKind: string; readonly plugin?: string }
interface AppSpec { readonly name: string; readonly id: string; readonly mode: 'workflow' | 'chatflow' | 'chat' | 'agent'; readonly nodes: readonly NodeSpec[]; readonly system: string }
const node = (title: string, type: string, plugin?: string): NodeSpec => ({
  title, type, aliyunKind: type === 'llm' ? 'LLM' : type === 'knowledge-retrieval' ? 'RETRIEVER' : type === 'tool' ? 'TOOL' : 'TASK', ...(plugin ? { plugin } : {}),
});
const apps: readonly AppSpec[] = [
  { name: 'Travel Assistant', id: '5b1c7f0e-1a2b-4c3d-8e9f-000000000001', mode: 'workflow', system: 'You are a travel planner. Plan a day by day itinerary with weather, museums and restaurants, within the budget.',
    nodes: [node('Start', 'start'), node('Plan Trip', 'llm'), node('Search Travel Guides', 'knowledge-retrieval'), node('Weather', 'tool', 'langgenius/openweather'), node('Geocoder', 'tool', 'acme/geo'), node('Build Itinerary', 'code'), node('Format Answer', 'template-transform'), node('End', 'end')] },
  { name: 'Support Bot', id: '5b1c7f0e-1a2b-4c3d-8e9f-000000000002', mode: 'chatflow', system: 'You answer customer support questions about orders, shipping, refunds and warranty. Escalate urgent tickets.',
    nodes: [node('Start', 'start'), node('Classify Intent', 'question-classifier'), node('Search FAQ', 'knowledge-retrieval'), node('Answer Question', 'llm'), node('Zendesk', 'tool', 'acme/zendesk'), node('Answer', 'answer')] },
  { name: 'Contract Reviewer', id: '5b1c7f0e-1a2b-4c3d-8e9f-000000000003', mode: 'workflow', system: 'Review the contract clause by clause. Flag liability, termination, payment and confidentiality risks with a score.',
    nodes: [node('Start', 'start'), node('Extract Text', 'document-extractor'), node('Review Clauses', 'llm'), node('Translator', 'tool', 'langgenius/deepl'), node('Risk Score', 'code'), node('Notify', 'http-request'), node('End', 'end')] },
  { name: 'Sales Copilot', id: '5b1c7f0e-1a2b-4c3d-8e9f-000000000004', mode: 'chat', system: 'You help sales reps with leads, pipeline, pricing and follow up emails.', nodes: [] },
  { name: 'Data Analyst Agent', id: '5b1c7f0e-1a2b-4c3d-8e9f-000000000005', mode: 'agent', system: 'You analyse datasets with SQL and charts. Explain trends, anomalies and totals.', nodes: [] },
];
const models = ['gpt-4o-mini', 'claude-3-5-sonnet', 'deepseek-chat', 'qwen-max'];
/** Failure text per failing node type, in Dify's own words; the classifier turns each into an error kind. */
const failures: Readonly<Record<string, readonly string[]>> = {
  'knowledge-retrieval': ["Weaviate query failed: ReadTimeout: HTTPConnectionPool(host='weaviate', port=8080): Read timed out. (read timeout=30)", 'Weaviate error: connection refused on weaviate:8080'],
  tool: ["Failed to invoke tool: PluginInvokeError: {\"error_type\":\"KeyError\",\"message\":\"'max_temp_c'\"}", 'PluginDaemonInternalServerError: plugin daemon restarted'],
  llm: ['[openai] Rate Limit Error, Error code: 429 - Rate limit reached for requests', '[anthropic] Server Unavailable Error, Overloaded'],
  code: ['CodeExecutionError: Traceback (most recent call last):\n  File "<fd3>", line 4, in main\nZeroDivisionError: division by zero'],
  'http-request': ['HTTP request failed with status code 502'],
};

function hex(rand: () => number, bytes: number): string {
  let out = '';
  for (let i = 0; i < bytes; i++) out += Math.floor(rand() * 256).toString(16).padStart(2, '0');
  return out;
}
const uuid = (h: string): string => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
const sentence = (rand: () => number, count: number): string => Array.from({ length: count }, () => words[Math.floor(rand() ** 1.6 * words.length)]!).join(' ');

export interface GeneratedRun {
  readonly workflowRunId: string;
  readonly appTraceId: string;
  readonly infraTraceId: string;
  readonly app: string;
  readonly startMs: number;
  readonly failed: boolean;
  readonly tools: readonly string[];
}

/** One run: its Aliyun app-level spans and its infrastructure spans, as ResourceSpans for one request. */
function generateRun(r: number, out: { app: MessageInitShape<typeof ResourceSpansSchema>[]; infra: MessageInitShape<typeof ResourceSpansSchema>[] }): GeneratedRun {
  const rand = seeded(r * 7919 + 13);
  const app = apps[[0, 0, 1, 1, 1, 2, 3, 4][r % 8]!]!;
  const runHex = hex(rand, 16);
  const infraTraceId = hex(rand, 16);
  const startMs = now - dayMs + Math.floor((r / runCount) * dayMs) + Math.floor(rand() * 1000);
  const ns = (ms: number): bigint => BigInt(Math.round(ms * 1000)) * 1000n;
  const user = `user-${Math.floor(rand() * 2000)}`;
  const conversation = app.mode === 'workflow' ? '' : uuid(hex(rand, 16));
  const outcome = rand();
  const failing = outcome < 0.12 ? 'failed' : outcome < 0.17 ? 'partial' : 'ok';
  const typed = app.nodes.filter((x) => failures[x.type] !== undefined);
  const failNode = failing === 'ok' || typed.length === 0 ? undefined : typed[Math.floor(rand() * typed.length)];
  const failText = failNode === undefined ? undefined : failures[failNode.type]![Math.floor(rand() * failures[failNode.type]!.length)]!;
  const query = rand() < 0.05 ? chinese[Math.floor(rand() * chinese.length)]! : `${sentence(rand, 8)} ${cities[Math.floor(rand() * cities.length)]} ${sentence(rand, 6)}`;
  const link = [{ traceId: Buffer.from(infraTraceId, 'hex'), spanId: new Uint8Array(8) }];
  const common = (kind: string, input: string, output: string): KV[] => [s('gen_ai.session.id', conversation), s('gen_ai.user.id', user), s('gen_ai.span.kind', kind), s('gen_ai.framework', 'dify'), s('input.value', input), s('output.value', output)];
  const spans: SpanInit[] = [];
  const rootId = hex(rand, 8);
  let t = startMs + 5;
  const tools: string[] = [];
  const pushSpan = (name: string, parent: string | undefined, durMs: number, attributes: KV[], error?: string, kind = 1) => {
    const id = hex(rand, 8);
    spans.push({ traceId: Buffer.from(runHex, 'hex'), spanId: Buffer.from(id, 'hex'), parentSpanId: parent === undefined ? new Uint8Array(0) : Buffer.from(parent, 'hex'), name, kind,
      startTimeUnixNano: ns(t), endTimeUnixNano: ns(t + durMs), attributes, links: link, status: error === undefined ? { code: 1 } : { code: 2, message: error } });
    t += durMs + 1;
    return id;
  };
  const llmAttributes = (prompt: string): KV[] => {
    const completion = sentence(rand, 60 + Math.floor(rand() * 80));
    const [inTok, outTok] = [200 + Math.floor(rand() * 1500), 50 + Math.floor(rand() * 600)];
    return [...common('LLM', prompt, completion), s('gen_ai.request.model', models[Math.floor(rand() * models.length)]!), n('gen_ai.usage.input_tokens', inTok), n('gen_ai.usage.output_tokens', outTok), n('gen_ai.usage.total_tokens', inTok + outTok), s('gen_ai.prompt', prompt), s('gen_ai.completion', completion)];
  };
  const rootName = app.mode === 'workflow' ? 'workflow' : 'message';
  const rootError = failing === 'failed' ? failText : undefined;
  const nodesParent = app.mode === 'chatflow' ? hex(rand, 8) : rootId;
  // Root first (its id is fixed above), then the nodes under it.
  spans.push({ traceId: Buffer.from(runHex, 'hex'), spanId: Buffer.from(rootId, 'hex'), name: rootName, kind: 2, startTimeUnixNano: ns(startMs), endTimeUnixNano: ns(startMs + 4000 + rand() * 20000),
    attributes: [...common('CHAIN', JSON.stringify({ query }), JSON.stringify({ answer: sentence(rand, 20) })), s('dify.app_id', app.id)], links: link, status: rootError === undefined ? { code: 1 } : { code: 2, message: rootError } });
  if (app.mode === 'chatflow') {
    spans.push({ traceId: Buffer.from(runHex, 'hex'), spanId: Buffer.from(nodesParent, 'hex'), parentSpanId: Buffer.from(rootId, 'hex'), name: 'workflow', kind: 1, startTimeUnixNano: ns(startMs + 1), endTimeUnixNano: ns(startMs + 3000), attributes: common('CHAIN', query, ''), links: link, status: { code: 1 } });
  }
  for (const spec of app.nodes) {
    const error = spec === failNode ? failText : undefined;
    const inputs = JSON.stringify({ query, city: cities[Math.floor(rand() * cities.length)], days: 1 + Math.floor(rand() * 7), sys: { user_id: user, workflow_run_id: uuid(runHex) } });
    let attributes: KV[];
    if (spec.type === 'llm') attributes = llmAttributes(`${app.system}\n\nUser: ${query}`);
    else if (spec.type === 'knowledge-retrieval') attributes = [...common('RETRIEVER', query, JSON.stringify({ result: [sentence(rand, 50), sentence(rand, 50), sentence(rand, 50)] })), s('retrieval.query', query)];
    else if (spec.type === 'tool') {
      tools.push(spec.title);
      const [author, name] = spec.plugin!.split('/');
      attributes = [...common('TOOL', inputs, JSON.stringify({ text: sentence(rand, 15), temperature: Math.round(rand() * 35) })), s('tool.name', spec.title),
        s('tool.description', JSON.stringify({ provider_type: 'builtin', provider_id: `${author}/${name}/${name}`, plugin_unique_identifier: `${author}/${name}:0.0.${1 + (r % 3)}@${hex(rand, 8)}` })), s('tool.parameters', inputs)];
    } else attributes = common('TASK', inputs, JSON.stringify({ result: sentence(rand, 12), count: Math.floor(rand() * 100) }));
    pushSpan(spec.title, nodesParent, 50 + rand() * 2000, attributes, error);
    if (spec === failNode && failing === 'failed') break;
  }
  if (app.mode === 'chat') pushSpan('llm', rootId, 800 + rand() * 3000, llmAttributes(`${app.system}\n\nUser: ${query}`));
  if (app.mode === 'agent') {
    for (const tool of ['Calculator', 'SQL Runner', 'Chart']) {
      tools.push(tool);
      pushSpan(tool, rootId, 30 + rand() * 500, [...common('TOOL', JSON.stringify({ expression: sentence(rand, 5) }), JSON.stringify({ rows: Math.floor(rand() * 1000) })), s('tool.name', tool)]);
    }
    pushSpan('llm', rootId, 800 + rand() * 3000, llmAttributes(`${app.system}\n\nUser: ${query}`));
  }
  out.app.push({ resource: { attributes: [s('service.name', app.name), s('acs.arms.service.feature', 'genai_app'), s('service.version', 'dify-1.11.0')] }, scopeSpans: [{ scope: { name: 'dify_trace_aliyun.data_exporter.traceclient' }, spans }] });
  out.infra.push(...infraSpans(rand, infraTraceId, app, startMs, ns, failNode, failText, failing === 'failed'));
  return { workflowRunId: uuid(runHex), appTraceId: runHex, infraTraceId, app: app.name, startMs, failed: failing === 'failed', tools };
}

/** The request's own trace (Dify's infrastructure telemetry): Flask root, node spans, SQL, Redis, LLM calls, the plugin daemon. */
function infraSpans(rand: () => number, traceHex: string, app: AppSpec, startMs: number, ns: (ms: number) => bigint, failNode: NodeSpec | undefined, failText: string | undefined, failed: boolean): MessageInitShape<typeof ResourceSpansSchema>[] {
  const traceId = Buffer.from(traceHex, 'hex');
  const api: SpanInit[] = [];
  const daemon: SpanInit[] = [];
  const rootId = hex(rand, 8);
  let t = startMs;
  const add = (into: typeof api, name: string, parent: string | undefined, attributes: KV[], error?: string, kind = 1): string => {
    const id = hex(rand, 8);
    const dur = 1 + rand() * 40;
    into.push({ traceId, spanId: Buffer.from(id, 'hex'), parentSpanId: parent === undefined ? new Uint8Array(0) : Buffer.from(parent, 'hex'), name, kind, startTimeUnixNano: ns(t), endTimeUnixNano: ns(t + dur), attributes, status: error === undefined ? {} : { code: 2, message: error } });
    t += dur / 4;
    return id;
  };
  const path = app.mode === 'workflow' ? '/v1/workflows/run' : '/v1/chat-messages';
  api.push({ traceId, spanId: Buffer.from(rootId, 'hex'), name: `POST ${path}`, kind: 2, startTimeUnixNano: ns(startMs - 2), endTimeUnixNano: ns(startMs + 5000), attributes: [s('http.request.method', 'POST'), s('url.path', path), n('http.response.status_code', 200), s('dify.app_id', app.id)], status: {} });
  const sql = ['SELECT apps.id, apps.tenant_id, apps.name FROM apps WHERE apps.id = %(pk_1)s', 'SELECT workflows.id, workflows.graph FROM workflows WHERE workflows.app_id = %(app_id_1)s', 'INSERT INTO workflow_runs (id, tenant_id, app_id, status) VALUES (%(id)s, %(tenant_id)s, %(app_id)s, %(status)s)', 'UPDATE workflow_node_executions SET status=%(status)s, outputs=%(outputs)s WHERE id = %(id_1)s'];
  for (let i = 0; i < 22; i++) add(api, 'SELECT dify', rootId, [s('db.system', 'postgresql'), s('db.statement', sql[i % sql.length]!), s('db.name', 'dify')], undefined, 3);
  for (let i = 0; i < 8; i++) add(api, 'GET', rootId, [s('db.system', 'redis'), s('db.statement', `GET generate_task_stopped:${hex(rand, 16)}`)], undefined, 3);
  const nodes = app.nodes.length > 0 ? app.nodes : [node('llm', 'llm')];
  for (const spec of nodes) {
    // A failed run stops at its failing node, in both halves.
    if (failed && failNode !== undefined && nodes.indexOf(spec) > nodes.indexOf(failNode)) break;
    const error = spec === failNode ? failText : undefined;
    const id = add(api, spec.title, rootId, [s('node.type', spec.type), s('node.id', `17479000${nodes.indexOf(spec)}`), s('node.execution_id', uuid(hex(rand, 16))), s('dify.app_id', app.id), s('gen_ai.framework', 'dify')], error);
    if (spec.type === 'llm') add(api, 'POST', id, [s('url.full', 'https://api.openai.com/v1/chat/completions'), n('http.response.status_code', error ? 429 : 200)], undefined, 3);
    if (spec.type === 'tool' || spec.type === 'llm') {
      const call = add(api, 'POST', id, [s('url.full', `http://plugin_daemon:5002/plugin/${app.id}/dispatch/${spec.type === 'tool' ? 'tool' : 'llm'}/invoke`)], undefined, 3);
      add(daemon, `POST /plugin/:tenant_id/dispatch/${spec.type === 'tool' ? 'tool' : 'llm'}/invoke`, call, [s('tenant_id', app.id), s('http.route', '/plugin/:tenant_id/dispatch/tool/invoke')], error, 2);
    }
  }
  return [
    { resource: { attributes: [s('service.name', 'langgenius/dify'), s('deployment.environment', 'production')] }, scopeSpans: [{ scope: { name: 'opentelemetry.instrumentation.flask' }, spans: api }] },
    { resource: { attributes: [s('service.name', 'dify-plugin-daemon')] }, scopeSpans: [{ scope: { name: 'github.com/langgenius/dify-plugin-daemon' }, spans: daemon }] },
  ];
}

/** Encoded OTLP requests of `perBatch` runs each, generated lazily (1M spans of bytes would not fit twice). */
function* batches(perBatch: number): Generator<{ bytes: Uint8Array; runs: GeneratedRun[] }> {
  for (let first = 0; first < runCount; first += perBatch) {
    const out = { app: [] as MessageInitShape<typeof ResourceSpansSchema>[], infra: [] as MessageInitShape<typeof ResourceSpansSchema>[] };
    const runs: GeneratedRun[] = [];
    for (let r = first; r < Math.min(runCount, first + perBatch); r++) runs.push(generateRun(r, out));
    yield { bytes: toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans: [...out.infra, ...out.app] })), runs };
  }
}

// ---- Measuring ----

const round = (x: number): number => Math.round(x * 100) / 100;
const heapMiB = (): number => {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round(process.memoryUsage().heapUsed / 2 ** 20);
};
function time<T>(fn: () => T): [number, T] {
  const t = performance.now();
  const value = fn();
  return [performance.now() - t, value];
}
async function timeAsync<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const value = await fn();
  return [performance.now() - t, value];
}

async function main(): Promise<void> {
  let jaeger: JaegerProcess | undefined;
  let jaegerNote: string | undefined;
  if (withJaeger) {
    const built = spawnSync('bash', [join(import.meta.dirname, '..', 'scripts', 'ensure-jaeger.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const binary = built.stdout.trim().split('\n').at(-1);
    if (built.status === 0 && binary) jaeger = await startJaeger(binary, { maxTraces: 500_000 }).catch((e: unknown) => ((jaegerNote = `Jaeger did not start: ${String(e)}`), undefined));
    else jaegerNote = 'Jaeger could not be built (scripts/ensure-jaeger.sh failed); no comparison.';
  } else jaegerNote = 'JAEGER=0: comparison skipped.';

  const service = new TraceService(
    { receiver: { enabled: false, host: '127.0.0.1', port: 0, maxBodyMiB: 64 }, store: { maxSpans: 5_000_000, maxLogRecords: 10_000 } },
    { runsChanged: () => {}, statusChanged: () => {}, log: () => {} },
  );
  const backend = service.backend;
  const heapBefore = heapMiB();
  const runs: GeneratedRun[] = [];
  let ingestMs = 0;
  let jaegerSpans = 0;
  const jaegerStart = performance.now();
  for (const batch of batches(40)) {
    // Jaeger stores this batch while we decode and store it: the two ingest in parallel on two cores.
    const posted = jaeger !== undefined && jaegerNote === undefined
      ? fetch(`${jaeger.otlp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: batch.bytes }).then(async (r) => {
          await r.arrayBuffer();
          if (!r.ok) throw new Error(`HTTP ${r.status}`);
        })
      : undefined;
    const t = performance.now();
    const mapped = exportRequestToModel(fromBinary(ExportTraceServiceRequestSchema, batch.bytes));
    service.ingest(mapped.spans);
    ingestMs += performance.now() - t;
    for (const run of batch.runs) runs.push(run);
    if (posted !== undefined) {
      await posted.then(
        () => (jaegerSpans += mapped.spans.length),
        (e: unknown) => (jaegerNote = `Jaeger refused data after ${jaegerSpans} spans (${String(e)}${jaeger?.exited() ? `; ${jaeger.exited() ?? ''}` : ''}); compared at that size.`),
      );
    }
  }
  const jaegerIngestMs = performance.now() - jaegerStart;
  const { spans, traces } = service.store.stats();
  const heapSpans = heapMiB() - heapBefore;
  console.log(`ingested ${spans.toLocaleString()} spans in ${traces.toLocaleString()} traces (${runs.length} runs) in ${Math.round(ingestMs)} ms; heap +${heapSpans} MiB`);

  const sinceMs = now - 6 * 3600_000;
  const untilMs = now + 1;
  const list = (filter: RunFilter) => backend.listRuns({ filter, limit: 50 });
  const [firstListingMs, first] = await timeAsync(() => list({}));
  const heapRuns = heapMiB() - heapBefore - heapSpans;
  const [indexBuildMs, indexStats] = time(() => service.runs.keywordIndexStats());
  const heapIndex = heapMiB() - heapBefore - heapSpans - heapRuns;
  console.log(`first listing (classifies ${first.totalMatching} runs) ${Math.round(firstListingMs)} ms; keyword index built in ${Math.round(indexBuildMs)} ms: ${JSON.stringify(indexStats)}, heap +${heapIndex} MiB`);

  /** Runs `filters` round-robin `n` times through the real handler, JSON included (what crosses the wire). */
  const measure = async (filters: readonly RunFilter[], n: number) => {
    const samples: number[] = [];
    let matches = 0;
    for (let i = 0; i < n; i++) {
      const [ms, page] = await timeAsync(async () => {
        const result = await list(filters[i % filters.length]!);
        JSON.stringify(result);
        return result;
      });
      samples.push(ms);
      if (i < filters.length) matches += page.totalMatching;
    }
    return { ...summarise(samples), meanMatches: Math.round(matches / Math.min(n, filters.length)) };
  };
  const window = { sinceMs, untilMs };
  const combinedKeywords = ['weaviate', 'timeout', 'keyerror', 'geocoder', 'itinerary', 'museum', 'rate', 'zerodivisionerror'];
  const combined = await measure(combinedKeywords.map((text) => ({ status: ['failed'], appName: 'Travel Assistant', ...window, text })), 200);
  const keywordOnly = await measure(['weaviate', 'refund', 'museum', 'zendesk', 'tokyo', 'deepl', '东京', 'warranty'].map((text) => ({ text })), 200);
  const fragment = await measure(['weav', 'itiner', 'zend', 'warr'].map((text) => ({ text })), 100);
  const phrases = ['"read timed out"', 'max_temp_c', 'gpt-4o-mini', '"rate limit reached"'];
  const phraseCold = await measure(phrases.map((text) => ({ text })), phrases.length);
  const phraseWarm = await measure(phrases.map((text) => ({ text })), 100);
  const noFilter = await measure([{}], 100);
  const facets: number[] = [];
  for (let i = 0; i < 60; i++) {
    const filter: RunFilter = [{}, window, { text: 'weaviate' }][i % 3]!;
    facets.push((await timeAsync(async () => JSON.stringify(await backend.runFacets({ filter }))))[0]);
  }
  const rand = seeded(99);
  const lookup: number[] = [];
  const openRun: number[] = [];
  for (let i = 0; i < 200; i++) {
    const run = runs[Math.floor(rand() * runs.length)]!;
    const [ms, found] = await timeAsync(async () => {
      const result = await backend.findTraces({ kind: 'difyId', uuid: run.workflowRunId, traceIdCandidate: run.appTraceId });
      JSON.stringify(result);
      return result;
    });
    if (found.matches[0]?.traceId !== run.appTraceId) throw new Error(`lookup of ${run.workflowRunId} found ${JSON.stringify(found.matches.map((m) => m.traceId))}`);
    lookup.push(ms);
    openRun.push((await timeAsync(async () => JSON.stringify(await backend.getTrace({ traceId: run.appTraceId }))))[0]);
  }
  // Live tail: a new run arrives, then the view lists again with the combined filter.
  const afterChange: number[] = [];
  for (let i = 0; i < 20; i++) {
    const out = { app: [] as MessageInitShape<typeof ResourceSpansSchema>[], infra: [] as MessageInitShape<typeof ResourceSpansSchema>[] };
    generateRun(runCount + i, out);
    service.ingest(exportRequestToModel(create(ExportTraceServiceRequestSchema, { resourceSpans: [...out.infra, ...out.app] })).spans);
    afterChange.push((await timeAsync(() => list({ status: ['failed'], appName: 'Travel Assistant', ...window, text: 'weaviate' })))[0]);
  }

  const ours = {
    combinedFirstPageMs: combined, keywordFirstPageMs: keywordOnly, fragmentFirstPageMs: fragment, phraseColdMs: phraseCold, phraseWarmMs: phraseWarm,
    unfilteredFirstPageMs: noFilter, facetsMs: summarise(facets), runIdLookupMs: summarise(lookup), openRunMs: summarise(openRun), afterOneRunArrivedMs: summarise(afterChange),
  };
  for (const [k, v] of Object.entries(ours)) console.log(`ours ${k}: p50 ${v.p50} ms, p95 ${v.p95} ms`);

  const jaegerResult =
    jaeger === undefined
      ? { note: jaegerNote }
      : await measureJaeger(jaeger, service, runs, window, jaegerSpans, jaegerIngestMs, jaegerNote).catch((e: unknown) => {
          const note = `Jaeger failed during the comparison after storing ${jaegerSpans} spans: ${String(e)}${jaeger?.exited() ? ` (${jaeger.exited() ?? ''})` : ''}`;
          console.log(note);
          return { note, spans: jaegerSpans };
        });
  jaeger?.stop();

  writeResult('runFilter', {
    spans, traces, runs: first.totalMatching, generatedRuns: runs.length,
    ingestMs: Math.round(ingestMs), firstListingMs: round(firstListingMs), keywordIndexBuildMs: round(indexBuildMs),
    memory: { heapSpansMiB: heapSpans, heapRunIndexMiB: heapRuns, heapKeywordIndexMiB: heapIndex, keywordIndexBytesPerSpan: round(indexStats.approxBytes / spans), keywordIndex: indexStats },
    ...ours,
    goals: { combinedP95Under50Ms: combined.p95 < 50, runIdLookupP95Under20Ms: ours.runIdLookupMs.p95 < 20 },
    jaeger: jaegerResult,
  });
}

/**
 * Jaeger's closest equivalent of the keyword query: an exact attribute value on one span (memory
 * storage compares `AsString()` of span, scope, resource and event attributes; no substring, no case
 * folding), scoped to a service and a start-time window, through the query service's search. Jaeger
 * v1.75/v1.76 (= v2.12/v2.13) ignore `query.attributes` on GET /api/v3/traces ("not supported by grpc-gateway"
 * in its http_gateway.go), so the attribute search goes through GET /api/traces?tags=; /api/v3 is
 * timed for service + time alone. Both return whole traces (ours: run summaries).
 */
async function measureJaeger(jaeger: JaegerProcess, service: TraceService, runs: readonly GeneratedRun[], window: { sinceMs: number; untilMs: number }, spans: number, ingestMs: number, note: string | undefined) {
  const get = async (path: string): Promise<{ ms: number; body: string; status: number }> => {
    const t = performance.now();
    const response = await fetch(`${jaeger.query}${path}`);
    const body = await response.text();
    return { ms: performance.now() - t, body, status: response.status };
  };
  const pairs = [['Travel Assistant', 'Geocoder'], ['Support Bot', 'Zendesk'], ['Contract Reviewer', 'Translator']] as const;
  const legacy = (app: string, tool: string, limit: number) =>
    `/api/traces?service=${encodeURIComponent(app)}&start=${window.sinceMs * 1000}&end=${window.untilMs * 1000}&limit=${limit}&tags=${encodeURIComponent(JSON.stringify({ 'tool.name': tool }))}`;
  // Same question to both: runs of the app in the window whose text has the tool's name (ours), traces whose span has tool.name = it (Jaeger).
  const agreement = [];
  for (const [app, tool] of pairs) {
    const all = await get(legacy(app, tool, 100_000));
    const jaegerTraces = all.status === 200 ? (JSON.parse(all.body) as { data: unknown[] }).data.length : -1;
    const oursRuns = (await service.backend.listRuns({ filter: { appName: app, ...window, text: tool.toLowerCase() }, limit: 1 })).totalMatching;
    agreement.push({ app, tool, oursRuns, jaegerTraces });
  }
  const tagSearch: number[] = [];
  const oursSame: number[] = [];
  for (let i = 0; i < 60; i++) {
    const [app, tool] = pairs[i % pairs.length]!;
    const r = await get(legacy(app, tool, 50));
    if (r.status !== 200) throw new Error(`Jaeger search: HTTP ${r.status} ${r.body.slice(0, 200)}`);
    tagSearch.push(r.ms);
    oursSame.push((await timeAsync(async () => JSON.stringify(await service.backend.listRuns({ filter: { appName: app, ...window, text: tool.toLowerCase() }, limit: 50 }))))[0]);
  }
  const rfc = (ms: number) => new Date(ms).toISOString();
  const v3Search: number[] = [];
  for (let i = 0; i < 30; i++) {
    const [app] = pairs[i % pairs.length]!;
    const r = await get(`/api/v3/traces?query.service_name=${encodeURIComponent(app)}&query.start_time_min=${rfc(window.sinceMs)}&query.start_time_max=${rfc(window.untilMs)}&query.num_traces=50`);
    if (r.status !== 200) throw new Error(`Jaeger v3 search: HTTP ${r.status} ${r.body.slice(0, 200)}`);
    v3Search.push(r.ms);
  }
  const rand = seeded(7);
  const byId: number[] = [];
  const oursOpen: number[] = [];
  for (let i = 0; i < 200; i++) {
    const run = runs[Math.floor(rand() * runs.length)]!;
    const r = await get(`/api/v3/traces/${run.appTraceId}`);
    if (r.status !== 200) throw new Error(`Jaeger get trace ${run.appTraceId}: HTTP ${r.status}`);
    byId.push(r.ms);
    oursOpen.push((await timeAsync(async () => JSON.stringify(await service.backend.getTrace({ traceId: run.appTraceId }))))[0]);
  }
  const open = summarise(oursOpen);
  const tag = summarise(tagSearch);
  const same = summarise(oursSame);
  const id = summarise(byId);
  const lookups: number[] = [];
  for (let i = 0; i < 200; i++) {
    const run = runs[(i * 97) % runs.length]!;
    lookups.push((await timeAsync(async () => JSON.stringify(await service.backend.findTraces({ kind: 'difyId', uuid: run.workflowRunId, traceIdCandidate: run.appTraceId }))))[0]);
  }
  const oursLookup = summarise(lookups);
  const result = {
    version: 'v1.75.0 (= v2.12.0), memory storage',
    spans, ingestMs: Math.round(ingestMs), rssMiB: rssMiB(jaeger.process.pid),
    ...(note === undefined ? {} : { note }),
    compared: 'ours: listRuns {appName, sinceMs, untilMs, text: <tool>} (first 50 runs, exact total; keyword over all text, case-insensitive); Jaeger: GET /api/traces?service=<app>&start&end&limit=50&tags={"tool.name":"<Tool>"} (first 50 traces; exact attribute value, one span must match). Jaeger has no free-text search.',
    agreement,
    keywordOursMs: same, keywordJaegerMs: tag, keywordRatioOursToJaeger: { p50: round(same.p50 / tag.p50), p95: round(same.p95 / tag.p95) },
    v3SearchServiceAndTimeOnlyMs: summarise(v3Search),
    lookupOursMs: oursLookup, traceIdLookupJaegerMs: id, lookupRatioOursToJaeger: { p50: round(oursLookup.p50 / id.p50), p95: round(oursLookup.p95 / id.p95) },
    // Jaeger's get returns the whole trace: the closer peer is our getTrace (the run's trace, its linked trace and logs, as the panel gets it).
    openRunOursMs: open, openRunRatioOursToJaeger: { p50: round(open.p50 / id.p50), p95: round(open.p95 / id.p95) },
    timing: 'ours in-process: the request handler plus JSON.stringify of its result (no LSP transport); Jaeger: HTTP request on loopback until the body is read',
  };
  console.log(`Jaeger (${spans.toLocaleString()} spans, RSS ${result.rssMiB} MiB): keyword (tag) p50 ${tag.p50} ms p95 ${tag.p95} ms vs ours p50 ${same.p50} ms p95 ${same.p95} ms → ours/Jaeger p95 ${result.keywordRatioOursToJaeger.p95}; trace id p95 ${id.p95} ms vs ours lookup ${oursLookup.p95} ms (→ ${result.lookupRatioOursToJaeger.p95}), whole run ${open.p95} ms (→ ${result.openRunRatioOursToJaeger.p95})`);
  console.log(`agreement: ${JSON.stringify(agreement)}`);
  return result;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
