/** Aliyun cases: workflow / chatflow / chat / completion / agent-chat, new and old (<=1.7) semconv, every ErrorKind. */
import type { CaseFactory, CaseDraft } from '../caseKit';
import { finish } from '../caseKit';
import * as E from '../errors';
import { buildRun, type NodeSketch, type RunRec } from '../runModel';
import { ALIYUN_SOURCES, aliyunMessage, aliyunWorkflow, type AliyunOptions } from '../shapes/aliyun';

const APP = 'Order Support';

function wfCase(name: string, description: string, sketches: readonly NodeSketch[], o: AliyunOptions & { kind?: RunRec['kind']; release?: string; error?: E.NodeError } = {}): CaseFactory {
  return (startMs) => {
    const run = buildRun(`aliyun:${name}`, sketches, { startMs, kind: o.kind ?? 'workflow', appName: APP, ...(o.error ? { error: o.error } : {}) });
    const r = aliyunWorkflow(run, { serviceName: APP, ...o });
    const draft: CaseDraft = {
      name, exporter: 'aliyun', release: o.release ?? (o.semconv === 'old' ? '1.7' : 'newest'), sources: ALIYUN_SOURCES[o.semconv ?? 'new'], description,
      requests: [r.batches],
      runs: [{ run, traceId: r.traceId, appName: APP, linked: (o.link ?? o.semconv !== 'old') ? [run.infraTraceId] : [], ids: { workflowRunId: true, conversationId: run.kind === 'chatflow' } }],
      nodes: r.nodes,
      warnings: (o.link ?? o.semconv !== 'old') ? ['linkedTraceMissing'] : [],
    };
    return finish(draft);
  };
}

const S = (type: string, extra: Partial<NodeSketch> = {}): NodeSketch => ({ type, ...extra });
const fail = (type: string, error: E.NodeError, extra: Partial<NodeSketch> = {}): NodeSketch => ({ type, status: 'failed', error, ...extra });

export const aliyunCases: Record<string, CaseFactory> = {
  'workflow-node-types-a': wfCase('workflow-node-types-a', 'Workflow app, every generic node type once (TASK spans) plus llm / knowledge-retrieval / tool', [
    S('start'), S('question-classifier'), S('knowledge-retrieval', { inputs: { query: 'Where is order 8812?' } }), S('if-else'), S('parameter-extractor'),
    S('http-request'), S('code', { codeLanguage: 'python3' }), S('code', { title: 'Format (JS)', codeLanguage: 'javascript' }), S('template-transform'), S('llm'), S('end'),
  ]),
  'workflow-node-types-b': wfCase('workflow-node-types-b', 'Workflow app: tools of every provider type, aggregator, assigner, document extractor, list operator, human input, trigger', [
    S('trigger-webhook', { title: 'Webhook Trigger' }), S('tool', { title: 'Get Weather', toolProvider: 'plugin' }), S('tool', { title: 'Current Time', toolProvider: 'builtin' }),
    S('tool', { title: 'Order API', toolProvider: 'api' }), S('tool', { title: 'Refund Workflow', toolProvider: 'workflow' }), S('tool', { title: 'Search Docs (MCP)', toolProvider: 'mcp' }),
    S('variable-aggregator'), S('assigner'), S('document-extractor'), S('list-operator'), S('human-input'), S('end'),
  ]),
  'workflow-iteration-loop': wfCase('workflow-iteration-loop', 'Iteration (iteration-start + llm per item) and loop (loop-start, code, loop-end); Aliyun flattens every execution under `workflow`', [
    S('start'),
    S('iteration', { title: 'For Each Order', rounds: [[S('iteration-start'), S('llm', { title: 'Summarise Order' })], [S('iteration-start'), S('llm', { title: 'Summarise Order' })]] }),
    S('loop', { title: 'Retry Until Paid', rounds: [[S('loop-start'), S('code', { title: 'Check Payment' })], [S('loop-start'), S('code', { title: 'Check Payment' }), S('loop-end')]] }),
    S('end'),
  ]),
  'workflow-agent-react': wfCase('workflow-agent-react', 'Agent node (newest: AGENT span, invoke_agent) with two ReAct rounds (STEP) and LLM thoughts', [S('start'), S('agent', { title: 'Order Agent' }), S('end')]),
  'chatflow-answer': wfCase('chatflow-answer', 'Advanced-chat (chatflow): `message` root (SERVER) -> `workflow` (INTERNAL) -> nodes incl. answer', [S('start'), S('llm'), S('answer')], { kind: 'chatflow' }),
  'chatflow-llm-rate-limit': wfCase('chatflow-llm-rate-limit', 'Chatflow failing on an LLM rate limit (InvokeRateLimitError text)', [S('start'), fail('llm', E.llmRateLimit)], { kind: 'chatflow' }),
  // one failing-node case per ErrorKind
  'error-plugin-invoke-friendly': wfCase('error-plugin-invoke-friendly', 'Plugin tool raised while streaming: PluginInvokeError.to_user_friendly_error text', [S('start'), S('llm'), fail('tool', E.pluginInvokeFriendly, { title: 'Get Weather' })]),
  'error-plugin-invoke-raw': wfCase('error-plugin-invoke-raw', 'Plugin tool failed before the stream: "Failed to invoke tool: req_id: … PluginInvokeError: {json}"', [S('start'), fail('tool', E.pluginInvokeRaw, { title: 'Get Weather' })]),
  'error-plugin-daemon-llm': wfCase('error-plugin-daemon-llm', 'LLM node: plugin daemon has no runtime (PluginDaemonInternalServerError)', [S('start'), fail('llm', E.pluginDaemonUnavailable)]),
  'error-plugin-not-found': wfCase('error-plugin-not-found', 'Tool node: plugin not installed (PluginNotFoundError)', [S('start'), fail('tool', E.pluginNotFound, { title: 'Get Weather' })]),
  'error-sandbox-python-fd3': wfCase('error-sandbox-python-fd3', 'Code node (python3) traceback from current dify-sandbox (File "<fd3>")', [S('start'), fail('code', E.sandboxFd3, { title: 'Build Itinerary', codeLanguage: 'python3' })]),
  'error-sandbox-python-string': wfCase('error-sandbox-python-string', 'Code node (python3) traceback from an older dify-sandbox (File "<string>")', [S('start'), fail('code', E.sandboxString, { codeLanguage: 'python3' })], { release: '1.4' }),
  'error-sandbox-javascript': wfCase('error-sandbox-javascript', 'Code node (javascript): Node.js eval stack from dify-sandbox', [S('start'), fail('code', E.sandboxJs, { title: 'Sum Prices', codeLanguage: 'javascript' })]),
  'error-sandbox-unavailable': wfCase('error-sandbox-unavailable', 'Template transform: sandbox answered 503 ("Code execution service is unavailable")', [S('start'), fail('template-transform', E.sandboxUnavailable)]),
  'error-llm-authorization': wfCase('error-llm-authorization', 'LLM node: InvokeAuthorizationError text', [S('start'), fail('llm', E.llmAuthorization)]),
  'error-llm-bad-request': wfCase('error-llm-bad-request', 'LLM node: InvokeBadRequestError (a parameter out of range)', [S('start'), fail('llm', E.llmBadRequest)]),
  'error-llm-context-length': wfCase('error-llm-context-length', 'LLM node: InvokeBadRequestError carrying context_length_exceeded', [S('start'), fail('llm', E.llmContextLength)]),
  'error-llm-content-filter': wfCase('error-llm-content-filter', 'LLM node: Azure OpenAI content filter (InvokeBadRequestError text)', [S('start'), fail('llm', E.llmContentFilter)]),
  'error-llm-plugin-rate-limit': wfCase('error-llm-plugin-rate-limit', 'LLM node: model plugin let the provider SDK error through (PluginInvokeError with Error code: 429)', [S('start'), fail('llm', E.llmPluginRateLimit)]),
  'error-llm-plugin-authorization': wfCase('error-llm-plugin-authorization', 'LLM node: model plugin let the provider SDK error through (PluginInvokeError with Error code: 401); read as an LLM error only because the node is an LLM (Aliyun types LLM nodes, not parameter extractors)', [S('start'), fail('llm', E.llmPluginAuthorization)]),
  'error-plugin-killed-by-timeout': wfCase('error-plugin-killed-by-timeout', 'Tool node: the plugin daemon killed the call at its time limit', [S('start'), fail('tool', E.pluginKilledByTimeout, { title: 'Get Weather' })]),
  'error-llm-connection': wfCase('error-llm-connection', 'Question classifier: InvokeConnectionError', [S('start'), fail('question-classifier', E.llmConnection)]),
  'error-llm-server-unavailable': wfCase('error-llm-server-unavailable', 'Parameter extractor: InvokeServerUnavailableError (529 overloaded)', [S('start'), fail('parameter-extractor', E.llmServerUnavailable)]),
  'error-http-status': wfCase('error-http-status', 'HTTP request node: 502 from the upstream', [S('start'), fail('http-request', E.httpStatus, { title: 'Fetch Order' })]),
  'error-http-transport': wfCase('error-http-transport', 'HTTP request node: retries exhausted', [S('start'), fail('http-request', E.httpTransport, { title: 'Fetch Order' })]),
  'error-timeout-sandbox': wfCase('error-timeout-sandbox', 'Code node: the sandbox call timed out', [S('start'), fail('code', E.sandboxTimeout)]),
  'error-timeout-workflow': wfCase('error-timeout-workflow', 'Run aborted by the execution-time limit while the LLM ran: the run error is set, no node failed', [S('start'), S('llm', { status: 'stopped' })], { error: E.workflowTimeout }),
  'error-vector-weaviate': wfCase('error-vector-weaviate', 'Knowledge retrieval: Weaviate unreachable', [S('start'), fail('knowledge-retrieval', E.weaviateDown)]),
  'error-vector-qdrant': wfCase('error-vector-qdrant', 'Knowledge retrieval: Qdrant collection missing (UnexpectedResponse 404)', [S('start'), fail('knowledge-retrieval', E.qdrantMissing)]),
  'error-other-list-operator': wfCase('error-other-list-operator', 'List operator: variable not found (ErrorKind other)', [S('start'), fail('list-operator', E.other)]),
  'error-in-iteration': wfCase('error-in-iteration', 'Iteration whose second round fails in a Code node; Aliyun shows both the iteration and the body node as ERROR', [
    S('start'), S('iteration', { rounds: [[S('iteration-start'), S('code', { title: 'Parse Row' })], [S('iteration-start'), fail('code', E.sandboxFd3, { title: 'Parse Row' })]] }),
  ]),
  'error-agent-node': wfCase('error-agent-node', 'Agent node failing in its last ReAct round (plugin agent strategy error)', [S('start'), fail('agent', E.pluginInvokeFriendly, { title: 'Order Agent' })]),
  'partial-fail-branch': wfCase('partial-fail-branch', 'partial-succeeded: http-request ends in `exception` handled by fail-branch; run continues', [
    S('start'), { type: 'http-request', title: 'Fetch Order', status: 'exception', error: E.httpStatus }, S('llm', { title: 'Apologise' }), S('end'),
  ]),
  'partial-default-value': wfCase('partial-default-value', 'partial-succeeded: tool node `exception` with default-value strategy', [
    S('start'), { type: 'tool', title: 'Get Weather', status: 'exception', error: E.pluginInvokeFriendly, metadata: { error_strategy: 'default-value' } }, S('end'),
  ]),
  'old-semconv-workflow': wfCase('old-semconv-workflow', '<=1.7 semconv (gen_ai.model_name / gen_ai.system, prompt_template), old module scope, no Trace Link', [S('start'), S('llm'), S('tool', { title: 'Get Weather' }), S('end')], { semconv: 'old' }),
  'old-semconv-llm-error': wfCase('old-semconv-llm-error', '<=1.7 semconv, LLM rate-limited', [S('start'), fail('llm', E.llmRateLimit)], { semconv: 'old' }),
};

function msgCase(name: string, description: string, kind: RunRec['kind'], o: AliyunOptions & { error?: E.NodeError; tools?: Array<{ name: string; error?: string; ms: number }>; retrieval?: boolean; release?: string } = {}): CaseFactory {
  return (startMs) => {
    const base = buildRun(`aliyun:${name}`, [], { startMs, kind, appName: APP, ...(o.error ? { error: o.error, status: 'failed' } : {}) });
    const run: RunRec = { ...base, endMs: startMs + 2300, tokens: o.error ? { prompt: 0, completion: 0, total: 0 } : { prompt: 61, completion: 37, total: 98 }, outputs: o.error ? {} : base.outputs };
    const r = aliyunMessage(run, { serviceName: APP, ...o }, { ...(o.tools ? { tools: o.tools } : {}), ...(o.retrieval ? { retrieval: true } : {}) });
    const linked = (o.link ?? o.semconv !== 'old') ? [run.infraTraceId] : [];
    const toolFail = o.tools?.find((t) => t.error);
    return finish({
      name, exporter: 'aliyun', release: o.release ?? (o.semconv === 'old' ? '1.7' : 'newest'), sources: ALIYUN_SOURCES[o.semconv ?? 'new'], description,
      requests: [r.batches],
      runs: [{
        run, traceId: r.traceId, appName: APP, linked, ids: { messageId: true, conversationId: kind !== 'completion' },
        tokens: { prompt: run.tokens.prompt, completion: run.tokens.completion, total: run.tokens.total },
        ...(toolFail ? { status: 'partial-succeeded' as const, errorKind: 'other' as const } : {}),
      }],
      nodes: [],
      warnings: linked.length > 0 ? ['linkedTraceMissing'] : [],
    });
  };
}

export const aliyunMessageCases: Record<string, CaseFactory> = {
  'chat-message-llm': msgCase('chat-message-llm', 'Chat app: `message` root + `llm` child, token counts as strings', 'chat'),
  'completion-message-llm': msgCase('completion-message-llm', 'Completion app: message + llm, no conversation', 'completion'),
  'chat-llm-authorization': msgCase('chat-llm-authorization', 'Chat app failing on model credentials: message and llm ERROR', 'chat', { error: E.llmAuthorization }),
  'agent-chat-tools': msgCase('agent-chat-tools', 'Agent-chat app: dataset_retrieval + two tool spans (ToolTraceInfo) + llm under `message`', 'agent', { retrieval: true, tools: [{ name: 'lookup_order', ms: 240 }, { name: 'current_time', ms: 12 }] }),
  'agent-chat-tool-error': msgCase('agent-chat-tool-error', 'Agent-chat app whose tool call failed but the agent answered: tool span ERROR under an OK message', 'agent', { tools: [{ name: 'lookup_order', ms: 240, error: 'Tool lookup_order invoke error: order service returned 404' }] }),
  'old-semconv-chat': msgCase('old-semconv-chat', '<=1.7 chat app: llm span with gen_ai.model_name / gen_ai.system', 'chat', { semconv: 'old' }),
};
