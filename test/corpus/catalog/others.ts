/** Langfuse, LangSmith, infrastructure-only, plugin-daemon-only, mixed (both halves) and bad-input cases. */
import { aliyunTraceId, seededHex } from '../../demo/ids';
import { finish, type CaseFactory } from '../caseKit';
import type { CorpusCase } from '../corpusCase';
import * as E from '../errors';
import { SpanKind, type Batch } from '../otlpJson';
import { buildRun, type NodeSketch } from '../runModel';
import { ALIYUN_SOURCES, aliyunWorkflow } from '../shapes/aliyun';
import { celeryOpsTrace, INFRA_SOURCES, infraRequest } from '../shapes/infrastructure';
import { LANGFUSE_SOURCES, langfuseWorkflow } from '../shapes/langfuse';
import { DAEMON_SOURCES, daemonBatch, PYTHON_ENV_SOURCE, pythonEnvSetup } from '../shapes/pluginDaemon';
import { PHOENIX_SOURCES, phoenixWorkflow } from '../shapes/phoenix';

const APP = 'Order Support';
const S = (type: string, extra: Partial<NodeSketch> = {}): NodeSketch => ({ type, ...extra });
const fail = (type: string, error: E.NodeError, extra: Partial<NodeSketch> = {}): NodeSketch => ({ type, status: 'failed', error, ...extra });

// ---------------------------------------------------------------- Langfuse
function lf(name: string, description: string, sketches: readonly NodeSketch[], withInfra = false, lateApp = false): CaseFactory {
  return (startMs) => {
    const run = buildRun(`langfuse:${name}`, sketches, { startMs, appName: APP });
    const r = langfuseWorkflow(run, withInfra ? { externalTraceId: run.infraTraceId } : {});
    const infra = withInfra ? infraRequest(run) : undefined;
    const handled = run.nodes.find((n) => n.status === 'exception');
    const requests: Batch[][] = infra ? (lateApp ? [infra.batches, r.batches] : [r.batches, infra.batches]) : [r.batches];
    return finish({
      name, exporter: withInfra ? 'mixed' : 'langfuse', release: 'newest (native OTLP export)', sources: [...LANGFUSE_SOURCES, ...(withInfra ? INFRA_SOURCES : [])], description,
      requests,
      runs: [{
        run, traceId: r.traceId, appName: APP, linked: withInfra ? [run.infraTraceId] : [], ids: { workflowRunId: true },
        ...(handled ? { failingNodeFallback: { title: handled.title, nodeType: handled.type } } : {}),
      }],
      nodes: [...r.nodes, ...(infra?.nodes ?? [])],
    });
  };
}

/**
 * The ingestion-API exporter sends nothing over OTLP: documented by an empty case. The receiver takes
 * that REST API on its own route, tested in test/unit/langfuseIngestion.test.ts.
 */
const langfuseIngestion: CaseFactory = () => ({
  name: 'ingestion-api-no-otlp',
  exporter: 'langfuse',
  release: 'newest (v3 SDK, isolated TracerProvider)',
  sources: ['langgenius/dify:api/providers/trace/trace-langfuse/src/dify_trace_langfuse/langfuse_trace.py', 'langgenius/dify:api/core/ops/langfuse_trace/langfuse_trace.py'],
  description:
    'LangFuseDataTrace with Langfuse(tracer_provider=TracerProvider(service.name=dify-langfuse-app-trace)) sends trace-create / span-create / generation-create events through langfuse_client.api.ingestion.batch (REST POST /api/public/ingestion). No span is started on the isolated provider, so nothing reaches an OTLP endpoint (the receiver takes the ingestion API on its own route). Langfuse trace id = trace_info.trace_id (the infra trace id) or workflow_run_id / message_id; observation id = node_execution.id.',
  requests: [],
  expected: { runs: [], nodes: [] },
});

const langsmithNone: CaseFactory = () => ({
  name: 'rest-runs-no-otlp',
  exporter: 'langsmith',
  release: 'newest',
  sources: ['langgenius/dify:api/core/ops/langsmith_trace/langsmith_trace.py', 'langgenius/dify:api/providers/trace/trace-langsmith/src/dify_trace_langsmith/langsmith_trace.py'],
  description:
    'Dify\'s LangSmith exporter calls langsmith Client.create_run / update_run (REST /runs). Dify does not enable the LangSmith SDK\'s OpenTelemetry mode, so no OTLP is sent; this case only documents that.',
  requests: [],
  expected: { runs: [], nodes: [] },
});

// ---------------------------------------------------------------- infrastructure only
function infraOnly(name: string, description: string, sketches: readonly NodeSketch[], o: { nodeSpans?: boolean; httpStatus?: Record<string, number>; kind?: 'workflow' | 'chatflow'; storage?: boolean; release?: string } = {}): CaseFactory {
  return (startMs) => {
    const run = buildRun(`infra:${name}`, sketches, { startMs, appName: APP, kind: o.kind ?? 'workflow' });
    const r = infraRequest(run, { ...(o.nodeSpans === false ? { nodeSpans: false } : {}), ...(o.httpStatus ? { httpStatus: o.httpStatus } : {}), storage: o.storage ?? true });
    const hasError = r.batches.some((b) => b.spans.some((s) => s.status?.code === 'error'));
    return finish({
      name, exporter: 'infrastructure', release: o.release ?? 'newest', sources: INFRA_SOURCES, description,
      requests: [r.batches],
      runs: [{ run, traceId: r.traceId, appName: run.appId, kind: o.kind ?? 'workflow', status: hasError ? 'failed' : 'unknown', errorKind: hasError ? (run.errorKind ?? null) : null }],
      nodes: r.nodes,
    });
  };
}

// ---------------------------------------------------------------- plugin daemon only
const daemonSetupFailure: CaseFactory = (startMs) =>
  finish({
    name: 'python-env-install-deps-failed', exporter: 'pluginDaemon', release: 'newest', sources: [PYTHON_ENV_SOURCE, 'langgenius/dify-plugin-daemon:internal/server/otel.go'],
    description: 'Plugin install: python.init_env -> ... -> python.install_deps fails (uv error). No Dify run identity: no run expected.',
    requests: [pythonEnvSetup('daemon:setup-fail', startMs, { step: 'python.install_deps', message: 'failed to install dependencies: exit status 1, output: × No solution found when resolving dependencies:\n  ╰─▶ Because only requests<=2.31.0 is available and weather-plugin depends on requests>=2.32.3, we can conclude that weather-plugin\'s requirements are unsatisfiable.' })],
    runs: [], nodes: [],
  });
const daemonSetupOk: CaseFactory = (startMs) =>
  finish({
    name: 'python-env-setup-ok', exporter: 'pluginDaemon', release: 'newest', sources: [PYTHON_ENV_SOURCE],
    description: 'Plugin first launch: python.init_env with prepare_uv / detect_dependency_file / check_venv / create_venv / install_deps / precompile. No run.',
    requests: [pythonEnvSetup('daemon:setup-ok', startMs)], runs: [], nodes: [],
  });
const daemonOrphanGin: CaseFactory = (startMs) => {
  const run = buildRun('daemon:orphan', [S('start'), S('tool', { title: 'Get Weather' })], { startMs, appName: APP });
  const r = infraRequest(run);
  return finish({
    name: 'gin-spans-without-api-half', exporter: 'pluginDaemon', release: 'newest', sources: DAEMON_SOURCES,
    description: 'Only the daemon\'s gin span of a tool/invoke arrives (its parent, the API HTTPX span, was sampled out / not exported): tenant_id but no Dify run.',
    requests: [daemonBatch(r.traceId, r.calls, run.tenantId)], runs: [], nodes: [],
  });
};

// ---------------------------------------------------------------- mixed: app half + infra half (+ daemon)
function mixedAliyun(name: string, description: string, sketches: readonly NodeSketch[], o: { httpStatus?: Record<string, number>; order?: 'app-first' | 'infra-first'; errorKind?: E.NodeError['kind'] } = {}): CaseFactory {
  return (startMs) => {
    const run = buildRun(`mixed:${name}`, sketches, { startMs, appName: APP });
    const app = aliyunWorkflow(run, { serviceName: APP });
    const infra = infraRequest(run, { ...(o.httpStatus ? { httpStatus: o.httpStatus } : {}) });
    const infraHalf = [...infra.batches, ...daemonBatch(infra.traceId, infra.calls, run.tenantId)];
    const requests = o.order === 'app-first' ? [app.batches, infraHalf] : [infraHalf, app.batches];
    return finish({
      name, exporter: 'mixed', release: 'newest', sources: [...ALIYUN_SOURCES.new, ...INFRA_SOURCES, ...DAEMON_SOURCES], description,
      requests,
      runs: [{ run, traceId: app.traceId, appName: APP, linked: [run.infraTraceId], ids: { workflowRunId: true }, ...(o.errorKind ? { errorKind: o.errorKind } : {}) }],
      nodes: [...app.nodes, ...infra.nodes],
    });
  };
}

function mixedPhoenix(name: string, description: string, sketches: readonly NodeSketch[]): CaseFactory {
  return (startMs) => {
    const run = buildRun(`mixed:${name}`, sketches, { startMs, appName: APP });
    const app = phoenixWorkflow(run, { release: 'newest' });
    const infra = infraRequest(run);
    return finish({
      name, exporter: 'mixed', release: 'newest', sources: [...PHOENIX_SOURCES.newest, ...INFRA_SOURCES], description,
      requests: [[...infra.batches, ...daemonBatch(infra.traceId, infra.calls, run.tenantId)], app.batches],
      runs: [{ run, traceId: app.traceId, appName: APP, linked: [run.infraTraceId], ids: { workflowRunId: true }, tokens: { total: run.tokens.total } }],
      nodes: [...app.nodes, ...infra.nodes],
    });
  };
}

// ---------------------------------------------------------------- bad input
const badMissingKeys: CaseFactory = (startMs) => {
  const run = buildRun('bad:missing-keys', [S('start'), S('llm'), fail('code', E.sandboxFd3)], { startMs, appName: APP });
  const r = aliyunWorkflow(run, { serviceName: APP, dropKeys: ['gen_ai.span.kind', 'gen_ai.framework', 'dify.app_id', 'gen_ai.request.model'] });
  return finish({
    name: 'aliyun-missing-keys', exporter: 'aliyun', release: 'newest', sources: ALIYUN_SOURCES.new,
    description: 'Aliyun-shaped spans (resource acs.arms.service.feature=genai_app, deterministic ids) that lack gen_ai.span.kind / gen_ai.framework / dify.app_id: the run is kept, node types fall back to task.',
    requests: [r.batches],
    runs: [{ run, traceId: r.traceId, appName: APP, linked: [run.infraTraceId], ids: { workflowRunId: true } }],
    nodes: r.nodes.map((n) => ({ ...n, nodeType: 'task' })),
    warnings: ['linkedTraceMissing', 'missingKeys'],
  });
};

const badUnknownExporter: CaseFactory = (startMs) => {
  const traceId = seededHex('bad:unknown-exporter', 16);
  const batch: Batch = {
    resource: { 'service.name': 'dify_app', 'telemetry.sdk.language': 'python' },
    scope: { name: 'dify_trace_acme.exporter' },
    spans: [
      { traceId, spanId: seededHex('bad:unknown:root', 8), name: 'workflow', kind: SpanKind.SERVER, startMs, endMs: startMs + 900, attributes: { 'gen_ai.framework': 'dify', 'acme.run': 'x' }, status: { code: 'ok' } },
      { traceId, spanId: seededHex('bad:unknown:child', 8), parentSpanId: seededHex('bad:unknown:root', 8), name: 'LLM', kind: SpanKind.INTERNAL, startMs: startMs + 10, endMs: startMs + 800, attributes: { 'gen_ai.framework': 'dify' } },
    ],
  };
  const c = finish({
    name: 'unknown-exporter', exporter: 'mixed', release: 'n/a', sources: ['(synthetic: no Dify exporter writes this shape)'],
    description: 'Spans that say gen_ai.framework=dify but match no known exporter shape (no Aliyun resource feature, no Phoenix root, no infra node/app keys): still listed with what is known (the issue asks for it), warning unknownExporter.',
    requests: [[batch]], runs: [], nodes: [], warnings: ['unknownExporter'],
  });
  // Listed with what the spans say: the service name, a `workflow` root that succeeded, no link.
  return { ...c, expected: { ...c.expected, runs: [{ traceId, appName: 'dify_app', kind: 'workflow', status: 'succeeded', linkedTraceIds: [] }] } };
};

const badLinkInvalid: CaseFactory = (startMs) => {
  const run = buildRun('bad:link-invalid', [S('start'), S('llm'), S('end')], { startMs, appName: APP });
  const r = phoenixWorkflow(run, { release: 'newest', difyTraceId: 'my-req-1' });
  return finish({
    name: 'phoenix-free-form-trace-id', exporter: 'phoenix', release: 'newest', sources: [...PHOENIX_SOURCES.newest, 'langgenius/dify:api/core/helper/trace_id_helper.py'],
    description: 'The client sent X-Trace-Id: my-req-1 (valid for get_external_trace_id, not an OTel trace id): dify_trace_id points nowhere a trace can be.',
    requests: [r.batches],
    runs: [{ run, traceId: r.traceId, appName: APP, linked: [], ids: { workflowRunId: true }, tokens: { total: run.tokens.total } }],
    nodes: r.nodes, warnings: ['linkInvalid'],
  });
};

const badDuplicateRun: CaseFactory = (startMs) => {
  const run = buildRun('bad:duplicate', [S('start'), S('llm'), S('end')], { startMs, appName: APP });
  const first = aliyunWorkflow(run, { serviceName: APP });
  // A second export of the same run (Celery retry of process_trace_tasks): same deterministic ids, re-sent.
  return finish({
    name: 'aliyun-duplicate-run-id', exporter: 'aliyun', release: 'newest', sources: [...ALIYUN_SOURCES.new, 'langgenius/dify:api/tasks/ops_trace_task.py'],
    description: 'The same run exported twice (trace id = workflow_run_id, span ids from SHA-256): two requests claim one run id; one run is kept.',
    requests: [first.batches, first.batches],
    runs: [{ run, traceId: first.traceId, appName: APP, linked: [run.infraTraceId], ids: { workflowRunId: true } }],
    nodes: first.nodes, warnings: ['linkedTraceMissing', 'duplicateRunId'],
  });
};

const badRejectedSpans: CaseFactory = (startMs) => {
  const run = buildRun('bad:rejected', [S('start'), S('end')], { startMs, appName: APP });
  const r = aliyunWorkflow(run, { serviceName: APP });
  const broken: Batch = { ...r.batches[0]!, spans: [{ ...r.batches[0]!.spans[1]!, spanId: '0000000000000000', name: 'End (broken id)' }] };
  return finish({
    name: 'aliyun-rejected-span', exporter: 'aliyun', release: 'newest', sources: ALIYUN_SOURCES.new,
    description: 'One span arrives with an all-zero span id (rejected by the receiver); the rest of the run is kept.',
    requests: [r.batches, [broken]],
    runs: [{ run, traceId: r.traceId, appName: APP, linked: [run.infraTraceId], ids: { workflowRunId: true } }],
    nodes: r.nodes, warnings: ['linkedTraceMissing', 'rejectedSpans'],
  });
};

const lateAppHalf: CaseFactory = (startMs) => {
  const run = buildRun('mixed:late-app', [S('start'), S('llm'), fail('tool', E.pluginInvokeFriendly, { title: 'Get Weather' })], { startMs, appName: APP });
  const app = aliyunWorkflow(run, { serviceName: APP });
  const infra = infraRequest(run);
  // the Celery ops_trace worker exports seconds later; its own task span is another trace
  return finish({
    name: 'aliyun-late-app-half', exporter: 'mixed', release: 'newest', sources: [...ALIYUN_SOURCES.new, ...INFRA_SOURCES, 'langgenius/dify:api/tasks/ops_trace_task.py'],
    description: 'Infra half (request trace) arrives first; the Aliyun app half arrives in a later request from the ops_trace worker, with the Celery task spans.',
    requests: [[...infra.batches, ...daemonBatch(infra.traceId, infra.calls, run.tenantId)], [...celeryOpsTrace('mixed:late-app', run.endMs + 4100), ...app.batches]],
    runs: [{ run, traceId: app.traceId, appName: APP, linked: [run.infraTraceId], ids: { workflowRunId: true } }],
    nodes: [...app.nodes, ...infra.nodes],
  });
};

export const otherCases: Record<string, Record<string, CaseFactory>> = {
  langfuse: {
    'ingestion-api-no-otlp': langfuseIngestion,
    'native-workflow-ok': lf('native-workflow-ok', 'Native OTLP export: Workflow root + node observations; node type in langfuse.observation.metadata.node_type; LLM node as generation', [S('start'), S('knowledge-retrieval'), S('llm'), S('code'), S('tool', { title: 'Get Weather' }), S('end')]),
    'native-llm-connection-error': lf('native-llm-connection-error', 'Native export: LLM node fails (InvokeConnectionError): level ERROR + status_message + span status ERROR', [S('start'), fail('llm', E.llmConnection)]),
    'native-code-error': lf('native-code-error', 'Native export: JS code node fails in the sandbox', [S('start'), fail('code', E.sandboxJs, { codeLanguage: 'javascript' })]),
    'native-partial-handled-error': lf('native-partial-handled-error', 'Native export: handled exception = dify.span.status handled_error, level DEFAULT, no ERROR status (failing node from metadata)', [S('start'), { type: 'http-request', title: 'Fetch Order', status: 'exception', error: E.httpStatus }, S('end')]),
    'native-iteration': lf('native-iteration', 'Native export: iteration body observations are children of the iteration observation', [S('start'), S('iteration', { rounds: [[S('iteration-start'), S('template-transform')], [S('iteration-start'), S('template-transform')]] }), S('end')]),
  },
  langsmith: { 'rest-runs-no-otlp': langsmithNone },
  infrastructure: {
    'workflow-request-ok': infraOnly('workflow-request-ok', 'API request trace of a workflow run: Flask, generate/runner decorator spans, node spans (node.id/node.execution_id/node.type), HTTPX to daemon & sandbox, SQLAlchemy, Redis', [S('start'), S('llm'), S('knowledge-retrieval'), S('tool', { title: 'Get Weather' }), S('code'), S('end')]),
    'chatflow-request-ok': infraOnly('chatflow-request-ok', 'Advanced-chat request (POST /v1/chat-messages, AdvancedChatAppRunner)', [S('start'), S('llm'), S('answer')], { kind: 'chatflow' }),
    'sandbox-503': infraOnly('sandbox-503', 'Code node: HTTPX POST /v1/sandbox/run answered 503 -> client span ERROR (node span stays OK)', [S('start'), fail('code', E.sandboxUnavailable)], { httpStatus: { code: 503 } }),
    'daemon-500': infraOnly('daemon-500', 'LLM node: plugin daemon answered 500 -> HTTPX span ERROR', [S('start'), fail('llm', E.pluginDaemonUnavailable)], { httpStatus: { llm: 500 } }),
    'old-no-node-spans': infraOnly('old-no-node-spans', 'Older releases (no ObservabilityLayer): request spans with dify.app_id but no node spans', [S('start'), S('llm'), S('end')], { nodeSpans: false, release: '1.9' }),
    'celery-ops-trace-task': (startMs: number): CorpusCase => finish({
      name: 'celery-ops-trace-task', exporter: 'infrastructure', release: 'newest', sources: ['langgenius/dify:api/core/ops/ops_trace_manager.py', 'langgenius/dify:api/tasks/ops_trace_task.py'],
      description: 'The ops_trace hand-off on its own: apply_async (API timer thread, new trace) -> run (worker, queue ops_trace) failing; no Dify run identity.',
      requests: [celeryOpsTrace('infra:celery', startMs, 'LangFuse Failed to create trace: status_code: 401, body: {"message":"Invalid credentials"}')], runs: [], nodes: [],
    }),
  },
  pluginDaemon: {
    'python-env-install-deps-failed': daemonSetupFailure,
    'python-env-setup-ok': daemonSetupOk,
    'gin-spans-without-api-half': daemonOrphanGin,
  },
  mixed: {
    'aliyun-linked-tool-error': mixedAliyun('aliyun-linked-tool-error', 'Aliyun app half + infra half (node spans, HTTPX, daemon gin) present: Trace Link joined; the plugin error is only in the app half (HTTP 200 stream)', [S('start'), S('llm'), fail('tool', E.pluginInvokeFriendly, { title: 'Get Weather' })]),
    'aliyun-linked-daemon-500': mixedAliyun('aliyun-linked-daemon-500', 'Both halves; the daemon answered 500: root cause is the gin span (deepest ERROR, infra half)', [S('start'), fail('llm', E.pluginDaemonUnavailable)], { httpStatus: { llm: 500 }, order: 'app-first' }),
    'aliyun-linked-ok': mixedAliyun('aliyun-linked-ok', 'Both halves of a succeeded run, app half first', [S('start'), S('knowledge-retrieval'), S('llm'), S('code'), S('end')], { order: 'app-first' }),
    'aliyun-late-app-half': lateAppHalf,
    'phoenix-linked-ok': mixedPhoenix('phoenix-linked-ok', 'Phoenix newest + infra half: dify_trace_id = infra trace id', [S('start'), S('llm'), S('tool', { title: 'Get Weather' }), S('end')]),
    'langfuse-same-trace-id': lf('langfuse-same-trace-id', 'Langfuse native export with external_trace_id = infra trace id: both halves share one trace id', [S('start'), S('llm'), fail('code', E.sandboxFd3)], true),
    'langfuse-late-app-half': lf('langfuse-late-app-half', 'As langfuse-same-trace-id, but the Langfuse half arrives after the infra half', [S('start'), S('llm'), S('end')], true, true),
    'aliyun-deterministic-ids': (startMs: number): CorpusCase => {
      const c = mixedAliyun('aliyun-deterministic-ids', 'Deterministic ids: app trace id = workflow_run_id hex, span ids = SHA-256(uuid.hex-type)[:8]; infra half present', [S('start'), S('llm'), S('end')])(startMs);
      if (c.expected.runs[0]!.traceId !== aliyunTraceId(c.expected.runs[0]!.workflowRunId!)) throw new Error('trace id is not the run id');
      return c;
    },
  },
  bad: {
    'aliyun-missing-keys': badMissingKeys,
    'unknown-exporter': badUnknownExporter,
    'phoenix-free-form-trace-id': badLinkInvalid,
    'aliyun-duplicate-run-id': badDuplicateRun,
    'aliyun-rejected-span': badRejectedSpans,
  },
};
