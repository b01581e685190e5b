import { stringAttribute, numberAttribute, type Span } from '../model/span';
import type { DifyNode } from './difyNode';
import type { ErrorKind } from './errorKind';
import { exceptionEvents, httpClient, langfuse, pluginDaemon } from './difyNames';

/**
 * A span from inside a plugin process: Alibaba's probes name the service
 * `{daemon}_plugin_{plugin}_{version}`; the Python SDK's own modules are `dify_plugin.*`.
 */
export function isPluginRuntimeSpan(span: Span): boolean {
  return /_plugin_.+_\d/.test(span.resource.serviceName) || span.scopeName.startsWith('dify_plugin');
}

/** Everything a span says about its error, as one searchable text. */
export function errorText(span: Span): string {
  const parts = [span.status.message ?? ''];
  for (const event of span.events) {
    if (!(exceptionEvents.names as readonly string[]).includes(event.name)) continue;
    for (const key of exceptionEvents.keys) parts.push(stringAttribute(event.attributes, key) ?? '');
  }
  parts.push(stringAttribute(span.attributes, exceptionEvents.typeKey) ?? '');
  // Langfuse keeps a handled node failure only as the observation's status message.
  parts.push(stringAttribute(span.attributes, langfuse.statusMessageKey) ?? '');
  return parts.join('\n');
}

/**
 * Provider errors as they reach Dify however they come: in Dify's own error (`InvokeBadRequestError`
 * carries the provider's text) or in a model plugin's generic invoke error carrying the provider's
 * status code and error code (`Error code: 429 - {... 'code': 'rate_limit_exceeded'}`, the OpenAI
 * and Anthropic SDKs' message form). Read only where a model was called (an LLM-type node, or text
 * naming a model invocation), since a tool calling some API can fail with a 429 too.
 */
const specificProviderRules: ReadonlyArray<readonly [ErrorKind, RegExp]> = [
  ['llmContextLength', /context_length_exceeded|maximum context length|context window|prompt is too long|input is too long|too many (?:input )?tokens/i],
  ['llmContentFilter', /content_filter|content management policy|content_policy_violation|ResponsibleAIPolicyViolation|safety system|blocked by (?:the )?(?:content|safety)/i],
];
const genericProviderRules: ReadonlyArray<readonly [ErrorKind, RegExp]> = [
  ['llmRateLimit', /rate_limit_exceeded|RateLimitError|rate limit (?:reached|exceeded)|Too Many Requests|Error code: 429|status code:? 429|insufficient_quota/i],
  ['llmAuthorization', /invalid_api_key|AuthenticationError|PermissionDeniedError|Incorrect API key|invalid x-api-key|Error code: 40[13]\b|status code:? 40[13]\b/i],
];
const modelNodeTypes: ReadonlySet<string> = new Set(['llm', 'agent', 'question-classifier', 'parameter-extractor']);
const modelInvocation = /\bInvoke\w*Error|\/dispatch\/llm\/|llm\/invoke|\bmodel_provider\b|\[models\]/;

/**
 * Ordered rules: the first that matches wins. LLM errors first (the provider's own context-length
 * and content-filter codes, Dify's Invoke*Error types, then the provider's rate-limit and auth
 * codes), because Dify re-types model plugin failures to Invoke*Error (api/core/plugin/impl/base.py);
 * then the plugin, the daemon, the sandbox, vector stores, HTTP nodes, and timeouts that belong to
 * none of them.
 */
const difyModelRules: ReadonlyArray<readonly [ErrorKind, RegExp]> = [
  // Dify's model runtime errors: the Invoke*Error class names, or their text `[provider] <Kind> Error, ...`.
  ['llmRateLimit', /InvokeRateLimitError|\] Rate Limit Error/],
  ['llmAuthorization', /InvokeAuthorizationError|\] Incorrect model credentials|\] Authorization Error/],
  ['llmBadRequest', /InvokeBadRequestError|\] Bad Request Error/],
  ['llmConnection', /InvokeConnectionError|\] Connection Error/],
  ['llmServerUnavailable', /InvokeServerUnavailableError|\] Server Unavailable Error/],
];
const rules: ReadonlyArray<readonly [ErrorKind, RegExp]> = [
  // The plugin daemon ends a plugin call that outlives its limit with `killed by timeout`
  // (dify-plugin-daemon internal/service/base_sse.go, as PluginDaemonInternalServerError).
  ['timeout', /killed by timeout/],
  // The user-friendly text of PluginInvokeError (api/core/plugin/impl/exc.py to_user_friendly_error).
  ['pluginInvoke', /PluginInvokeError|An error occurred in the .+ please contact the author/s],
  ['pluginDaemon', /PluginDaemon\w*Error|PluginNotFoundError|PluginPermissionDeniedError|PluginUniqueIdentifierError|plugin daemon/i],
  // Before the sandbox: CodeExecutor reports a sandbox timeout as "( Error: timed out )"; the
  // workflow limit is "Max execution time {n}s reached." (WORKFLOW_MAX_EXECUTION_TIME).
  ['timeout', /timed? ?out\b|TimeoutError|ReadTimeout|ConnectTimeout|deadline exceeded|Max execution time \d+s reached/i],
  // dify-sandbox tracebacks (<fd3> now, <string> before), Node's report of an error in the eval'd
  // runner (`<anonymous_script>:N`, `eval at <anonymous>`, seen on a recorded Dify 1.13.3), the
  // sandbox's exit message, and CodeExecutor messages (api/core/helper/code_executor/code_executor.py).
  ['sandbox', /CodeExecutionError|File "<fd3>"|File "<string>"|<anonymous_script>:\d+|eval at <anonymous>|\/var\/sandbox\/sandbox-|error: exit status \d+|process exited with code|Code execution service is unavailable|sandbox service/i],
  // Vector stores, and Dify's own collection names (`Vector_index_{dataset}_Node`).
  ['vectorDatabase', /weaviate|qdrant|milvus|pgvecto|pgvector|chroma|opensearch|elasticsearch|tidb[_ ]vector|analyticdb|oracle vector|vector (?:store|database|db)|Vector_index_/i],
  ['httpNode', /HttpRequestNodeError|HTTPResponseCodeError|HTTP request failed with status code|Request failed with status code|Reached maximum retries/i],
];

/** The kind an error text names, with the node it happened in when the text alone is not enough. */
export function classifyText(text: string, node: DifyNode | undefined, inPlugin = false): ErrorKind | undefined {
  const modelCalled = (node?.nodeType !== undefined && modelNodeTypes.has(node.nodeType)) || modelInvocation.test(text);
  if (modelCalled) for (const [kind, pattern] of specificProviderRules) if (pattern.test(text)) return kind;
  for (const [kind, pattern] of difyModelRules) if (pattern.test(text)) return kind;
  if (modelCalled) for (const [kind, pattern] of genericProviderRules) if (pattern.test(text)) return kind;
  for (const [kind, pattern] of rules) if (pattern.test(text) || (kind === 'pluginInvoke' && inPlugin)) return kind;
  if (node?.nodeType === 'code') return 'sandbox';
  if (node?.nodeType === 'http-request') return 'httpNode';
  if (node?.nodeType === 'tool' && node.plugin) return 'pluginInvoke';
  return undefined;
}

/** The kind of a failed span's error, using the node it stands for when the text alone is not enough. */
export function classifyError(span: Span, node: DifyNode | undefined): ErrorKind {
  const kind = classifyText(errorText(span), node, isPluginRuntimeSpan(span));
  if (kind !== undefined) return kind;
  if (span.resource.serviceName === pluginDaemon.serviceName) return 'pluginDaemon';
  // An API client span that failed against the daemon or the sandbox (httpx instrumentation).
  const url = httpClient.urlKeys.map((k) => stringAttribute(span.attributes, k)).find((v) => v !== undefined) ?? '';
  if (/\/plugin\/[^/]+\/(?:dispatch|management)\//.test(url) || /plugin_daemon|plugin-daemon/.test(url)) return 'pluginDaemon';
  if (/\/v1\/sandbox\/run/.test(url)) return 'sandbox';
  const httpStatus = httpClient.statusKeys.map((k) => numberAttribute(span.attributes, k)).find((v) => v !== undefined);
  if (httpStatus === 429) return 'llmRateLimit';
  // A knowledge-retrieval node calls the embedding model through the daemon (handled above) and the
  // vector database; any other call of it that fails is the vector database's (Chroma, Qdrant,
  // Weaviate, Milvus ... are all reached over HTTP).
  if (node?.nodeType === 'knowledge-retrieval') return 'vectorDatabase';
  return 'other';
}
