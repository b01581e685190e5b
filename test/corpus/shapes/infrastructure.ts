/**
 * Dify's own infrastructure telemetry (ENABLE_OTEL=true): API process spans of one request — Flask server span,
 * the trace_span decorator spans of the app-generate handler and app runner, one ObservabilityLayer span per node
 * (newer releases), HTTPX client spans (plugin daemon, dify-sandbox), SQLAlchemy and Redis client spans — and the
 * Celery worker's task spans. Sources: langgenius/dify:api/extensions/ext_otel.py, api/extensions/otel/instrumentation.py,
 * api/extensions/otel/decorators/handlers/generate_handler.py, workflow_app_runner_handler.py,
 * api/core/app/workflow/layers/observability.py, api/extensions/otel/parser/{base,llm,retrieval,tool}.py;
 * test/demo/infraShapes.ts + httpSemconv.ts hold the same facts for the demo.
 */
import { seededHex, seededUuid } from '../../demo/ids';
import { flaskServerAttributes, httpScope, httpxClientAttributes } from '../../demo/httpSemconv';
import { pyJson, pyStr } from '../../demo/pyJson';
import { RESOURCES, SCOPES } from '../../demo/services';
import type { ExpectedNode } from '../corpusCase';
import { SpanKind, type Batch, type SpanSpec } from '../otlpJson';
import type { NodeExec, RunRec } from '../runModel';

export const INFRA_SOURCES = [
  'langgenius/dify:api/extensions/ext_otel.py',
  'langgenius/dify:api/extensions/otel/instrumentation.py',
  'langgenius/dify:api/extensions/otel/decorators/handlers/generate_handler.py',
  'langgenius/dify:api/extensions/otel/decorators/handlers/workflow_app_runner_handler.py',
  'langgenius/dify:api/core/app/workflow/layers/observability.py',
  'langgenius/dify:api/extensions/otel/parser/base.py',
] as const;

const API_RESOURCE = RESOURCES.difyApi as Record<string, string | number>;
const WORKER_RESOURCE = { ...API_RESOURCE, 'host.name': 'docker-worker-1', 'host.id': 'docker-worker-1', 'process.pid': 7 };
const DAEMON = 'http://plugin_daemon:5002';
const SANDBOX = 'http://sandbox:8194';

export interface InfraCall {
  /** Span id of the API's HTTPX client span (parent of the daemon's gin span). */
  readonly spanId: string;
  readonly node: NodeExec;
  readonly url: string;
  readonly daemonRoute: string | null;
  readonly startMs: number;
  readonly endMs: number;
  readonly status: number;
}

export interface InfraOptions {
  /** Emit ObservabilityLayer node spans (newer releases only). */
  readonly nodeSpans?: boolean;
  /** HTTP status the daemon / sandbox answered, per node key (default 200). */
  readonly httpStatus?: Readonly<Record<string, number>>;
  readonly route?: string;
  /** Include SQLAlchemy + Redis client spans. */
  readonly storage?: boolean;
}

const kindOf = (t: string): string => ({ llm: 'LLM', 'knowledge-retrieval': 'RETRIEVER', tool: 'TOOL' })[t] ?? 'TASK';

/** parser/base.py DefaultNodeOTelParser (+ tool.py / llm.py keys); status OK even for failed nodes (see test/demo/infraShapes.ts). */
function nodeAttrs(n: NodeExec): Record<string, string | number> {
  const a: Record<string, string | number> = {
    'node.id': n.nodeId,
    'node.execution_id': n.executionId,
    'node.type': n.type,
    'gen_ai.framework': 'dify',
    'gen_ai.span.kind': kindOf(n.type),
  };
  if (Object.keys(n.inputs).length > 0) a['input.value'] = pyJson(n.inputs);
  if (n.outputs && Object.keys(n.outputs).length > 0) a['output.value'] = pyJson(n.outputs);
  if (n.type === 'tool') {
    a['gen_ai.tool.name'] = n.title;
    a['gen_ai.tool.type'] = pyStr((n.metadata['tool_info'] as Record<string, string> | undefined)?.['provider_type'] ?? 'plugin');
    a['gen_ai.tool.description'] = pyJson(n.metadata['tool_info'] ?? {});
    a['gen_ai.tool.call.arguments'] = pyJson(n.inputs);
  }
  if (n.type === 'llm' && n.processData) {
    const usage = (n.processData['usage'] ?? {}) as Record<string, number>;
    a['gen_ai.request.model'] = pyStr(n.processData['model_name']);
    a['gen_ai.provider.name'] = pyStr(n.processData['model_provider']);
    a['gen_ai.usage.input_tokens'] = usage['prompt_tokens'] ?? 0;
    a['gen_ai.usage.output_tokens'] = usage['completion_tokens'] ?? 0;
    a['gen_ai.usage.total_tokens'] = usage['total_tokens'] ?? 0;
  }
  return a;
}

/** Which outbound call a node makes (api/core/plugin/impl/base.py, api/core/helper/code_executor/code_executor.py). */
function callOf(run: RunRec, n: NodeExec): { url: string; route: string | null } | undefined {
  const d = (path: string) => ({ url: `${DAEMON}/plugin/${run.tenantId}/dispatch/${path}`, route: `/plugin/:tenant_id/dispatch/${path}` });
  if (['llm', 'question-classifier', 'parameter-extractor'].includes(n.type)) return d('llm/invoke');
  if (n.type === 'knowledge-retrieval') return d('text_embedding/invoke');
  if (n.type === 'agent') return d('agent_strategy/invoke');
  if (n.type === 'tool' && n.pluginId) return d('tool/invoke');
  if (n.type === 'code' || n.type === 'template-transform') return { url: `${SANDBOX}/v1/sandbox/run`, route: null };
  return undefined;
}

export interface InfraRendered {
  readonly batches: Batch[];
  readonly traceId: string;
  readonly nodes: ExpectedNode[];
  readonly calls: InfraCall[];
  readonly flaskSpanId: string;
}

/**
 * The API request that ran the workflow: Flask span -> AppGenerateService.generate -> {Workflow|AdvancedChat}AppRunner.run
 * -> node spans -> HTTPX spans. Trace id = run.infraTraceId (the Trace Link target).
 */
export function infraRequest(run: RunRec, o: InfraOptions = {}): InfraRendered {
  const traceId = run.infraTraceId;
  const id = (k: string): string => seededHex(`${traceId}:${k}`, 8);
  const chat = run.kind !== 'workflow';
  const route = o.route ?? (chat ? '/v1/chat-messages' : '/v1/workflows/run');
  const flask: SpanSpec = {
    traceId, spanId: id('flask'), name: `POST ${route}`, kind: SpanKind.SERVER, startMs: run.startMs - 38, endMs: run.endMs + 27,
    attributes: {
      ...(flaskServerAttributes({ method: 'POST', route, host: 'dify.example.com', clientIp: '172.19.0.9', clientPort: 41872, userAgent: 'python-requests/2.32.3', status: 200 }, 'default') as Record<string, string | number>),
      'dify.tenant_id': run.tenantId,
      'gen_ai.user.id': run.userId,
    },
    status: { code: 'ok' },
  };
  const user = { 'dify.app_id': run.appId, 'dify.tenant_id': run.tenantId, 'gen_ai.user.id': run.userId };
  const generate: SpanSpec = {
    traceId, spanId: id('generate'), parentSpanId: flask.spanId, name: 'services.app_generate_service.AppGenerateService.generate', kind: SpanKind.INTERNAL,
    startMs: run.startMs - 31, endMs: run.endMs + 19,
    attributes: { ...user, 'dify.user_type': 'EndUser', 'dify.streaming': chat, 'dify.workflow_id': 'unknown' },
    status: { code: 'ok' },
  };
  const runnerName = chat ? 'core.app.apps.advanced_chat.app_runner.AdvancedChatAppRunner.run' : 'core.app.apps.workflow.app_runner.WorkflowAppRunner.run';
  const runner: SpanSpec = {
    traceId, spanId: id('runner'), parentSpanId: generate.spanId, name: runnerName, kind: SpanKind.INTERNAL,
    startMs: run.startMs - 3, endMs: run.endMs + 2,
    attributes: { ...user, 'dify.streaming': chat, 'dify.workflow_id': run.workflowId },
    status: { code: 'ok' },
  };
  const nodeSpans: SpanSpec[] = [];
  const nodes: ExpectedNode[] = [];
  const calls: InfraCall[] = [];
  const withNodes = o.nodeSpans ?? true;
  for (const n of run.nodes) {
    const nodeSpanId = id(`node:${n.executionId}`);
    if (withNodes) {
      const parent = n.container ? id(`node:${n.container.executionId}`) : runner.spanId;
      nodeSpans.push({ traceId, spanId: nodeSpanId, parentSpanId: parent, name: n.title, kind: SpanKind.INTERNAL, startMs: n.startMs, endMs: n.endMs, attributes: nodeAttrs(n), status: { code: 'ok' } });
      nodes.push({ traceId, spanId: nodeSpanId, nodeType: n.type, title: n.title, ...(n.pluginId ? { pluginId: n.pluginId } : {}) });
    }
    const c = callOf(run, n);
    if (c) {
      const status = o.httpStatus?.[n.key] ?? o.httpStatus?.[n.type] ?? 200;
      calls.push({ spanId: id(`httpx:${n.executionId}`), node: n, url: c.url, daemonRoute: c.route, startMs: n.startMs + 6, endMs: Math.max(n.startMs + 12, n.endMs - 5), status });
    }
  }
  const httpx: SpanSpec[] = calls.map((c) => ({
    traceId, spanId: c.spanId, parentSpanId: withNodes ? id(`node:${c.node.executionId}`) : runner.spanId, name: 'POST', kind: SpanKind.CLIENT,
    startMs: c.startMs, endMs: c.endMs,
    attributes: httpxClientAttributes('POST', c.url, c.status, 'default') as Record<string, string | number>,
    // opentelemetry-instrumentation-httpx: http_status_to_status_code(status) -> ERROR for >= 400 on a client span, else UNSET
    status: c.status >= 400 ? { code: 'error' } : undefined,
  }));
  const storage: SpanSpec[] = o.storage
    ? [
        {
          traceId, spanId: id('sql:app'), parentSpanId: flask.spanId, name: 'SELECT dify', kind: SpanKind.CLIENT, startMs: run.startMs - 36, endMs: run.startMs - 34.6,
          attributes: { 'db.statement': 'SELECT apps.id, apps.tenant_id, apps.name, apps.mode FROM apps WHERE apps.id = %(pk_1)s::UUID', 'db.system': 'postgresql', 'db.name': 'dify', 'net.peer.name': 'db', 'net.peer.port': 5432 },
        },
        {
          traceId, spanId: id('redis:get'), parentSpanId: flask.spanId, name: 'GET', kind: SpanKind.CLIENT, startMs: run.startMs - 34, endMs: run.startMs - 33.7,
          attributes: { 'db.statement': `GET app_model_config:${run.appId}`, 'db.system': 'redis', 'db.redis.database_index': 0, 'net.peer.name': 'redis', 'net.peer.port': 6379, 'net.transport': 'ip_tcp', 'db.redis.args_length': 2 },
        },
      ]
    : [];
  const batches: Batch[] = [
    { resource: API_RESOURCE, scope: httpScope('flask', 'default'), spans: [flask] },
    { resource: API_RESOURCE, scope: SCOPES.decorators, spans: [generate, runner] },
  ];
  if (nodeSpans.length > 0) batches.push({ resource: API_RESOURCE, scope: SCOPES.nodeLayer, spans: nodeSpans });
  if (httpx.length > 0) batches.push({ resource: API_RESOURCE, scope: httpScope('httpx', 'default'), spans: httpx });
  if (storage.length > 0) {
    batches.push({ resource: API_RESOURCE, scope: { name: 'opentelemetry.instrumentation.sqlalchemy', version: '0.61b0' }, spans: [storage[0]!] });
    batches.push({ resource: API_RESOURCE, scope: { name: 'opentelemetry.instrumentation.redis', version: '0.61b0' }, spans: [storage[1]!] });
  }
  return { batches, traceId, nodes, calls, flaskSpanId: flask.spanId };
}

/**
 * The ops_trace hand-off: the API's Timer thread sends process_trace_tasks without a request context (new trace,
 * PRODUCER), the worker runs it (CONSUMER, child of the producer through the Celery headers).
 * api/core/ops/ops_trace_manager.py send_to_celery, api/tasks/ops_trace_task.py (queue "ops_trace"),
 * opentelemetry-instrumentation-celery span names "apply_async/{task}" and "run/{task}".
 */
export function celeryOpsTrace(seed: string, atMs: number, failed?: string): Batch[] {
  const traceId = seededHex(`${seed}:celery-trace`, 16);
  const task = 'tasks.ops_trace_task.process_trace_tasks';
  const msgId = seededUuid(`${seed}:celery-message`);
  const scope = { name: 'opentelemetry.instrumentation.celery', version: '0.61b0' };
  const producer: SpanSpec = {
    traceId, spanId: seededHex(`${seed}:celery-producer`, 8), name: `apply_async/${task}`, kind: SpanKind.PRODUCER, startMs: atMs, endMs: atMs + 2.4,
    attributes: { 'celery.action': 'apply_async', 'celery.task_name': task, 'messaging.message.id': msgId, 'messaging.destination_kind': 'queue', 'messaging.destination': 'ops_trace' },
  };
  const consumer: SpanSpec = {
    traceId, spanId: seededHex(`${seed}:celery-consumer`, 8), parentSpanId: producer.spanId, name: `run/${task}`, kind: SpanKind.CONSUMER,
    startMs: atMs + 14, endMs: atMs + 14 + 620,
    attributes: { 'celery.action': 'run', 'celery.state': failed ? 'FAILURE' : 'SUCCESS', 'celery.task_name': task, 'messaging.message.id': msgId, 'messaging.destination': 'ops_trace', 'celery.delivery_info': "{'exchange': '', 'routing_key': 'ops_trace', 'priority': 0, 'redelivered': False}" },
    ...(failed
      ? {
          status: { code: 'error' as const, message: failed },
          events: [{ name: 'exception', timeMs: atMs + 630, attributes: { 'exception.type': 'ValueError', 'exception.message': failed, 'exception.stacktrace': `Traceback (most recent call last):\n  File "/app/api/tasks/ops_trace_task.py", line 52, in process_trace_tasks\n    trace_instance.trace(trace_info)\nValueError: ${failed}\n`, 'exception.escaped': 'False' } }],
        }
      : {}),
  };
  return [
    { resource: API_RESOURCE, scope, spans: [producer] },
    { resource: WORKER_RESOURCE, scope, spans: [consumer] },
  ];
}
