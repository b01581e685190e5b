// Dify runs for the run-listing benchmarks: the Aliyun exporter's app-level spans plus the request's
// infrastructure trace they link to (Trace Link), generated deterministically from a run number.
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { ExportTraceServiceRequestSchema } from '../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import type { KeyValueSchema } from '../src/server/receiver/gen/opentelemetry/proto/common/v1/common_pb';
import type { ResourceSpansSchema, SpanSchema } from '../src/server/receiver/gen/opentelemetry/proto/trace/v1/trace_pb';
import { seeded } from './difyBatch';

/** The runs' clock: they start in the days before this instant. */
export const now = Date.parse('2026-11-25T12:00:00Z');
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
/** Run `r` of `runCount`, which spread over the day before `now`. */
export function generateRun(r: number, runCount: number, out: { app: MessageInitShape<typeof ResourceSpansSchema>[]; infra: MessageInitShape<typeof ResourceSpansSchema>[] }): GeneratedRun {
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
export function* batches(runCount: number, perBatch: number): Generator<{ bytes: Uint8Array; runs: GeneratedRun[] }> {
  for (let first = 0; first < runCount; first += perBatch) {
    const out = { app: [] as MessageInitShape<typeof ResourceSpansSchema>[], infra: [] as MessageInitShape<typeof ResourceSpansSchema>[] };
    const runs: GeneratedRun[] = [];
    for (let r = first; r < Math.min(runCount, first + perBatch); r++) runs.push(generateRun(r, runCount, out));
    yield { bytes: toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans: [...out.infra, ...out.app] })), runs };
  }
}

