/**
 * One node execution as both halves of a Dify run show it: the Aliyun exporter's node span (child of
 * `workflow`, carrying the Trace Link) and the API's ObservabilityLayer span with the calls the node
 * makes: HTTPX to the plugin daemon (gin server span, plugin runtime span, the plugin's own outbound
 * HTTP) or to dify-sandbox (no spans of its own). Names and keys as test/demo/aliyunShapes.ts,
 * infraShapes.ts and daemonShapes.ts emit them (sources cited there).
 */
import type { Attributes } from '@opentelemetry/api';
import type { JsonObject } from '../demo/demoContent';
import { ginAttributes } from '../demo/daemonShapes';
import { APP, infraSpanId, PLUGIN_RUNTIME_SPAN } from '../demo/demoRuns';
import { httpScope, httpxClientAttributes } from '../demo/httpSemconv';
import { aliyunSpanId, seededUuid } from '../demo/ids';
import { llmFacts, retrievalDocuments, type LlmFacts } from '../demo/nodeFacts';
import { PLUGIN, PLUGIN_EXCEPTION, PLUGIN_TRACEBACK } from '../demo/plugin';
import { pyJson, pyStr } from '../demo/pyJson';
import type { NodeRecord } from '../demo/runRecords';
import { SCOPES } from '../demo/services';
import type { OtlpBatchWriter } from './otlpWriter';

export type NodeType = 'start' | 'llm' | 'knowledge-retrieval' | 'tool' | 'code' | 'iteration' | 'loop' | 'if-else' | 'assigner' | 'template-transform';

export interface GraphNode {
  readonly id: string;
  readonly type: NodeType;
  readonly title: string;
}

/** A WorkflowNodeExecution row plus where its infrastructure span hangs and how its calls are timed. */
export interface NodeExec {
  /** Unique path of the execution in the run (e.g. `trip17/stop3/tool`): seeds its ids. */
  readonly key: string;
  readonly node: GraphNode;
  readonly startUs: number;
  readonly endUs: number;
  readonly failed: boolean;
  readonly inputs: JsonObject;
  readonly processData: JsonObject | null;
  readonly outputs: JsonObject | null;
  readonly metadata: JsonObject;
  readonly error: string | null;
  /** Infra span of the enclosing iteration/loop node, or the app runner span. */
  readonly infraParent: string;
  /** LLM and embedding calls: time to first byte of the streamed response, in µs. */
  readonly ttfbUs?: number;
  /** gen_ai.response.id of the provider's answer (LLM nodes). */
  readonly responseId?: string;
}

export interface RunIds {
  readonly seedKey: string;
  readonly workflowRunId: string;
  readonly appTraceId: string;
  readonly infraTraceId: string;
  readonly workflowSpanId: string;
}

/** Ids of a node execution: the Aliyun span id is SHA-256 of the execution id (ids.ts aliyunSpanId). */
export function execIds(run: RunIds, key: string): { executionId: string; appSpanId: string; infraSpanId: string } {
  const executionId = seededUuid(`${run.seedKey}:exec:${key}`);
  return { executionId, appSpanId: aliyunSpanId(executionId, 'node'), infraSpanId: infraSpanId(run.infraTraceId, `node:${key}`) };
}

const asRecord = (n: NodeExec): NodeRecord => n as unknown as NodeRecord;

/** What several spans of one node serialise: computed once per node execution. */
interface Prepared {
  readonly inputs: string;
  readonly outputs: string;
  readonly llm: LlmFacts | undefined;
  readonly toolInfo: string;
}

function prepare(n: NodeExec): Prepared {
  return {
    inputs: pyJson(n.inputs),
    outputs: pyJson(n.outputs ?? {}),
    llm: n.node.type === 'llm' ? llmFacts(asRecord(n)) : undefined,
    toolInfo: n.node.type === 'tool' ? pyJson(n.metadata['tool_info'] ?? {}) : '',
  };
}

function common(spanKind: string, input: string, output: string): Attributes {
  return { 'gen_ai.session.id': '', 'gen_ai.user.id': APP.endUserId, 'gen_ai.span.kind': spanKind, 'gen_ai.framework': 'dify', 'input.value': input, 'output.value': output };
}

function llmAttributes(f: LlmFacts, tokensAsString: boolean): Attributes {
  const count = (v: number): string | number => (tokensAsString ? String(v) : v);
  return {
    'gen_ai.request.model': f.model,
    'gen_ai.provider.name': f.provider,
    'gen_ai.usage.input_tokens': count(f.usage.prompt),
    'gen_ai.usage.output_tokens': count(f.usage.completion),
    'gen_ai.usage.total_tokens': count(f.usage.total),
    'gen_ai.prompt': f.prompts,
    'gen_ai.completion': f.text,
    'gen_ai.response.finish_reason': f.finishReason,
    'gen_ai.input.messages': f.inputMessages,
    'gen_ai.output.messages': f.outputMessages,
  };
}

/** aliyun_trace.py build_workflow_*_span (as aliyunShapes.ts nodeAttributes). */
function aliyunNodeAttributes(n: NodeExec, p: Prepared): Attributes {
  const output = p.outputs;
  switch (n.node.type) {
    case 'llm':
      return p.llm === undefined ? {} : { ...common('LLM', p.llm.prompts, p.llm.text), ...llmAttributes(p.llm, true) };
    case 'knowledge-retrieval': {
      const query = pyStr(n.inputs['query']);
      return { ...common('RETRIEVER', query, pyJson(n.outputs?.['result'] ?? [])), 'retrieval.query': query, 'retrieval.document': retrievalDocuments(asRecord(n)) };
    }
    case 'tool':
      return { ...common('TOOL', p.inputs, output), 'tool.name': n.node.title, 'tool.description': p.toolInfo, 'tool.parameters': p.inputs };
    default:
      return common('TASK', p.inputs, output);
  }
}

/** api/extensions/otel/parser/{base,llm,retrieval,tool}.py (as infraShapes.ts nodeSpanAttributes). */
function infraNodeAttributes(n: NodeExec, p: Prepared, executionId: string): Attributes {
  const kind = { llm: 'LLM', 'knowledge-retrieval': 'RETRIEVER', tool: 'TOOL' } as const;
  const attrs: Record<string, string | number> = {
    'node.id': n.node.id,
    'node.execution_id': executionId,
    'node.type': n.node.type,
    'gen_ai.framework': 'dify',
    'gen_ai.span.kind': n.node.type in kind ? kind[n.node.type as keyof typeof kind] : 'TASK',
  };
  if (Object.keys(n.inputs).length > 0) attrs['input.value'] = p.inputs;
  if (n.outputs !== null && Object.keys(n.outputs).length > 0) attrs['output.value'] = p.outputs;
  if (n.node.type === 'tool') {
    attrs['gen_ai.tool.name'] = n.node.title;
    attrs['gen_ai.tool.type'] = 'plugin';
    attrs['gen_ai.tool.description'] = p.toolInfo;
    attrs['gen_ai.tool.call.arguments'] = p.inputs;
    if (n.outputs !== null) attrs['gen_ai.tool.call.result'] = p.outputs;
  }
  if (p.llm !== undefined) Object.assign(attrs, llmAttributes(p.llm, false));
  if (n.node.type === 'knowledge-retrieval') {
    attrs['retrieval.query'] = pyStr(n.inputs['query']);
    attrs['retrieval.document'] = retrievalDocuments(asRecord(n));
  }
  return attrs;
}

const DAEMON = 'http://plugin_daemon:5002';
const SANDBOX = 'http://sandbox:8194';
const HTTPX = httpScope('httpx', 'default');
const MS = 1000;

/** Emits the node's app span, infra span and call chain; returns the node's infra span id (parent of children). */
export function emitNode(out: OtlpBatchWriter, run: RunIds, n: NodeExec): string {
  const ids = execIds(run, n.key);
  const p = prepare(n);
  const link = [{ traceId: run.infraTraceId, spanId: '0000000000000000' }];
  out.add('aliyunApp', SCOPES.aliyun, {
    traceId: run.appTraceId,
    spanId: ids.appSpanId,
    parentSpanId: run.workflowSpanId,
    name: n.node.title,
    kind: 'internal',
    startUs: n.startUs,
    endUs: n.endUs,
    attributes: aliyunNodeAttributes(n, p),
    status: n.failed ? { code: 'error', message: String(n.error) } : { code: 'ok' },
    links: link,
  });
  out.add('difyApi', SCOPES.nodeLayer, {
    traceId: run.infraTraceId,
    spanId: ids.infraSpanId,
    parentSpanId: n.infraParent,
    name: n.node.title,
    kind: 'internal',
    startUs: n.startUs,
    endUs: n.endUs,
    // Status OK even for the failed tool node (infraShapes.ts: a FAILED result is returned, not raised).
    attributes: infraNodeAttributes(n, p, ids.executionId),
    status: { code: 'ok' },
  });
  emitCalls(out, run, n, p, ids.infraSpanId);
  return ids.infraSpanId;
}

function emitCalls(out: OtlpBatchWriter, run: RunIds, n: NodeExec, p: Prepared, nodeSpanId: string): void {
  const traceId = run.infraTraceId;
  const id = (what: string): string => infraSpanId(traceId, `${what}:${n.key}`);
  const client = (spanId: string, parent: string, url: string, startUs: number, endUs: number, scope = HTTPX, service: 'difyApi' | 'pluginRuntime' = 'difyApi', method = 'POST'): void => {
    out.add(service, scope, { traceId, spanId, parentSpanId: parent, name: method, kind: 'client', startUs, endUs, attributes: httpxClientAttributes(method, url, 200, 'default') });
  };
  if (n.node.type === 'code') {
    // dify-sandbox has no OpenTelemetry: only the API's HTTPX span (code_executor.py execute_code)
    client(id('httpx'), nodeSpanId, `${SANDBOX}/v1/sandbox/run`, n.startUs + 6 * MS, n.endUs - 5 * MS);
    return;
  }
  const dispatch = n.node.type === 'llm' ? 'llm/invoke' : n.node.type === 'knowledge-retrieval' ? 'text_embedding/invoke' : n.node.type === 'tool' ? 'tool/invoke' : null;
  if (dispatch === null) return;
  const path = `/plugin/${APP.tenantId}/dispatch/${dispatch}`;
  const httpxStart = n.startUs + 11 * MS;
  const streamed = n.node.type === 'llm';
  const httpxEnd = n.node.type === 'tool' ? n.endUs - 9 * MS : n.startUs + (n.ttfbUs ?? 100 * MS);
  client(id('httpx'), nodeSpanId, `${DAEMON}${path}`, httpxStart, httpxEnd);
  const ginStart = httpxStart + 2 * MS;
  const ginEnd = streamed ? n.endUs - 4 * MS : n.node.type === 'tool' ? httpxEnd - 2 * MS : httpxEnd - 2 * MS;
  out.add('pluginDaemon', SCOPES.otelgin, {
    traceId,
    spanId: id('gin'),
    parentSpanId: id('httpx'),
    name: `POST /plugin/:tenant_id/dispatch/${dispatch}`,
    kind: 'server',
    startUs: ginStart,
    endUs: ginEnd,
    attributes: ginAttributes(id('httpx'), path, `/plugin/:tenant_id/dispatch/${dispatch}`, streamed ? 4821 : 1187),
  });
  const rtStart = ginStart + 6 * MS;
  const rtEnd = ginEnd - 3 * MS;
  // ASSUMPTION (services.ts RESOURCES.pluginRuntime): an Alibaba Cloud Python probe in the plugin process,
  // spans per OTel GenAI semconv, and its HTTPX instrumentation of the plugin's own outbound calls.
  if (n.node.type === 'tool') {
    out.add('pluginRuntime', SCOPES.pluginProbe, {
      traceId,
      spanId: id('runtime'),
      parentSpanId: id('gin'),
      name: PLUGIN_RUNTIME_SPAN,
      kind: 'internal',
      startUs: rtStart,
      endUs: rtEnd,
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': PLUGIN.tool,
        'gen_ai.tool.call.arguments': p.inputs,
        ...(n.failed || n.outputs === null ? {} : { 'gen_ai.tool.call.result': pyJson(n.outputs['json'] ?? null) }),
      },
      ...(n.failed
        ? {
            status: { code: 'error' as const, message: `${PLUGIN_EXCEPTION.type}: ${PLUGIN_EXCEPTION.message}` },
            events: [{ name: 'exception', timeUs: rtEnd - MS, attributes: { 'exception.type': PLUGIN_EXCEPTION.type, 'exception.message': PLUGIN_EXCEPTION.message, 'exception.stacktrace': PLUGIN_TRACEBACK, 'exception.escaped': 'False' } }],
          }
        : {}),
    });
    // tools/get_weather.py: httpx.get(api_base + "/v1/forecast", params=...) before it reads the days
    const q = new URLSearchParams({ q: pyStr(n.inputs['city']), days: pyStr(n.inputs['days']), units: pyStr(n.inputs['units']) });
    client(id('weather'), id('runtime'), `https://api.weather-forecast.example/v1/forecast?${q.toString()}`, rtStart + 4 * MS, rtEnd - 12 * MS, HTTPX, 'pluginRuntime', 'GET');
    return;
  }
  const llm = n.node.type === 'llm';
  const facts = p.llm;
  out.add('pluginRuntime', SCOPES.pluginProbe, {
    traceId,
    spanId: id('runtime'),
    parentSpanId: id('gin'),
    name: llm ? `chat ${facts?.model ?? ''}` : 'embeddings text-embedding-3-small',
    kind: 'internal',
    startUs: rtStart,
    endUs: rtEnd,
    attributes: {
      'gen_ai.operation.name': llm ? 'chat' : 'embeddings',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': llm ? (facts?.model ?? '') : 'text-embedding-3-small',
      ...(llm && facts
        ? { 'gen_ai.response.model': `${facts.model}-2024-07-18`, 'gen_ai.response.id': n.responseId ?? '', 'gen_ai.usage.input_tokens': facts.usage.prompt, 'gen_ai.usage.output_tokens': facts.usage.completion }
        : { 'gen_ai.usage.input_tokens': Math.max(1, Math.round(pyStr(n.inputs['query']).length / 4)) }),
      'server.address': 'api.openai.com',
      'server.port': 443,
    },
  });
  client(id('provider'), id('runtime'), `https://api.openai.com/v1/${llm ? 'chat/completions' : 'embeddings'}`, rtStart + 4 * MS, llm ? Math.min(rtEnd - MS, rtStart + (n.ttfbUs ?? 500 * MS)) : rtEnd - 2 * MS, HTTPX, 'pluginRuntime');
}
