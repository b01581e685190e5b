/**
 * App-level half of a run, shaped like Dify's Alibaba Cloud (Aliyun) exporter builds it from the
 * WorkflowRun and its node executions, after the run, in the Celery ops_trace worker.
 * Source: langgenius/dify:api/providers/trace/trace-aliyun/src/dify_trace_aliyun/ (aliyun_trace.py, utils.py,
 * data_exporter/traceclient.py); older releases: api/core/ops/aliyun_trace/.
 */
import { SpanKind, SpanStatusCode, TraceFlags, type Attributes, type Link, type SpanStatus } from '@opentelemetry/api';
import { APP } from './demoRuns';
import type { DemoService } from './emitter';
import { aliyunSpanId } from './ids';
import { llmFacts, retrievalDocuments, retrievalResult } from './nodeFacts';
import { pyJson, pyStr } from './pyJson';
import type { NodeRecord, RunRecord } from './runRecords';
import { SCOPES } from './services';

/**
 * Trace Link: one Link to SpanContext(trace_id=int(external trace id, 16), span_id=INVALID_SPAN_ID (0),
 * is_remote=False, SAMPLED), attached to every span of the app trace.
 * utils.py create_links_from_trace_id / traceclient.py create_link
 */
export function traceLink(infraTraceId: string): Link {
  return { context: { traceId: infraTraceId, spanId: '0000000000000000', traceFlags: TraceFlags.SAMPLED, isRemote: false } };
}

/** utils.py create_common_span_attributes (session id = conversation id or ""). */
function common(spanKind: string, input: string, output: string): Attributes {
  return {
    'gen_ai.session.id': '',
    'gen_ai.user.id': APP.endUserId,
    'gen_ai.span.kind': spanKind,
    'gen_ai.framework': 'dify',
    'input.value': input,
    'output.value': output,
  };
}

/** utils.py get_workflow_node_status: SUCCEEDED -> OK, FAILED/EXCEPTION -> ERROR(str(error)). */
const nodeStatus = (n: NodeRecord): SpanStatus =>
  n.status === 'succeeded' ? { code: SpanStatusCode.OK } : { code: SpanStatusCode.ERROR, message: String(n.error) };

/** aliyun_trace.py build_workflow_llm_span: token counts as strings. */
function llmAttributes(n: NodeRecord): Attributes {
  const f = llmFacts(n);
  return {
    ...common('LLM', f.prompts, f.text),
    'gen_ai.request.model': f.model,
    'gen_ai.provider.name': f.provider,
    'gen_ai.usage.input_tokens': String(f.usage.prompt),
    'gen_ai.usage.output_tokens': String(f.usage.completion),
    'gen_ai.usage.total_tokens': String(f.usage.total),
    'gen_ai.prompt': f.prompts,
    'gen_ai.completion': f.text,
    'gen_ai.response.finish_reason': f.finishReason,
    'gen_ai.input.messages': f.inputMessages,
    'gen_ai.output.messages': f.outputMessages,
  };
}

/** aliyun_trace.py build_workflow_retrieval_span: input is str(inputs.query), not JSON. */
function retrievalAttributes(n: NodeRecord): Attributes {
  const query = pyStr(n.inputs['query']);
  const documents = retrievalDocuments(n);
  return { ...common('RETRIEVER', query, pyJson(retrievalResult(n))), 'retrieval.query': query, 'retrieval.document': documents };
}

/** aliyun_trace.py build_workflow_tool_span: tool.name is the node TITLE, tool.description the tool_info JSON. */
function toolAttributes(n: NodeRecord): Attributes {
  const inputs = pyJson(n.inputs);
  return {
    ...common('TOOL', inputs, pyJson(n.outputs)),
    'tool.name': n.node.title,
    'tool.description': pyJson(n.metadata['tool_info'] ?? {}),
    'tool.parameters': inputs,
  };
}

function nodeAttributes(n: NodeRecord): Attributes {
  switch (n.node.type) {
    case 'llm':
      return llmAttributes(n);
    case 'knowledge-retrieval':
      return retrievalAttributes(n);
    case 'tool':
      return toolAttributes(n);
    default:
      // build_workflow_task_span: every other node type gets only the common attributes.
      return common('TASK', pyJson(n.inputs), pyJson(n.outputs));
  }
}

/** aliyun_trace.py workflow_trace: add_workflow_span + build_workflow_node_span per node execution. */
export function emitAliyunRun(service: DemoService, record: RunRecord): void {
  const { run } = record;
  const links = [traceLink(run.infraTraceId)];
  const workflowSpanId = aliyunSpanId(run.workflowRunId, 'workflow');
  // add_workflow_span: no message id (workflow app) -> `workflow` is the root, SERVER, with dify.app_id.
  service.emit(SCOPES.aliyun, {
    name: 'workflow',
    kind: SpanKind.SERVER,
    traceId: run.appTraceId,
    spanId: workflowSpanId,
    startMs: record.startMs,
    endMs: record.endMs,
    attributes: { ...common('CHAIN', pyJson(record.inputs), pyJson(record.outputs)), 'dify.app_id': APP.id },
    // utils.py create_status_from_error(trace_info.error)
    status: record.error === null ? { code: SpanStatusCode.OK } : { code: SpanStatusCode.ERROR, message: record.error },
    links,
  });
  for (const n of record.nodes) {
    service.emit(SCOPES.aliyun, {
      name: n.node.title,
      kind: SpanKind.INTERNAL,
      traceId: run.appTraceId,
      spanId: aliyunSpanId(n.executionId, 'node'),
      parent: { spanId: workflowSpanId, remote: false },
      startMs: n.startMs,
      endMs: n.endMs,
      attributes: nodeAttributes(n),
      status: nodeStatus(n),
      links,
    });
  }
}
