/** Arize Phoenix / OpenInference cases: 1.x (root `Dify`, `workflow`, node spans named by type) and newest. */
import { finish, type CaseFactory } from '../caseKit';
import * as E from '../errors';
import { buildRun, type NodeSketch, type RunRec } from '../runModel';
import { PHOENIX_SOURCES, phoenixMessage, phoenixWorkflow, type PhoenixOptions } from '../shapes/phoenix';

const APP = 'Order Support';
const S = (type: string, extra: Partial<NodeSketch> = {}): NodeSketch => ({ type, ...extra });
const fail = (type: string, error: E.NodeError, extra: Partial<NodeSketch> = {}): NodeSketch => ({ type, status: 'failed', error, ...extra });

interface Opts extends Partial<PhoenixOptions> { kind?: RunRec['kind']; status?: RunRec['status']; error?: E.NodeError; warnings?: string[] }

/** Link rule for Phoenix: dify_trace_id joins an infra trace iff it is 32-hex (an OTel trace id), not the run's own UUID. */
export function phoenixLinks(difyTraceId: string): string[] {
  return /^[0-9a-f]{32}$/.test(difyTraceId) ? [difyTraceId] : [];
}

function wf(name: string, description: string, sketches: readonly NodeSketch[], o: Opts = {}): CaseFactory {
  const release = o.release ?? 'newest';
  return (startMs) => {
    const run = buildRun(`phoenix:${name}`, sketches, { startMs, kind: o.kind ?? 'workflow', appName: APP, ...(o.status ? { status: o.status } : {}), ...(o.error ? { error: o.error } : {}) });
    const r = phoenixWorkflow(run, { release, ...(o.difyTraceId !== undefined ? { difyTraceId: o.difyTraceId } : {}) });
    const linked = phoenixLinks(r.difyTraceId);
    return finish({
      name, exporter: 'phoenix', release: release === 'newest' ? 'newest' : '1.4', sources: PHOENIX_SOURCES[release], description,
      requests: [r.batches],
      runs: [{ run, traceId: r.traceId, appName: APP, linked, ids: { workflowRunId: true, ...(run.messageId ? { messageId: true } : {}), conversationId: !!run.conversationId }, tokens: { total: run.tokens.total } }],
      nodes: r.nodes,
      warnings: [...(linked.length > 0 ? ['linkedTraceMissing'] : []), ...(o.warnings ?? [])],
    });
  };
}

export const phoenixCases: Record<string, CaseFactory> = {
  'v1-workflow-node-types': wf('v1-workflow-node-types', '1.x: root `Dify`, `workflow`, node spans named by node type, flat; knowledge-retrieval is CHAIN (1.x checked "dataset_retrieval")', [
    S('start'), S('knowledge-retrieval'), S('llm'), S('if-else'), S('code'), S('template-transform'), S('tool', { title: 'Get Weather' }), S('http-request'), S('variable-aggregator'), S('end'),
  ], { release: '1.x', difyTraceId: null }),
  'v1-workflow-code-error': wf('v1-workflow-code-error', '1.x: Code node failed (sandbox <string> traceback); exception event with exception.type "str"', [S('start'), fail('code', E.sandboxString)], { release: '1.x', difyTraceId: null }),
  'v1-workflow-iteration': wf('v1-workflow-iteration', '1.x: iteration body executions flat under `workflow`; iteration_index only in the metadata JSON', [
    S('start'), S('iteration', { rounds: [[S('iteration-start'), S('llm')], [S('iteration-start'), S('llm')]] }), S('end'),
  ], { release: '1.x', difyTraceId: null }),
  'newest-workflow-node-types': wf('newest-workflow-node-types', 'Newest: root named by workflow_run_id, `workflow_{run_id}`, `{node_type}_{title}` spans parented by predecessor edges, dify.node.* attributes', [
    S('start'), S('question-classifier'), S('knowledge-retrieval'), S('parameter-extractor'), S('llm'), S('code', { title: 'Format (JS)' }), S('document-extractor'),
    S('list-operator'), S('assigner'), S('agent', { title: 'Order Agent' }), S('human-input'), S('tool', { title: 'Refund Workflow', toolProvider: 'workflow' }), S('tool', { title: 'Search Docs (MCP)', toolProvider: 'mcp' }), S('end'),
  ]),
  'newest-iteration-loop-wrappers': wf('newest-iteration-loop-wrappers', 'Newest: synthetic `iteration[i]` / `loop[i]` wrapper spans (dify.wrapper.*) between container and body nodes', [
    S('start'),
    S('iteration', { title: 'For Each Order', rounds: [[S('iteration-start'), S('llm', { title: 'Summarise Order' })], [S('iteration-start'), S('llm', { title: 'Summarise Order' })]] }),
    S('loop', { title: 'Retry Until Paid', rounds: [[S('loop-start'), S('code', { title: 'Check Payment' })], [S('loop-start'), S('code', { title: 'Check Payment' }), S('loop-end')]] }),
    S('end'),
  ]),
  'newest-error-in-loop': wf('newest-error-in-loop', 'Newest: code node fails in loop round 1; wrapper `loop[1]` gets "wrapper child failed"', [
    S('start'), S('loop', { rounds: [[S('loop-start'), S('code', { title: 'Check Payment' })], [S('loop-start'), fail('code', E.sandboxFd3, { title: 'Check Payment' })]] }),
  ]),
  'newest-tool-plugin-error': wf('newest-tool-plugin-error', 'Newest: plugin tool error (user-friendly PluginInvokeError text)', [S('start'), S('llm'), fail('tool', E.pluginInvokeFriendly, { title: 'Get Weather' })]),
  'newest-llm-rate-limit': wf('newest-llm-rate-limit', 'Newest: LLM rate limit', [S('start'), fail('llm', E.llmRateLimit)]),
  'newest-vector-db-error': wf('newest-vector-db-error', 'Newest: knowledge retrieval against an unreachable Weaviate', [S('start'), fail('knowledge-retrieval', E.weaviateDown)]),
  'newest-http-timeout': wf('newest-http-timeout', 'Newest: HTTP request transport failure', [S('start'), fail('http-request', E.httpTransport)]),
  'newest-partial-succeeded': wf('newest-partial-succeeded', 'Newest: `exception` node (fail-branch) is ERROR too, run metadata status partial-succeeded', [
    S('start'), { type: 'code', title: 'Parse Payload', status: 'exception', error: E.sandboxJs }, S('llm', { title: 'Fallback Answer' }), S('end'),
  ]),
  'newest-stopped': wf('newest-stopped', 'Newest: run stopped by the user (metadata status "stopped"), LLM node stopped', [S('start'), S('llm', { status: 'stopped' })], { status: 'stopped' }),
  'newest-chatflow': wf('newest-chatflow', 'Newest chatflow: metadata message_id + conversation_id, session.id = conversation id', [S('start'), S('llm'), S('answer')], { kind: 'chatflow' }),
  'newest-unknown-node-type': wf('newest-unknown-node-type', 'Newest: a node type the extension does not know (trigger-webhook, knowledge-index) is kept as-is', [
    S('trigger-webhook', { title: 'Webhook' }), S('knowledge-index', { title: 'Index Chunks' }), S('end'),
  ], { warnings: ['unknownNodeType'] }),
};

function msg(name: string, description: string, kind: RunRec['kind'], o: Opts = {}): CaseFactory {
  const release = o.release ?? '1.x';
  return (startMs) => {
    const base = buildRun(`phoenix:${name}`, [], { startMs, kind, appName: APP, ...(o.error ? { error: o.error, status: 'failed' } : {}) });
    const run: RunRec = { ...base, endMs: startMs + 1900, tokens: o.error ? { prompt: 0, completion: 0, total: 0 } : { prompt: 52, completion: 31, total: 83 }, outputs: o.error ? {} : base.outputs };
    const r = phoenixMessage(run, { release, ...(o.difyTraceId !== undefined ? { difyTraceId: o.difyTraceId } : {}) });
    const linked = phoenixLinks(r.difyTraceId);
    return finish({
      name, exporter: 'phoenix', release: release === 'newest' ? 'newest' : '1.4', sources: PHOENIX_SOURCES[release], description,
      requests: [r.batches],
      runs: [{ run, traceId: r.traceId, appName: APP, linked, ids: { messageId: true, conversationId: true }, tokens: { total: run.tokens.total } }],
      nodes: [],
      warnings: linked.length > 0 ? ['linkedTraceMissing'] : [],
    });
  };
}

export const phoenixMessageCases: Record<string, CaseFactory> = {
  'v1-chat-message': msg('v1-chat-message', '1.x chat app: root `Dify` -> `message` -> `llm`, dify_trace_id = message id', 'chat', { difyTraceId: null }),
  'newest-chat-bad-request': msg('newest-chat-bad-request', 'Newest chat app, LLM bad request; dify_trace_id = infra trace id (external trace id)', 'chat', { release: 'newest', error: E.llmBadRequest }),
};
