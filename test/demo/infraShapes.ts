/**
 * Infrastructure half of a run as the Dify API process emits it with ENABLE_OTEL=true: the Flask
 * request span, the trace_span decorator spans, one ObservabilityLayer span per node, and HTTPX client
 * spans for the calls a node makes (plugin daemon, sandbox). All share the request's trace id, which
 * get_external_trace_id (api/core/helper/trace_id_helper.py) hands to the Aliyun exporter as the link target.
 */
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { APP, infraSpanId } from './demoRuns';
import type { DemoService } from './emitter';
import { flaskServerAttributes, httpScope, httpxClientAttributes, type HttpSemconv } from './httpSemconv';
import { llmFacts, retrievalDocuments } from './nodeFacts';
import { pyJson, pyStr } from './pyJson';
import type { NodeRecord, RunRecord } from './runRecords';
import { outboundCalls, type OutboundCall } from './outboundCalls';
import { SCOPES } from './services';

/**
 * ObservabilityLayer node span attributes: parser/base.py DefaultNodeOTelParser (+ llm.py, retrieval.py, tool.py).
 * Status is OK even for a failed node: graphon's Worker passes error=None to on_node_run_end when the node
 * returns a FAILED result instead of raising (tool and code nodes do), and the parser then sets OK.
 */
function nodeSpanAttributes(n: NodeRecord): Attributes {
  const kind = { llm: 'LLM', 'knowledge-retrieval': 'RETRIEVER', tool: 'TOOL' } as const;
  const attrs: Record<string, string | number> = {
    'node.id': n.node.id,
    'node.execution_id': n.executionId,
    'node.type': n.node.type,
    'gen_ai.framework': 'dify',
    'gen_ai.span.kind': n.node.type in kind ? kind[n.node.type as keyof typeof kind] : 'TASK',
  };
  if (Object.keys(n.inputs).length > 0) attrs['input.value'] = pyJson(n.inputs);
  if (n.outputs !== null && Object.keys(n.outputs).length > 0) attrs['output.value'] = pyJson(n.outputs);
  if (n.node.type === 'tool') {
    attrs['gen_ai.tool.name'] = n.node.title;
    attrs['gen_ai.tool.type'] = 'plugin';
    attrs['gen_ai.tool.description'] = pyJson(n.metadata['tool_info'] ?? {});
    attrs['gen_ai.tool.call.arguments'] = pyJson(n.inputs);
    if (n.outputs !== null) attrs['gen_ai.tool.call.result'] = pyJson(n.outputs);
  }
  if (n.node.type === 'llm') {
    // parser/llm.py: token counts as ints (the Aliyun exporter writes strings)
    const f = llmFacts(n);
    Object.assign(attrs, {
      'gen_ai.request.model': f.model,
      'gen_ai.provider.name': f.provider,
      'gen_ai.usage.input_tokens': f.usage.prompt,
      'gen_ai.usage.output_tokens': f.usage.completion,
      'gen_ai.usage.total_tokens': f.usage.total,
      'gen_ai.prompt': f.prompts,
      'gen_ai.completion': f.text,
      'gen_ai.response.finish_reason': f.finishReason,
      'gen_ai.input.messages': f.inputMessages,
      'gen_ai.output.messages': f.outputMessages,
    });
  }
  if (n.node.type === 'knowledge-retrieval') {
    attrs['retrieval.query'] = pyStr(n.inputs['query']);
    attrs['retrieval.document'] = retrievalDocuments(n);
  }
  return attrs;
}

/** Emits the API's spans of one run; returns the HTTPX calls so the callee side can hang off them. */
export function emitApiRun(service: DemoService, record: RunRecord, mode: HttpSemconv): OutboundCall[] {
  const traceId = record.run.infraTraceId;
  const id = (key: string): string => infraSpanId(traceId, key);
  const ok = { code: SpanStatusCode.OK };
  const user = { 'dify.app_id': APP.id, 'dify.tenant_id': APP.tenantId, 'gen_ai.user.id': APP.endUserId };
  // Flask span; api/extensions/otel/instrumentation.py response_hook sets OK for 2xx. A failed run still answers 200.
  service.emit(httpScope('flask', mode), {
    name: 'POST /v1/workflows/run',
    kind: SpanKind.SERVER,
    traceId,
    spanId: id('flask'),
    startMs: record.startMs - 38,
    endMs: record.endMs + 27,
    attributes: {
      ...flaskServerAttributes({ method: 'POST', route: '/v1/workflows/run', host: 'dify.example.com', clientIp: '172.19.0.9', clientPort: 41872, userAgent: 'python-requests/2.32.3', status: 200 }, mode),
      // api/extensions/otel/runtime.py on_user_loaded (when flask-login's signal fires for the request's user)
      'dify.tenant_id': APP.tenantId,
      'gen_ai.user.id': APP.endUserId,
    },
    status: ok,
  });
  // api/extensions/otel/decorators/handlers/generate_handler.py (span name = module.qualname, decorators/handler.py)
  service.emit(SCOPES.decorators, {
    name: 'services.app_generate_service.AppGenerateService.generate',
    kind: SpanKind.INTERNAL,
    traceId,
    spanId: id('generate'),
    parent: { spanId: id('flask'), remote: false },
    startMs: record.startMs - 31,
    endMs: record.endMs + 19,
    // args of POST /v1/workflows/run carry no workflow_id, hence "unknown"
    attributes: { ...user, 'dify.user_type': 'EndUser', 'dify.streaming': false, 'dify.workflow_id': 'unknown' },
    status: ok,
  });
  // api/extensions/otel/decorators/handlers/workflow_app_runner_handler.py; a failed run returns normally -> OK
  service.emit(SCOPES.decorators, {
    name: 'core.app.apps.workflow.app_runner.WorkflowAppRunner.run',
    kind: SpanKind.INTERNAL,
    traceId,
    spanId: id('runner'),
    parent: { spanId: id('generate'), remote: false },
    startMs: record.startMs - 3,
    endMs: record.endMs + 2,
    attributes: { ...user, 'dify.streaming': false, 'dify.workflow_id': APP.workflowId },
    status: ok,
  });
  // api/core/app/workflow/layers/observability.py: start_span(node.title, kind=INTERNAL) under the current context
  for (const n of record.nodes) {
    service.emit(SCOPES.nodeLayer, {
      name: n.node.title,
      kind: SpanKind.INTERNAL,
      traceId,
      spanId: id(`node:${n.key}`),
      parent: { spanId: id('runner'), remote: false },
      startMs: n.startMs,
      endMs: n.endMs,
      attributes: nodeSpanAttributes(n),
      status: ok,
    });
  }
  const calls = outboundCalls(record);
  for (const call of calls) {
    service.emit(httpScope('httpx', mode), {
      name: 'POST',
      kind: SpanKind.CLIENT,
      traceId,
      spanId: call.spanId,
      parent: { spanId: id(`node:${call.node.key}`), remote: false },
      startMs: call.startMs,
      endMs: call.endMs,
      // 200 -> http_status_to_status_code gives UNSET: even run 2's daemon call answers 200 (the error is in the stream)
      attributes: httpxClientAttributes('POST', call.url, 200, mode),
    });
  }
  return calls;
}
