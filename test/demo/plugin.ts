/**
 * The sample plugin (test/demo/workspace/weather-plugin) as the plugin daemon installs and runs it,
 * and the Python traceback its tool raises in run 2.
 */
import { seededHex } from './ids';

export const PLUGIN = {
  author: 'acme',
  name: 'weather',
  version: '0.0.1',
  provider: 'weather',
  tool: 'get_weather',
  /** Package checksum: SHA-256 hex (64 digits) of the package files; a fixed stand-in here. */
  checksum: seededHex('acme/weather:0.0.1 package', 32),
} as const;

/** `author/name:version@checksum` (langgenius/dify-plugin-daemon:pkg/entities/plugin_entities/identity.go). */
export const PLUGIN_UNIQUE_IDENTIFIER = `${PLUGIN.author}/${PLUGIN.name}:${PLUGIN.version}@${PLUGIN.checksum}`;
/** Tool provider id as Dify stores it for plugin tools: `author/plugin/provider`. */
export const PLUGIN_PROVIDER_ID = `${PLUGIN.author}/${PLUGIN.name}/${PLUGIN.provider}`;

/**
 * Working directory of the installed plugin: PLUGIN_WORKING_PATH/{author}/{name}-{version}@{checksum}
 * (langgenius/dify-plugin-daemon:internal/core/local_runtime/constructor.go buildPluginWorkingPath),
 * PLUGIN_WORKING_PATH = /app/storage/cwd in Dify's docker compose.
 */
export const PLUGIN_WORKING_DIR = `/app/storage/cwd/${PLUGIN.author}/${PLUGIN.name}-${PLUGIN.version}@${PLUGIN.checksum}`;

/** Where the sample plugin lives in this repo, and the line of tools/get_weather.py that raises in run 2. */
export const PLUGIN_SOURCE = {
  repoRoot: 'test/demo/workspace/weather-plugin',
  file: 'tools/get_weather.py',
  line: 28,
  lineText: '            high = day["max_temp_c"]',
} as const;

export const PLUGIN_EXCEPTION = { type: 'KeyError', message: "'max_temp_c'" } as const;

const SITE_PACKAGES = `${PLUGIN_WORKING_DIR}/.venv/lib/python3.12/site-packages`;

/**
 * `traceback.format_exc()` as the SDK captures it in IOServer._execute_request_in_thread
 * (langgenius/dify-plugin-sdks@28d1d22:src/dify_plugin/core/server/io_server.py line 108) and sends to the
 * daemon as args.traceback. Frames and line numbers are those of dify_plugin 0.10.1 (io_server.py 96,
 * plugin.py 574, core/plugin_executor.py 209); the text was checked by running the same call chain
 * with stub modules under CPython 3.12 (the daemon image's Python, docker/local.dockerfile).
 */
export const PLUGIN_TRACEBACK = [
  'Traceback (most recent call last):',
  `  File "${SITE_PACKAGES}/dify_plugin/core/server/io_server.py", line 96, in _execute_request_in_thread`,
  '    self._execute_request(',
  `  File "${SITE_PACKAGES}/dify_plugin/plugin.py", line 574, in _execute_request`,
  '    for message in response:',
  `  File "${SITE_PACKAGES}/dify_plugin/core/plugin_executor.py", line 209, in invoke_tool`,
  '    yield from tool.invoke(request.tool_parameters)',
  `  File "${PLUGIN_WORKING_DIR}/${PLUGIN_SOURCE.file}", line ${PLUGIN_SOURCE.line}, in _invoke`,
  `    ${PLUGIN_SOURCE.lineText.trim()}`,
  '           ~~~^^^^^^^^^^^^^^',
  `${PLUGIN_EXCEPTION.type}: ${PLUGIN_EXCEPTION.message}`,
  '',
].join('\n');

/**
 * The tool node's error: PluginInvokeError.to_user_friendly_error(plugin_name=provider_name)
 * (langgenius/dify:api/core/plugin/impl/exc.py), raised as ToolRuntimeInvocationError by
 * DifyToolNodeRuntime._map_invocation_exception (langgenius/dify, under api/core/workflow; exact file not
 * resolved) while the tool node iterates the message stream, so _run in
 * langgenius/graphon:src/graphon/nodes/tool/tool_node.py stores str(e) with no "Failed to invoke tool:"
 * prefix (that prefix is only for errors raised before the stream starts). The traceback is not in it.
 */
export const TOOL_NODE_ERROR =
  `An error occurred in the ${PLUGIN_PROVIDER_ID}, please contact the author of ${PLUGIN_PROVIDER_ID} for help, ` +
  `error type: ${PLUGIN_EXCEPTION.type}, error details: ${PLUGIN_EXCEPTION.message}`;
