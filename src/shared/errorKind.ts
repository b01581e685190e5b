/**
 * The error taxonomy a Dify developer debugs with. Each kind names where the failure came from;
 * the classifier (errorTaxonomy.ts) reads it from span status, exception events and error text.
 */
export type ErrorKind =
  /** A plugin raised while serving an invoke: PluginInvokeError / "An error occurred in the <plugin>" (api/core/plugin/impl/exc.py). */
  | 'pluginInvoke'
  /** The plugin daemon itself failed: daemon error codes, PluginDaemonInternalServerError, PluginNotFoundError, ... */
  | 'pluginDaemon'
  /** Code node / dify-sandbox: CodeExecutionError, tracebacks from <fd3> or <string>, "process exited with code" */
  | 'sandbox'
  /** LLM provider errors, re-typed by Dify from args.description (InvokeRateLimitError, ...). */
  | 'llmRateLimit'
  | 'llmAuthorization'
  | 'llmBadRequest'
  | 'llmConnection'
  | 'llmServerUnavailable'
  /** The prompt exceeded the model's context window (OpenAI `context_length_exceeded`, Anthropic `prompt is too long`, ...). */
  | 'llmContextLength'
  /** The provider's content filter refused the prompt or the answer (Azure OpenAI `content_filter`, ...). */
  | 'llmContentFilter'
  /** HTTP Request node: a non-2xx status or a transport failure. */
  | 'httpNode'
  | 'timeout'
  /** Knowledge retrieval against a vector database (Weaviate, Qdrant, Milvus, pgvector, ...). */
  | 'vectorDatabase'
  | 'other';

/** Words for each kind, as a developer would say them (Runs view, panel header). */
export const errorKindLabel: Readonly<Record<ErrorKind, string>> = {
  pluginInvoke: 'plugin error',
  pluginDaemon: 'plugin daemon error',
  sandbox: 'code sandbox error',
  llmRateLimit: 'LLM rate limit',
  llmAuthorization: 'LLM authorization error',
  llmBadRequest: 'LLM bad request',
  llmConnection: 'LLM connection error',
  llmServerUnavailable: 'LLM server unavailable',
  llmContextLength: 'LLM context length exceeded',
  llmContentFilter: 'LLM content filter',
  httpNode: 'HTTP request error',
  timeout: 'timeout',
  vectorDatabase: 'vector database error',
  other: 'error',
};
