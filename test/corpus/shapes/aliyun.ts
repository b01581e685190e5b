/**
 * Alibaba Cloud (Aliyun ARMS) exporter shape: the finished ReadableSpans Dify builds after the run in the
 * Celery ops_trace worker. Newest: langgenius/dify:api/providers/trace/trace-aliyun/src/dify_trace_aliyun/
 * (aliyun_trace.py, utils.py, entities/semconv.py, data_exporter/traceclient.py); <=1.9: api/core/ops/aliyun_trace/.
 * Facts: src/dify/difyNames.ts (Aliyun section), and the sources it names.
 */
import { aliyunSpanId, aliyunTraceId, seededHex } from '../../demo/ids';
import { pyJson, pyStr } from '../../demo/pyJson';
import type { ExpectedNode } from '../corpusCase';
import { SpanKind, type Attrs, type Batch, type SpanLinkSpec, type SpanSpec } from '../otlpJson';
import type { Json, NodeExec, RunRec } from '../runModel';

export type AliyunSemconv = 'new' | 'old';
export interface AliyunOptions {
  readonly semconv?: AliyunSemconv;
  /** Attach the Trace Link (trace_info.trace_id was set). Default true for the new semconv. */
  readonly link?: boolean;
  /** service.name = app_name of the app's Aliyun tracing config (default `dify_app`). */
  readonly serviceName?: string;
  /** Drop these attribute keys from every span (bad-input cases). */
  readonly dropKeys?: readonly string[];
}

export const ALIYUN_SOURCES = {
  new: [
    'langgenius/dify:api/providers/trace/trace-aliyun/src/dify_trace_aliyun/aliyun_trace.py',
    'langgenius/dify:api/providers/trace/trace-aliyun/src/dify_trace_aliyun/utils.py',
    'langgenius/dify:api/providers/trace/trace-aliyun/src/dify_trace_aliyun/entities/semconv.py',
    'langgenius/dify:api/providers/trace/trace-aliyun/src/dify_trace_aliyun/data_exporter/traceclient.py',
  ],
  old: [
    'langgenius/dify:api/core/ops/aliyun_trace/aliyun_trace.py',
    'langgenius/dify:api/core/ops/aliyun_trace/entities/semconv.py',
    'langgenius/dify:api/core/ops/aliyun_trace/data_exporter/traceclient.py',
  ],
} as const;

/** traceclient.py TraceClient.__init__: Resource(...) with exactly these keys; host.name is the Celery worker. */
function resource(o: AliyunOptions): Attrs {
  return {
    'service.name': o.serviceName ?? 'dify_app',
    'service.version': o.semconv === 'old' ? 'dify-1.7.1-5a3c2e8d1f0b4a6c9e7d2b1a0f3e5c7d9b8a6f4e' : 'dify-1.13.3-0055b983dc32deacc31351c13a555055ffc9b844',
    'deployment.environment': 'PRODUCTION-SELF_HOSTED',
    'host.name': 'docker-worker-1',
    'acs.arms.service.feature': 'genai_app',
  };
}
const scope = (o: AliyunOptions) => ({
  name: o.semconv === 'old' ? 'core.ops.aliyun_trace.data_exporter.traceclient' : 'dify_trace_aliyun.data_exporter.traceclient',
});

/** utils.py create_common_span_attributes. */
function common(run: RunRec, spanKind: string, input: string, output: string): Record<string, string> {
  return {
    'gen_ai.session.id': run.conversationId ?? '',
    'gen_ai.user.id': run.userId,
    'gen_ai.span.kind': spanKind,
    'gen_ai.framework': 'dify',
    'input.value': input,
    'output.value': output,
  };
}

const j = (v: Json | undefined): string => pyJson(v ?? null);

/** semconv.py: model/provider keys changed after 1.7 (gen_ai.model_name/gen_ai.system -> gen_ai.request.model/gen_ai.provider.name). */
function modelKeys(o: AliyunOptions, model: string, provider: string): Record<string, string> {
  return o.semconv === 'old' ? { 'gen_ai.model_name': model, 'gen_ai.system': provider } : { 'gen_ai.request.model': model, 'gen_ai.provider.name': provider };
}

/** aliyun_trace.py build_workflow_llm_span. */
function llmNodeAttrs(run: RunRec, n: NodeExec, o: AliyunOptions): Attrs {
  const pd = n.processData ?? {};
  const usage = (pd['usage'] ?? {}) as Record<string, Json>;
  const text = pyStr((n.outputs ?? {})['text'] ?? '');
  const prompts = j(pd['prompts']);
  const base = {
    ...common(run, 'LLM', prompts, text),
    ...modelKeys(o, pyStr(pd['model_name']), pyStr(pd['model_provider'])),
    'gen_ai.usage.input_tokens': pyStr(usage['prompt_tokens'] ?? 0),
    'gen_ai.usage.output_tokens': pyStr(usage['completion_tokens'] ?? 0),
    'gen_ai.usage.total_tokens': pyStr(usage['total_tokens'] ?? 0),
    'gen_ai.prompt': prompts,
    'gen_ai.completion': text,
  };
  if (o.semconv === 'old') return { ...base, 'gen_ai.prompt_template.template': prompts, 'gen_ai.prompt_template.variable': j(n.inputs) };
  const msgs = ((pd['prompts'] ?? []) as Array<Record<string, Json>>).map((p) => ({ role: p['role'] ?? '', parts: [{ type: 'text', content: p['text'] ?? '' }] }));
  return {
    ...base,
    'gen_ai.operation.name': 'chat',
    'gen_ai.response.finish_reason': pyStr((n.outputs ?? {})['finish_reason'] ?? ''),
    'gen_ai.input.messages': j(msgs),
    'gen_ai.output.messages': text === '' ? '[]' : j([{ role: 'assistant', parts: [{ type: 'text', content: text }], finish_reason: 'stop' }]),
  };
}

/** build_workflow_node_span dispatch: LLM / KNOWLEDGE_RETRIEVAL / TOOL / AGENT get their own builders, every other type a TASK span. */
function nodeAttrs(run: RunRec, n: NodeExec, o: AliyunOptions): Attrs {
  switch (n.type) {
    case 'llm':
      return llmNodeAttrs(run, n, o);
    case 'knowledge-retrieval': {
      const q = pyStr(n.inputs['query'] ?? n.inputs['input'] ?? '');
      return { ...common(run, 'RETRIEVER', q, j(n.outputs?.['result'] ?? [])), 'retrieval.query': q, 'retrieval.document': j(n.outputs?.['result'] ?? []) };
    }
    case 'tool':
      return {
        ...common(run, 'TOOL', j(n.inputs), j(n.outputs)),
        'tool.name': n.title,
        'tool.description': j(n.metadata['tool_info']),
        'tool.parameters': j(n.inputs),
      };
    case 'agent':
      if (o.semconv === 'old') return common(run, 'TASK', j(n.inputs), j(n.outputs));
      return { ...common(run, 'AGENT', j(n.inputs), j(n.outputs)), 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': n.title };
    default:
      return common(run, 'TASK', j(n.inputs), j(n.outputs));
  }
}

/** utils.py get_workflow_node_status: SUCCEEDED -> OK, FAILED/EXCEPTION -> ERROR(error), else UNSET. */
function nodeStatus(n: NodeExec): SpanSpec['status'] {
  if (n.status === 'succeeded') return { code: 'ok' };
  if (n.status === 'failed' || n.status === 'exception') return { code: 'error', message: n.error?.text ?? '' };
  return undefined;
}

/** utils.py create_links_from_trace_id: one link to (int(trace_id,16), INVALID_SPAN_ID). */
export function traceLink(infraTraceId: string): SpanLinkSpec {
  return { traceId: infraTraceId, spanId: '0000000000000000' };
}

/** Aliyun span-kind rule of the corpus: LLM->llm, RETRIEVER->knowledge-retrieval, TOOL->tool, AGENT->agent, TASK->task. */
export function aliyunNodeType(n: NodeExec, o: AliyunOptions): string {
  const kind = nodeAttrs({ conversationId: '', userId: '' } as unknown as RunRec, n, o)['gen_ai.span.kind'];
  return { LLM: 'llm', RETRIEVER: 'knowledge-retrieval', TOOL: 'tool', AGENT: 'agent' }[kind as string] ?? 'task';
}

function strip(attrs: Attrs, o: AliyunOptions): Attrs {
  if (!o.dropKeys) return attrs;
  return Object.fromEntries(Object.entries(attrs).filter(([k]) => !o.dropKeys!.includes(k)));
}

export interface Rendered {
  readonly batches: Batch[];
  readonly traceId: string;
  readonly nodes: ExpectedNode[];
}

/**
 * aliyun_trace.py workflow_trace: trace id = workflow_run_id; `message` root (chatflow, SERVER, span id
 * sha(message_id,"message")) -> `workflow` (sha(run,"workflow"), SERVER when root) -> one span per node
 * execution named by title (span id sha(node_execution.id,"node")), all flat under `workflow`.
 */
export function aliyunWorkflow(run: RunRec, o: AliyunOptions = {}): Rendered {
  const traceId = aliyunTraceId(run.workflowRunId!);
  const links = (o.link ?? o.semconv !== 'old') ? [traceLink(run.infraTraceId)] : undefined;
  const wfSpanId = aliyunSpanId(run.workflowRunId!, 'workflow');
  const spans: SpanSpec[] = [];
  const runStatus: SpanSpec['status'] = run.error ? { code: 'error', message: run.error } : { code: 'ok' };
  const wfAttrs: Record<string, string> = { ...common(run, 'CHAIN', j(run.inputs), j(run.outputs)) };
  let wfParent: string | undefined;
  if (run.messageId) {
    const msgId = aliyunSpanId(run.messageId, 'message');
    spans.push({
      traceId, spanId: msgId, name: 'message', kind: SpanKind.SERVER, startMs: run.startMs, endMs: run.endMs,
      attributes: strip({ ...common(run, 'CHAIN', run.query, pyStr(run.outputs['answer'] ?? '')), 'dify.app_id': run.appId }, o),
      status: runStatus, links,
    });
    wfParent = msgId;
  } else {
    wfAttrs['dify.app_id'] = run.appId;
  }
  spans.push({
    traceId, spanId: wfSpanId, parentSpanId: wfParent, name: 'workflow', kind: wfParent ? SpanKind.INTERNAL : SpanKind.SERVER,
    startMs: run.startMs, endMs: run.endMs, attributes: strip(wfAttrs, o), status: runStatus, links,
  });
  const nodes: ExpectedNode[] = [];
  for (const n of run.nodes) {
    const spanId = aliyunSpanId(n.executionId, 'node');
    spans.push({
      traceId, spanId, parentSpanId: wfSpanId, name: n.title, kind: SpanKind.INTERNAL, startMs: n.startMs, endMs: n.endMs,
      attributes: strip(nodeAttrs(run, n, o), o), status: nodeStatus(n), links,
    });
    nodes.push({
      traceId, spanId, nodeType: aliyunNodeType(n, o), title: n.title,
      ...(n.pluginId ? { pluginId: n.pluginId } : {}),
      ...(n.error?.codeLanguage ? { codeLanguage: n.error.codeLanguage } : {}),
    });
    if (n.type === 'agent' && o.semconv !== 'old') spans.push(...reactSteps(run, n, traceId, spanId, links));
  }
  return { batches: [{ resource: resource(o), scope: scope(o), spans }], traceId, nodes };
}

/**
 * Agent node (newest): ReAct spans from outputs.json agent log — step `ROUND n` (STEP, gen_ai.react.round) with
 * an LLM thought child whose model is parsed from the label. Random span ids (seeded here).
 */
function reactSteps(run: RunRec, n: NodeExec, traceId: string, parent: string, links: SpanLinkSpec[] | undefined): SpanSpec[] {
  const out: SpanSpec[] = [];
  const rounds = 2;
  const step = (n.endMs - n.startMs) / rounds;
  for (let r = 1; r <= rounds; r++) {
    const s0 = n.startMs + (r - 1) * step + 3;
    const last = r === rounds;
    const failed = last && n.status !== 'succeeded';
    const stepId = seededHex(`${run.seed}:${n.key}:round${r}`, 8);
    out.push({
      traceId, spanId: stepId, parentSpanId: parent, name: `ROUND ${r}`, kind: SpanKind.INTERNAL, startMs: s0, endMs: s0 + step - 6,
      attributes: {
        ...common(run, 'STEP', j({ round: r }), j({ round: r })),
        'gen_ai.operation.name': 'react',
        'gen_ai.react.round': r,
        ...(failed ? { 'gen_ai.react.finish_reason': 'error' } : {}),
      },
      status: failed ? { code: 'error', message: n.error?.text ?? '' } : { code: 'ok' }, links,
    });
    out.push({
      traceId, spanId: seededHex(`${run.seed}:${n.key}:thought${r}`, 8), parentSpanId: stepId, name: `${run.model.name} Thought`,
      kind: SpanKind.INTERNAL, startMs: s0 + 2, endMs: s0 + step * 0.6,
      attributes: {
        ...common(run, 'LLM', j({ round: r }), failed ? '' : 'Thought: I should look up the order.'),
        'gen_ai.request.model': run.model.name,
        'gen_ai.provider.name': run.model.provider,
        'gen_ai.usage.total_tokens': pyStr(412 + r),
        'gen_ai.completion': failed ? '' : 'Thought: I should look up the order.',
      },
      status: failed ? { code: 'error', message: n.error?.text ?? '' } : { code: 'ok' }, links,
    });
  }
  return out;
}

export interface MessageExtras {
  /** agent-chat: tool calls from message_agent_thoughts (ToolTraceInfo), one span each. */
  readonly tools?: ReadonlyArray<{ readonly name: string; readonly error?: string; readonly ms: number }>;
  readonly retrieval?: boolean;
}

/**
 * aliyun_trace.py message_trace (chat / completion / agent-chat): trace id = message_id; `message` root (SERVER,
 * sha(message_id,"message")) -> `llm` (sha(message_id,"llm")); plus `dataset_retrieval` and `<tool_name>` spans
 * (random ids) from their own trace tasks, parented to the message span.
 */
export function aliyunMessage(run: RunRec, o: AliyunOptions = {}, extras: MessageExtras = {}): Rendered {
  const traceId = aliyunTraceId(run.messageId!);
  const links = (o.link ?? o.semconv !== 'old') ? [traceLink(run.infraTraceId)] : undefined;
  const msgId = aliyunSpanId(run.messageId!, 'message');
  const status: SpanSpec['status'] = run.error ? { code: 'error', message: run.error } : { code: 'ok' };
  const answer = pyStr(run.outputs['answer'] ?? '');
  const spans: SpanSpec[] = [
    {
      traceId, spanId: msgId, name: 'message', kind: SpanKind.SERVER, startMs: run.startMs, endMs: run.endMs,
      attributes: strip({ ...common(run, 'CHAIN', run.query, answer), 'dify.app_id': run.appId }, o), status, links,
    },
  ];
  let t = run.startMs + 5;
  if (extras.retrieval) {
    spans.push({
      traceId, spanId: seededHex(`${run.seed}:dataset_retrieval`, 8), parentSpanId: msgId, name: 'dataset_retrieval', kind: SpanKind.INTERNAL,
      startMs: t, endMs: t + 180,
      attributes: {
        ...common(run, 'RETRIEVER', run.query, '[]'),
        'retrieval.query': run.query,
        'retrieval.document': j([{ content: 'Orders ship within 2 business days.', metadata: { dataset_id: run.appId, doc_id: run.workflowId, document_id: run.userId }, score: 0.82 }]),
      },
      status: { code: 'ok' }, links,
    });
    t += 190;
  }
  for (const tool of extras.tools ?? []) {
    spans.push({
      traceId, spanId: seededHex(`${run.seed}:tool:${tool.name}:${t}`, 8), parentSpanId: msgId, name: tool.name, kind: SpanKind.INTERNAL,
      startMs: t, endMs: t + tool.ms,
      attributes: {
        ...common(run, 'TOOL', j({ order_id: '8812' }), tool.error ? '' : j({ status: 'shipped' })),
        'tool.name': tool.name,
        'tool.description': j({ provider_type: 'builtin', provider_id: 'orders', tool_name: tool.name }),
        'tool.parameters': j({ order_id: '8812' }),
      },
      status: tool.error ? { code: 'error', message: tool.error } : { code: 'ok' }, links,
    });
    t += tool.ms + 12;
  }
  spans.push({
    traceId, spanId: aliyunSpanId(run.messageId!, 'llm'), parentSpanId: msgId, name: 'llm', kind: SpanKind.INTERNAL,
    startMs: run.startMs + 3, endMs: run.endMs - 2,
    attributes: strip({
      ...common(run, 'LLM', run.query, answer),
      ...(o.semconv === 'old' ? {} : { 'gen_ai.operation.name': 'chat' }),
      ...modelKeys(o, run.model.name, run.model.provider),
      'gen_ai.usage.input_tokens': pyStr(run.tokens.prompt),
      'gen_ai.usage.output_tokens': pyStr(run.tokens.completion),
      'gen_ai.usage.total_tokens': pyStr(run.tokens.total),
      'gen_ai.prompt': run.query,
      'gen_ai.completion': answer,
    }, o),
    status, links,
  });
  return { batches: [{ resource: resource(o), scope: scope(o), spans }], traceId, nodes: [] };
}
