/**
 * A plugin tool call as a script (Replay Tool Call, issue 16): the plugin's `Tool` subclass built as
 * the dify_plugin SDK builds it for a request (a `ToolRuntime` with the provider's credentials and a
 * `Session`; langgenius/dify-plugin-sdks python/dify_plugin/interfaces/tool, core/runtime.py), its
 * `_invoke` called with the parameters the trace recorded, each message it yields printed. The
 * credentials are read from the environment when it runs (the extension passes them), never
 * written into the file.
 */

export const CREDENTIALS_ENV = 'DIFY_REPLAY_CREDENTIALS';

export interface ToolCallScriptInput {
  /** The plugin project's folder (absolute), put first on the import path. */
  readonly pluginRoot: string;
  /** The tool's Python file relative to the plugin (`tools/get_weather.py`). */
  readonly pythonSource: string;
  readonly className: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly tool: string;
  readonly pluginId: string;
  readonly nodeTitle: string;
  readonly appName: string;
  readonly runId: string;
  readonly cutParameters?: readonly string[];
}

const oneLine = (text: string): string => text.replace(/[\r\n\u2028\u2029]+/g, ' ').slice(0, 200);

/** `tools/get_weather.py` → `tools.get_weather`; undefined when the path is no importable module. */
export function moduleOf(pythonSource: string): string | undefined {
  const parts = pythonSource.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\.py$/, '').split('/');
  return parts.every((p) => /^[A-Za-z_]\w*$/.test(p)) ? parts.join('.') : undefined;
}

export function toolCallScript(input: ToolCallScriptInput): string {
  const module = moduleOf(input.pythonSource);
  if (module === undefined) throw new Error(`${input.pythonSource} is not a Python module path the replay can import`);
  if (!/^[A-Za-z_]\w*$/.test(input.className)) throw new Error(`${input.className} is not a Python class name`);
  // A raw triple-quoted string holds JSON text as it is: JSON never has three quotes in a row, nor ends in a backslash.
  const parameters = JSON.stringify(input.parameters, null, 2);
  const cut = input.cutParameters ?? [];
  return [
    `# Replay of tool ${oneLine(input.tool)} of plugin ${oneLine(input.pluginId)}: node "${oneLine(input.nodeTitle)}" of app "${oneLine(input.appName)}", run ${oneLine(input.runId)}.`,
    '# Written by Dify Trace Explorer: the tool built as the dify_plugin SDK builds it, called with the',
    '# parameters the trace recorded. Credentials come from the environment (set from the plugin\'s .env',
    '# or what you entered once), never from this file. Run it with the plugin\'s own interpreter.',
    ...(cut.length > 0 ? [`# The trace cut or redacted these parameters, so they may differ from what ran: ${cut.map(oneLine).join(', ')}.`] : []),
    'import json',
    'import os',
    'import sys',
    'import traceback',
    'from concurrent.futures import ThreadPoolExecutor',
    '',
    `PLUGIN_ROOT = ${JSON.stringify(input.pluginRoot)}`,
    'sys.path.insert(0, PLUGIN_ROOT)',
    'os.chdir(PLUGIN_ROOT)',
    '',
    'from dify_plugin.core.runtime import Session  # noqa: E402',
    'from dify_plugin.entities.tool import ToolRuntime  # noqa: E402',
    `from ${module} import ${input.className}  # noqa: E402`,
    '',
    `parameters = json.loads(r"""`,
    parameters,
    '""")',
    `credentials = json.loads(os.environ.get(${JSON.stringify(CREDENTIALS_ENV)}) or "{}")`,
    '',
    '# No daemon behind this session: a tool that calls back into Dify (session.model, session.tool, ...) cannot run here.',
    'session = Session(session_id="dify-trace-replay", executor=ThreadPoolExecutor(max_workers=1), reader=None, writer=None)',
    `tool = ${input.className}(runtime=ToolRuntime(credentials=credentials, user_id="dify-trace-replay", session_id=None), session=session)`,
    'try:',
    '    for message in tool._invoke(parameters):',
    '        kind = getattr(message.type, "value", message.type)',
    '        print(f"{kind}: {message.message}")',
    'except BaseException:',
    '    traceback.print_exc()',
    '    exit_code = 1',
    'else:',
    '    exit_code = 0',
    '# Leave without the interpreter\'s shutdown, where the gevent the SDK loads prints errors of its own after the traceback.',
    'sys.stdout.flush()',
    'sys.stderr.flush()',
    'os._exit(exit_code)',
    '',
  ].join('\n');
}
