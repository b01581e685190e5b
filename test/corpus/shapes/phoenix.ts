/**
 * Arize Phoenix / OpenInference exporter shape (real OTel SDK, SimpleSpanProcessor, OTLP/HTTP to Phoenix).
 * Newest: langgenius/dify:api/providers/trace/trace-arize-phoenix/src/dify_trace_arize_phoenix/arize_phoenix_trace.py;
 * 1.x: api/core/ops/arize_phoenix_trace/arize_phoenix_trace.py. Facts: dify-traces.md §3.2 and the newest file itself.
 */
import { pyStr } from '../../demo/pyJson';
import { seededHex } from '../../demo/ids';
import type { ExpectedNode } from '../corpusCase';
import { SpanKind, type Attrs, type Batch, type SpanSpec } from '../otlpJson';
import type { Json, RunRec } from '../runModel';
import type { Rendered } from './aliyun';

export type PhoenixRelease = '1.x' | 'newest';
export const PHOENIX_SOURCES = {
  newest: ['langgenius/dify:api/providers/trace/trace-arize-phoenix/src/dify_trace_arize_phoenix/arize_phoenix_trace.py'],
  '1.x': ['langgenius/dify:api/core/ops/arize_phoenix_trace/arize_phoenix_trace.py'],
} as const;

const PROJECT = 'dify-order-support';
/** setup_tracer: Resource(attributes=...) with only these two keys; tracer name arize_phoenix_tracer_{project}. */
const resource: Attrs = { 'openinference.project.name': PROJECT, model_id: PROJECT };
const scope = { name: `arize_phoenix_tracer_${PROJECT}` };

/** safe_json_dumps = json.dumps(obj, default=str, ensure_ascii=False): ", " / ": " separators. */
export function pyDumps(v: Json | undefined): string {
  if (v === undefined || v === null) return 'null';
  if (Array.isArray(v)) return `[${(v as Json[]).map(pyDumps).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pyDumps(x)}`).join(', ')}}`;
  return JSON.stringify(v);
}

/** set_span_status: ERROR(error string) + an `exception` event built from the string (type "str"). */
function errorStatus(text: string | null | undefined, atMs: number): Pick<SpanSpec, 'status' | 'events'> {
  if (!text) return { status: { code: 'ok' } };
  return {
    status: { code: 'error', message: text },
    events: [{ name: 'exception', timeMs: atMs, attributes: { 'exception.type': 'str', 'exception.message': text, 'exception.escaped': false, 'exception.stacktrace': text } }],
  };
}

const KIND: Readonly<Record<string, string>> = { llm: 'LLM', 'knowledge-retrieval': 'RETRIEVER', tool: 'TOOL', agent: 'AGENT' };

export interface PhoenixOptions {
  readonly release: PhoenixRelease;
  /** trace_info.trace_id (external / infra id) — becomes dify_trace_id; default: the run's infra trace id. null = not set. */
  readonly difyTraceId?: string | null;
  /** Export time of the synthetic root (it starts and ends when the exporter runs, after the run). */
  readonly exportDelayMs?: number;
}

/**
 * workflow_trace: synthetic root (newest: named workflow_run_id, 1.x: `Dify`) with dify_project_name/dify_trace_id ->
 * workflow span (`workflow_{run_id}` / `workflow`) -> node spans (`{node_type}_{title}` / `{node_type}`).
 * Newest parents nodes by predecessor graph edges and adds `loop[i]`/`iteration[i]` wrapper spans.
 */
export function phoenixWorkflow(run: RunRec, o: PhoenixOptions): Rendered & { readonly difyTraceId: string } {
  const newest = o.release === 'newest';
  const traceId = seededHex(`${run.seed}:phoenix-trace`, 16);
  const id = (k: string): string => seededHex(`${run.seed}:phoenix:${k}`, 8);
  const difyTraceId = o.difyTraceId === undefined ? run.infraTraceId : (o.difyTraceId ?? run.workflowRunId!);
  const exportAt = run.endMs + (o.exportDelayMs ?? 3180);
  const session = run.conversationId ?? (newest ? run.workflowRunId! : '');
  const spans: SpanSpec[] = [];
  const rootId = id('root');
  const wfIo = {
    'input.value': pyDumps(run.inputs), 'input.mime_type': 'application/json',
    'output.value': pyDumps(run.outputs), 'output.mime_type': 'application/json',
    'session.id': session,
  };
  spans.push({
    traceId, spanId: rootId, name: newest ? run.workflowRunId! : 'Dify', kind: SpanKind.INTERNAL, startMs: exportAt, endMs: exportAt + 0.2,
    attributes: { 'openinference.span.kind': 'CHAIN', dify_project_name: PROJECT, dify_trace_id: difyTraceId, ...(newest ? wfIo : {}) },
    ...(newest ? errorStatus(run.error, exportAt + 0.1) : {}),
  });
  const wfMeta: Record<string, Json> = {
    workflow_id: run.workflowId, conversation_id: run.conversationId ?? '', workflow_run_id: run.workflowRunId!, tenant_id: run.tenantId,
    elapsed_time: (run.endMs - run.startMs) / 1000, status: run.status, version: '2026-02-11 08:14:09.117204', total_tokens: run.tokens.total,
    file_list: [], triggered_from: 'app-run', user_id: run.userId, app_id: run.appId, app_name: run.appName, workspace_name: "Corpus's Workspace",
    created_from: 'Dify', trace_id: o.difyTraceId === null ? '' : difyTraceId, message_id: run.messageId ?? '', status_message: run.error,
    level: run.error ? 'ERROR' : 'DEFAULT',
    ...(newest ? { trace_entity_type: 'workflow', workflow_app_log_id: '', workflow_run_elapsed_time: (run.endMs - run.startMs) / 1000, workflow_run_version: '2026-02-11 08:14:09.117204', query: run.query } : {}),
  };
  const wfId = id('workflow');
  spans.push({
    traceId, spanId: wfId, parentSpanId: rootId, name: newest ? `workflow_${run.workflowRunId}` : 'workflow', kind: SpanKind.INTERNAL,
    startMs: run.startMs, endMs: run.endMs,
    attributes: { 'openinference.span.kind': 'CHAIN', ...wfIo, metadata: pyDumps(wfMeta) },
    ...errorStatus(run.error, run.endMs),
  });
  const byNodeId = new Map<string, string>();
  const execSpan = new Map<string, string>();
  for (const n of run.nodes) {
    if (!n.container) byNodeId.set(n.nodeId, n.executionId);
  }
  const wrappers = new Map<string, SpanSpec>();
  const nodes: ExpectedNode[] = [];
  for (const n of run.nodes) {
    const spanId = id(`node:${n.executionId}`);
    execSpan.set(n.executionId, spanId);
    let parent = wfId;
    if (newest) {
      if (n.container) {
        const wkey = `${n.container.type}[${n.container.index}]`;
        let w = wrappers.get(wkey);
        if (!w) {
          const members = run.nodes.filter((m) => m.container?.executionId === n.container!.executionId && m.container.index === n.container!.index);
          const failed = members.some((m) => m.status === 'failed');
          w = {
            traceId, spanId: id(`wrapper:${wkey}`), parentSpanId: execSpan.get(n.container.executionId), name: wkey, kind: SpanKind.INTERNAL,
            startMs: Math.min(...members.map((m) => m.startMs)), endMs: Math.max(...members.map((m) => m.endMs)),
            attributes: {
              'openinference.span.kind': 'CHAIN',
              metadata: pyDumps({ synthetic: true, wrapper_type: n.container.type, wrapper_index: pyStr(n.container.index), container_execution_id: n.container.executionId }),
              'session.id': session,
              'dify.wrapper.synthetic': true,
              'dify.wrapper.type': n.container.type,
              'dify.wrapper.index': pyStr(n.container.index),
              'dify.wrapper.container_execution_id': n.container.executionId,
            },
            ...errorStatus(failed ? 'wrapper child failed' : null, Math.max(...members.map((m) => m.endMs))),
          };
          wrappers.set(wkey, w);
          spans.push(w);
        }
        parent = w.spanId;
      } else if (n.predecessorNodeId && byNodeId.has(n.predecessorNodeId)) {
        parent = execSpan.get(byNodeId.get(n.predecessorNodeId)!) ?? wfId;
      }
    }
    const failed = n.status === 'failed' || (newest && n.status === 'exception');
    const meta: Record<string, Json> = {
      ...n.metadata,
      node_id: n.executionId, node_type: n.type, node_status: n.status, tenant_id: run.tenantId, app_id: run.appId, app_name: n.title,
      status: n.status, level: n.status === 'failed' ? 'ERROR' : 'DEFAULT',
      ...(newest ? {
        status_message: n.error?.text ?? '',
        loop_id: (n.metadata['loop_id'] as Json) ?? null, loop_index: (n.metadata['loop_index'] as Json) ?? null,
        iteration_id: (n.metadata['iteration_id'] as Json) ?? null, iteration_index: (n.metadata['iteration_index'] as Json) ?? null,
      } : {}),
    };
    const attrs: Record<string, string | number | boolean> = {
      'openinference.span.kind': newest ? (KIND[n.type] ?? 'CHAIN') : n.type === 'knowledge-retrieval' || n.type === 'agent' ? 'CHAIN' : (KIND[n.type] ?? 'CHAIN'),
      'input.value': pyDumps(n.inputs), 'input.mime_type': 'application/json',
      'output.value': pyDumps(n.outputs ?? {}), 'output.mime_type': 'application/json',
      metadata: pyDumps(meta),
      'session.id': session,
    };
    if (newest) {
      Object.assign(attrs, {
        'dify.node.execution_id': n.executionId,
        'dify.node.loop_id': pyStr(n.metadata['loop_id'] ?? ''),
        'dify.node.loop_index': (n.metadata['loop_index'] as number | undefined) ?? '',
        'dify.node.iteration_id': pyStr(n.metadata['iteration_id'] ?? ''),
        'dify.node.iteration_index': (n.metadata['iteration_index'] as number | undefined) ?? '',
      });
    }
    if (n.type === 'llm' && n.processData) {
      const pd = n.processData;
      const usage = (pd['usage'] ?? {}) as Record<string, number>;
      attrs['input.value'] = pyDumps(pd['prompts']); // json.dumps(process_data['prompts'], ensure_ascii=False)
      attrs['llm.provider'] = pyStr(pd['model_provider']);
      attrs['llm.model_name'] = pyStr(pd['model_name']);
      attrs['llm.token_count.total'] = usage['total_tokens'] ?? 0;
      attrs['llm.token_count.prompt'] = usage['prompt_tokens'] ?? 0;
      attrs['llm.token_count.completion'] = usage['completion_tokens'] ?? 0;
      ((pd['prompts'] ?? []) as Array<Record<string, string>>).forEach((p, i) => {
        attrs[`llm.input_messages.${i}.message.role`] = p['role'] ?? 'user';
        attrs[`llm.input_messages.${i}.message.content`] = p['text'] ?? '';
      });
    }
    const nameTitle = n.title.trim();
    spans.push({
      traceId, spanId, parentSpanId: parent, name: newest ? (nameTitle ? `${n.type}_${nameTitle}` : n.type) : n.type, kind: SpanKind.INTERNAL,
      startMs: n.startMs, endMs: n.endMs, attributes: attrs,
      ...errorStatus(failed ? (n.error?.text ?? '') : null, n.endMs),
    });
    nodes.push({
      traceId, spanId, nodeType: n.type, title: n.title,
      ...(n.container?.type === 'iteration' ? { iterationIndex: n.container.index } : {}),
      ...(n.container?.type === 'loop' ? { loopIndex: n.container.index } : {}),
      ...(n.pluginId ? { pluginId: n.pluginId } : {}),
      ...(n.error?.codeLanguage ? { codeLanguage: n.error.codeLanguage } : {}),
    });
  }
  const batch: Batch = { resource, scope, spans };
  return { batches: [batch], traceId, nodes, difyTraceId };
}

/** message_trace (chat apps): root `Dify` -> `message` (CHAIN, text I/O) -> `llm` (LLM). */
export function phoenixMessage(run: RunRec, o: PhoenixOptions): Rendered & { readonly difyTraceId: string } {
  const traceId = seededHex(`${run.seed}:phoenix-trace`, 16);
  const id = (k: string): string => seededHex(`${run.seed}:phoenix:${k}`, 8);
  const difyTraceId = o.difyTraceId === undefined ? run.infraTraceId : (o.difyTraceId ?? run.messageId!);
  const exportAt = run.endMs + (o.exportDelayMs ?? 2950);
  const answer = pyStr(run.outputs['answer'] ?? '');
  const meta = {
    conversation_id: run.conversationId ?? '', ls_provider: run.model.provider, ls_model_name: run.model.name, status: run.error ? 'error' : 'normal',
    from_end_user_id: run.userId, from_account_id: null, agent_based: run.kind === 'agent', workflow_run_id: null, from_source: 'api',
    message_id: run.messageId!, tenant_id: run.tenantId, app_id: run.appId, user_id: run.userId, app_name: run.appName,
    created_from: 'Dify', trace_id: difyTraceId, status_message: run.error, level: run.error ? 'ERROR' : 'DEFAULT',
    conversation_model: run.kind === 'completion' ? 'completion' : 'chat', message_tokens: run.tokens.prompt, answer_tokens: run.tokens.completion,
    total_tokens: run.tokens.total, conversation_mode: run.kind === 'agent' ? 'agent-chat' : run.kind,
  } as const;
  const rootId = id('root');
  const msgId = id('message');
  const spans: SpanSpec[] = [
    { traceId, spanId: rootId, name: 'Dify', kind: SpanKind.INTERNAL, startMs: exportAt, endMs: exportAt + 0.2,
      attributes: { 'openinference.span.kind': 'CHAIN', dify_project_name: PROJECT, dify_trace_id: difyTraceId }, status: { code: 'ok' } },
    { traceId, spanId: msgId, parentSpanId: rootId, name: 'message', kind: SpanKind.INTERNAL, startMs: run.startMs, endMs: run.endMs,
      attributes: { 'openinference.span.kind': 'CHAIN', 'input.value': run.query, 'input.mime_type': 'text/plain', 'output.value': answer, 'output.mime_type': 'text/plain', metadata: pyDumps(meta), 'session.id': run.conversationId ?? '' },
      ...errorStatus(run.error, run.endMs) },
    { traceId, spanId: id('llm'), parentSpanId: msgId, name: 'llm', kind: SpanKind.INTERNAL, startMs: run.startMs, endMs: run.endMs,
      attributes: {
        'openinference.span.kind': 'LLM', 'input.value': pyDumps(run.inputs), 'input.mime_type': 'application/json', 'output.value': answer, 'output.mime_type': 'text/plain',
        metadata: pyDumps(meta), 'session.id': run.conversationId ?? '',
        'llm.input_messages.0.message.content': pyDumps(run.inputs), 'llm.input_messages.0.message.role': 'user',
        ...(run.tokens.total > 0 ? { 'llm.token_count.total': run.tokens.total, 'llm.token_count.prompt': run.tokens.prompt, 'llm.token_count.completion': run.tokens.completion } : {}),
        'llm.model_name': run.model.name, 'llm.provider': run.model.provider,
      },
      ...errorStatus(run.error, run.endMs) },
  ];
  return { batches: [{ resource, scope, spans }], traceId, nodes: [], difyTraceId };
}
