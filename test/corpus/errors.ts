/**
 * Error texts Dify records on a failing node (node_execution.error), by ErrorKind. Where the text is
 * assembled by Dify / the plugin SDK / dify-sandbox the format is copied from the cited source; the
 * provider-specific tail (what OpenAI or Qdrant said) is an illustrative sample (see README "Unverified").
 */
import type { ErrorKind } from '../../src/dify/errorKind';
import { PLUGIN_PROVIDER_ID, TOOL_NODE_ERROR } from '../demo/plugin';
import { sandboxError } from '../demo/sandbox';
import { seededUuid } from '../demo/ids';

export interface NodeError {
  readonly kind: ErrorKind;
  readonly text: string;
  /** Code node language revealed by the error text (traceback style). */
  readonly codeLanguage?: 'python3' | 'javascript';
}

/** get_request_id() of api/extensions/ext_logging.py: a uuid4 hex fragment per request (deterministic stand-in). */
const REQ_ID = seededUuid('corpus:req-id').replaceAll('-', '').slice(0, 10);
const PRESCRIPT = seededUuid('corpus:sandbox-prescript').replaceAll('-', '_');

/**
 * PluginInvokeError.to_user_friendly_error (langgenius/dify:api/core/plugin/impl/exc.py), the tool node's error
 * when the plugin raised while streaming (test/demo/plugin.ts TOOL_NODE_ERROR).
 */
export const pluginInvokeFriendly: NodeError = { kind: 'pluginInvoke', text: TOOL_NODE_ERROR };

/**
 * Raised before the stream starts: graphon tool_node.py "Failed to invoke tool: {e}" with
 * str(PluginInvokeError) = "req_id: {id} PluginInvokeError: {description}" (exc.py PluginDaemonError.__str__),
 * description = the daemon's inner JSON {error_type, message, args} (dify-plugin-sdks io_server.py).
 */
export const pluginInvokeRaw: NodeError = {
  kind: 'pluginInvoke',
  text: `Failed to invoke tool: req_id: ${REQ_ID} PluginInvokeError: {"args":{},"error_type":"ToolProviderCredentialValidationError","message":"Invalid API key for ${PLUGIN_PROVIDER_ID}"}`,
};

/** PluginDaemonInternalServerError / PluginDaemonUnavailableError (exc.py; "no available node, plugin runtime not found" is a marker listed there). */
export const pluginDaemonUnavailable: NodeError = {
  kind: 'pluginDaemon',
  text: `req_id: ${REQ_ID} PluginDaemonInternalServerError: no available node, plugin runtime not found`,
};
export const pluginNotFound: NodeError = {
  kind: 'pluginDaemon',
  text: `Failed to get tool runtime: req_id: ${REQ_ID} PluginNotFoundError: plugin not found, please install it first`,
};

/** dify-sandbox current prescript: exec(compile(code, "<fd3>", "exec")) — test/demo/sandbox.ts sandboxError. */
export const sandboxFd3: NodeError = { kind: 'sandbox', text: sandboxError(PRESCRIPT), codeLanguage: 'python3' };

/** Older dify-sandbox: exec(code) on the decrypted runner, frames are File "<string>". Older responses have no exit-code line. */
export const sandboxString: NodeError = {
  kind: 'sandbox',
  codeLanguage: 'python3',
  text: [
    'Traceback (most recent call last):',
    `  File "/var/sandbox/sandbox-python/tmp/${PRESCRIPT}.py", line 48, in <module>`,
    `  File "<string>", line 13, in <module>`,
    `  File "<string>", line 3, in main`,
    "KeyError: 'items'",
    'error: exit status 255',
  ].join('\n'),
};

/** Node.js runner: eval(fs.readFileSync(3,'utf8')) in prescript.js; user line N = runner line N + 2. */
export const sandboxJs: NodeError = {
  kind: 'sandbox',
  codeLanguage: 'javascript',
  text: [
    'process exited with code 1',
    'undefined:5',
    '  const total = args.items.reduce((a, b) => a + b.price, 0);',
    '                          ^',
    '',
    "TypeError: Cannot read properties of undefined (reading 'reduce')",
    `    at main (eval at <anonymous> (/var/sandbox/sandbox-nodejs/tmp/${PRESCRIPT}.js:38:1), <anonymous>:5:27)`,
    `    at eval (eval at <anonymous> (/var/sandbox/sandbox-nodejs/tmp/${PRESCRIPT}.js:38:1), <anonymous>:12:18)`,
    `    at Object.<anonymous> (/var/sandbox/sandbox-nodejs/tmp/${PRESCRIPT}.js:38:1)`,
    '',
    'Node.js v20.11.1',
    '',
  ].join('\n'),
};

/** api/core/helper/code_executor/code_executor.py: HTTP 503 from the sandbox. */
export const sandboxUnavailable: NodeError = { kind: 'sandbox', text: 'Code execution service is unavailable' };

/**
 * Model errors: the plugin SDK's _transform_invoke_error builds "[{provider}] {InvokeError.description}, {str(error)}"
 * (langgenius/dify-plugin-sdks: dify_plugin/interfaces/model/ai_model.py), Dify re-types them from args.description
 * (api/core/plugin/impl/base.py) and the LLM node stores str(e) = description.
 */
export const llmRateLimit: NodeError = {
  kind: 'llmRateLimit',
  text: "[openai] Rate Limit Error, Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o-mini in organization org-corpus on tokens per min (TPM): Limit 200000, Used 199981, Requested 1204. Please try again in 355ms.', 'type': 'tokens', 'param': None, 'code': 'rate_limit_exceeded'}}",
};
export const llmAuthorization: NodeError = {
  kind: 'llmAuthorization',
  text: '[openai] Incorrect model credentials provided, please check and try again. ',
};
export const llmBadRequest: NodeError = {
  kind: 'llmBadRequest',
  text: "[openai] Bad Request Error, Error code: 400 - {'error': {'message': \"Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3.5 instead.\", 'type': 'invalid_request_error', 'param': 'temperature', 'code': 'decimal_above_max_value'}}",
};
/** Dify's InvokeBadRequestError carrying the provider's context-length code: the more specific kind wins. */
export const llmContextLength: NodeError = {
  kind: 'llmContextLength',
  text: "[openai] Bad Request Error, Error code: 400 - {'error': {'message': \"This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.\", 'type': 'invalid_request_error', 'param': 'messages', 'code': 'context_length_exceeded'}}",
};
/** Azure OpenAI's content filter, as Dify's InvokeBadRequestError text. */
export const llmContentFilter: NodeError = {
  kind: 'llmContentFilter',
  text: "[azure_openai] Bad Request Error, Error code: 400 - {'error': {'message': \"The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.\", 'type': None, 'param': 'prompt', 'code': 'content_filter', 'status': 400}}",
};
/**
 * A model plugin that let the provider SDK's own exception through (no invoke-error mapping): Dify
 * keeps it as a PluginInvokeError (api/core/plugin/impl/base.py _handle_plugin_daemon_error default
 * branch) whose message carries the provider's status and error code.
 */
export const llmPluginRateLimit: NodeError = {
  kind: 'llmRateLimit',
  text: `req_id: ${REQ_ID} PluginInvokeError: {"args":{},"error_type":"RateLimitError","message":"Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o in organization org-corpus on requests per min (RPM): Limit 500, Used 500, Requested 1.', 'type': 'requests', 'param': None, 'code': 'rate_limit_exceeded'}}"}`,
};
/** The same with an invalid key (the OpenAI SDK's AuthenticationError). */
export const llmPluginAuthorization: NodeError = {
  kind: 'llmAuthorization',
  text: `req_id: ${REQ_ID} PluginInvokeError: {"args":{},"error_type":"AuthenticationError","message":"Error code: 401 - {'error': {'message': 'Incorrect API key provided: sk-corp****0001.', 'type': 'invalid_request_error', 'param': None, 'code': 'invalid_api_key'}}"}`,
};
/** A plugin call the daemon ended at its limit: `killed by timeout` (dify-plugin-daemon internal/service/base_sse.go), a PluginDaemonInternalServerError. */
export const pluginKilledByTimeout: NodeError = {
  kind: 'timeout',
  text: `Failed to invoke tool: req_id: ${REQ_ID} PluginDaemonInternalServerError: killed by timeout`,
};
export const llmConnection: NodeError = { kind: 'llmConnection', text: '[openai] Connection Error, Connection error.' };
export const llmServerUnavailable: NodeError = {
  kind: 'llmServerUnavailable',
  text: "[anthropic] Server Unavailable Error, Error code: 529 - {'type': 'error', 'error': {'type': 'overloaded_error', 'message': 'Overloaded'}}",
};

/** HTTP Request node (graphon nodes/http_request): non-2xx with an error strategy, and the transport failure after retries. */
export const httpStatus: NodeError = {
  kind: 'httpNode',
  text: 'HTTP request failed with status code 502: <html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
};
export const httpTransport: NodeError = { kind: 'httpNode', text: 'Reached maximum retries (3) for URL https://api.orders.example.com/v2/orders/8812' };

/** Timeouts: code executor network timeout (code_executor.py) and the graph engine's execution-time limit. */
export const sandboxTimeout: NodeError = {
  kind: 'timeout',
  text: 'Failed to execute code, which is likely a network issue, please check if the sandbox service is running. ( Error: timed out )',
};
export const workflowTimeout: NodeError = { kind: 'timeout', text: 'Max execution time 1200s reached.' };

/** Knowledge retrieval against a vector store (api/core/rag/datasource/vdb/*): client errors surface as str(e). */
export const weaviateDown: NodeError = {
  kind: 'vectorDatabase',
  text: 'Could not connect to Weaviate:Connection to Weaviate failed. Details: [Errno 111] Connection refused.',
};
export const qdrantMissing: NodeError = {
  kind: 'vectorDatabase',
  text: 'Unexpected Response: 404 (Not Found)\nRaw response content:\nb\'{"status":{"error":"Not found: Collection `Vector_index_5f1c2a7e_9d1b_4c3e_8a0f_2b6d7e9c1a44_Node` doesn\\\'t exist!"},"time":0.000021}\'',
};

/** Everything else, e.g. a list-operator filter on a missing variable. */
export const other: NodeError = { kind: 'other', text: 'Variable sys.files not found' };
