/**
 * Langfuse. Two facts from source decide what an OTLP receiver can see:
 * 1. Dify's LangFuseDataTrace (langgenius/dify:api/providers/trace/trace-langfuse/src/dify_trace_langfuse/langfuse_trace.py,
 *    the version that builds `Langfuse(..., tracer_provider=TracerProvider(resource={"service.name": "dify-langfuse-app-trace"}))`)
 *    sends every trace/span/generation through `langfuse_client.api.ingestion.batch` — Langfuse's REST ingestion API
 *    (trace-create / span-create / generation-create events). The isolated TracerProvider exists only so the v3 SDK's
 *    span processor does not capture Dify's infra spans; no span is ever started on it. So no OTLP is sent.
 * 2. The later native exporter (LangfuseTraceClient in the same file, with api/core/ops/provider_export.py,
 *    api/core/ops/trace_data.py, api/core/ops/workflow_trace.py) builds spans with the Langfuse SDK's own attribute
 *    serialisers (langfuse/langfuse-python: langfuse/_client/attributes.py create_span_attributes /
 *    create_generation_attributes, span_processor.py + propagation.py for user.id/session.id/langfuse.trace.name/
 *    langfuse.version/langfuse.trace.metadata.*) on a private TracerProvider (resource service.name=dify, tracer
 *    "langfuse-sdk") and POSTs OTLP/protobuf to {host}/api/public/otel/v1/traces. That is the shape rendered here.
 */
import { pyStr } from '../../demo/pyJson';
import { createHash } from 'node:crypto';
import type { ExpectedNode } from '../corpusCase';
import { SpanKind, type Attrs, type Batch, type SpanSpec } from '../otlpJson';
import type { Json, NodeExec, RunRec } from '../runModel';
import type { Rendered } from './aliyun';
import { pyDumps } from './phoenix';

export const LANGFUSE_SOURCES = [
  'langgenius/dify:api/providers/trace/trace-langfuse/src/dify_trace_langfuse/langfuse_trace.py',
  'langgenius/dify:api/core/ops/provider_export.py',
  'langgenius/dify:api/core/ops/trace_data.py',
  'langgenius/dify:api/core/ops/workflow_trace.py',
  'langfuse/langfuse-python:langfuse/_client/attributes.py',
  'langfuse/langfuse-python:langfuse/_client/propagation.py',
  'langfuse/langfuse-python:langfuse/_client/span_processor.py',
] as const;

/** uuid.uuid5(uuid.NAMESPACE_URL, name). */
export function uuid5Url(name: string): string {
  const ns = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');
  const h = createHash('sha1').update(Buffer.concat([ns, Buffer.from(name, 'utf8')])).digest().subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** trace_data.py make_trace_id / make_span_id. */
const makeTraceId = (tenant: string, op: string): string => uuid5Url(`dify:trace:${tenant}:${op}`);
const makeSpanId = (tenant: string, op: string, exec: string): string => uuid5Url(`dify:span:${tenant}:${op}:${exec}`);
/** provider_export.py export_span_id + span_id_bytes: first 8 bytes of uuid5(URL, "{tenant}/{op}/{span_id}"). */
const exportSpanId = (tenant: string, op: string, spanId: string): string => uuid5Url(`${tenant}/${op}/${spanId}`).replaceAll('-', '').slice(0, 16);

/** workflow_trace.py _node_span_type. */
const spanType = (t: string): string => ({ llm: 'llm', tool: 'tool', 'knowledge-retrieval': 'retrieval', agent: 'agent' })[t] ?? 'node';
/** TraceSpan.status from the node status. */
const spanStatus = (s: NodeExec['status']): string => ({ succeeded: 'ok', failed: 'error', exception: 'handled_error', stopped: 'cancelled' })[s];

/** attributes.py _flatten_and_serialize_metadata: str/int as they are, everything else json.dumps. */
function flatMetadata(meta: Record<string, Json | undefined>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (v === undefined || v === null) continue; // span_attributes drops None before the SDK sees it
    out[`langfuse.observation.metadata.${k}`] = typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)) ? v : pyDumps(v);
  }
  return out;
}

export interface LangfuseOptions {
  /** completed_trace.source.external_trace_id: the Langfuse trace id becomes it (32-hex of the infra trace). */
  readonly externalTraceId?: string;
}

function uuidFromHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** LangfuseTraceClient.export_trace for a workflow run (operation_id = workflow_run_id). */
export function langfuseWorkflow(run: RunRec, o: LangfuseOptions = {}): Rendered {
  const op = run.workflowRunId!;
  const traceId = o.externalTraceId ?? makeTraceId(run.tenantId, op).replaceAll('-', '');
  const rootSpanId = makeSpanId(run.tenantId, op, 'root');
  const rootAttrs: Record<string, Json> = { app_name: run.appName, workspace_name: "Corpus's Workspace", triggered_from: 'app-run', invoke_from: 'service-api' };
  const version = '2026-02-11 08:14:09.117204';
  const rootStatus = run.status === 'failed' ? 'error' : run.status === 'stopped' ? 'cancelled' : 'ok';
  const common = (): Attrs => ({
    'user.id': run.userId,
    ...(run.conversationId ? { 'session.id': run.conversationId } : {}),
    'langfuse.trace.name': 'Workflow',
    'langfuse.version': version,
    'langfuse.trace.metadata.dify.tenant_id': run.tenantId,
  });
  const difyAttrs = (sid: string, name: string, type: string, status: string, extra: Record<string, Json | undefined>): Record<string, Json | undefined> => ({
    ...rootAttrs,
    ...extra,
    'dify.tenant_id': run.tenantId,
    'dify.app_id': run.appId,
    'dify.workflow.id': run.workflowId,
    'dify.workflow.version': version,
    'dify.workflow.run_id': run.workflowRunId!,
    'dify.span.id': sid,
    'dify.span.name': name,
    'dify.span.type': type,
    'dify.span.status': status,
    'dify.trace.complete': true,
    'dify.trace.truncation': {},
    'dify.trace.links': [],
    ...(o.externalTraceId ? { 'dify.external_trace_id': uuidFromHex(o.externalTraceId) } : {}),
    'dify.user.id': run.userId,
    'dify.events': [],
  });
  const spans: SpanSpec[] = [];
  const rootOtelId = exportSpanId(run.tenantId, op, rootSpanId);
  spans.push({
    traceId, spanId: rootOtelId, name: 'Workflow', kind: SpanKind.INTERNAL, startMs: run.startMs, endMs: run.endMs,
    attributes: {
      'langfuse.observation.type': 'span',
      'langfuse.observation.level': rootStatus === 'ok' ? 'DEFAULT' : 'ERROR',
      ...(run.error ? { 'langfuse.observation.status_message': run.error } : {}),
      'langfuse.observation.input': pyDumps(run.inputs),
      'langfuse.observation.output': pyDumps(run.outputs),
      ...flatMetadata(difyAttrs(rootSpanId, 'Workflow', 'workflow', rootStatus, { 'dify.inputs': run.inputs, 'dify.outputs': run.outputs, 'dify.usage': {}, ...(run.error ? { 'error.message': run.error } : {}) })),
      ...common(),
      'langfuse.internal.is_app_root': true,
    },
    status: rootStatus === 'ok' ? undefined : { code: 'error', message: run.error },
  });
  const nodes: ExpectedNode[] = [];
  const otelByExec = new Map<string, string>();
  for (const n of run.nodes) {
    const sid = makeSpanId(run.tenantId, op, n.executionId);
    const otelId = exportSpanId(run.tenantId, op, sid);
    otelByExec.set(n.executionId, otelId);
    const st = spanStatus(n.status);
    const type = spanType(n.type);
    const usage = (n.processData?.['usage'] ?? {}) as Record<string, Json>;
    const attrs: Record<string, string | number | boolean> = {
      'langfuse.observation.type': type === 'llm' ? 'generation' : 'span',
      'langfuse.observation.level': st === 'error' ? 'ERROR' : 'DEFAULT',
      ...(n.error ? { 'langfuse.observation.status_message': n.error.text } : {}),
      'langfuse.observation.input': pyDumps(n.type === 'llm' ? (n.processData?.['prompts'] ?? []) : n.inputs),
      'langfuse.observation.output': pyDumps(n.outputs),
      ...flatMetadata(difyAttrs(sid, n.title, type, st, {
        node_type: n.type,
        node_version: '1',
        'dify.node.execution_id': n.executionId,
        'dify.node.id': n.nodeId,
        'dify.node.attempt': 0,
        'dify.inputs': n.inputs,
        'dify.outputs': n.outputs ?? undefined,
        'dify.usage': n.type === 'llm' ? (usage) : {},
        ...(n.error ? { 'error.message': n.error.text } : {}),
      })),
      ...(common() as Record<string, string>),
    };
    if (type === 'llm') {
      attrs['langfuse.observation.model.name'] = pyStr(n.processData?.['model_name'] ?? '');
      attrs['langfuse.observation.usage_details'] = pyDumps({ input: usage['prompt_tokens'] ?? 0, output: usage['completion_tokens'] ?? 0, total: usage['total_tokens'] ?? 0 });
      attrs['langfuse.observation.cost_details'] = pyDumps({ total: Number(usage['total_price'] ?? 0) });
    }
    const parent = n.container ? otelByExec.get(n.container.executionId) ?? rootOtelId : rootOtelId;
    spans.push({
      traceId, spanId: otelId, parentSpanId: parent, name: n.title, kind: SpanKind.INTERNAL, startMs: n.startMs, endMs: n.endMs, attributes: attrs,
      status: st === 'error' ? { code: 'error', message: n.error?.text ?? '' } : undefined,
    });
    nodes.push({
      traceId, spanId: otelId, nodeType: n.type, title: n.title,
      ...(n.error?.codeLanguage ? { codeLanguage: n.error.codeLanguage } : {}),
    });
  }
  const batch: Batch = {
    resource: { 'service.name': 'dify' },
    scope: { name: 'langfuse-sdk', version: '4.14.3', attributes: { public_key: 'pk-lf-corpus-0001' } },
    spans,
  };
  return { batches: [batch], traceId, nodes };
}
