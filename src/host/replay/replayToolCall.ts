import { basename } from 'node:path';
import * as vscode from 'vscode';
import { replayOutcome } from '../../dify/replay/codeNodeScript';
import { CREDENTIALS_ENV, toolCallScript } from '../../dify/replay/toolCallScript';
import type { ToolCallReplayRequest } from '../../shared/lspProtocol';
import type { TracePanels } from '../panel/tracePanels';
import { goToSourceTarget } from '../sourceLinks/openSourceFrame';
import { activeTraceRootCause, pickFailedRun } from './replayTarget';
import type { TraceServerClient } from '../traceServerClient';
import { runInTerminal } from './processTerminal';
import { compareWithTrace } from './replayCodeNode';
import { debugReplay, fileStem, hasPythonDebugger, pythonDebuggerNote, showOutcome, withSecretsConfirmed, writeReplayFiles } from './replayFolder';
import { parseDotEnv } from '../../shared/dotEnv';

export const replayToolCallCommand = 'difyTrace.replayToolCall';

type Client = Pick<TraceServerClient, 'toolCallReplay' | 'findTraces' | 'listRuns'>;
type Replay = Extract<ToolCallReplayRequest.Result, { ok: true }>;

/** Where a plugin project's own interpreter is, in the layouts `python -m venv` and uv make. */
const venvPythons = ['.venv/bin/python', 'venv/bin/python', '.venv/Scripts/python.exe', 'venv/Scripts/python.exe'];
const secretKey = (pluginId: string): string => `difyTrace.replay.credentials/${pluginId}`;

/**
 * Replay Tool Call: a failed plugin tool call run again in the workspace. The tool's class is built
 * as the dify_plugin SDK builds it and `_invoke` called with the parameters the trace recorded, by
 * the plugin's own interpreter (its venv) in a terminal; the credentials come from the plugin's
 * `.env` or are asked for once and kept in SecretStorage, and reach the process in its environment,
 * never the file. The outcome is compared with the trace.
 */
export class ToolCallReplays {
  constructor(
    private readonly client: Client,
    private readonly panels: Pick<TracePanels, 'activeTraceId'>,
    private readonly secrets: vscode.SecretStorage,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  async replay(first: unknown, second: unknown): Promise<void> {
    const target =
      goToSourceTarget(first, second) ??
      (await activeTraceRootCause(this.client, this.panels)) ??
      (await pickFailedRun(this.client, { status: ['failed'], errorKinds: ['pluginInvoke', 'pluginDaemon', 'timeout'] }, (run) => run.toolCalls?.some((c) => c.failed) === true, {
        title: 'Dify Trace: Replay Tool Call',
        placeHolder: 'Pick the run whose failed tool call to replay',
        none: 'No run failed in a plugin tool. Replay Tool Call runs a failed plugin tool call again: open its trace, or right-click its run in the Runs view.',
        step: 'tool',
      }));
    if (target === undefined) return;
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Preparing the replay…' }, () => this.client.toolCallReplay({ traceId: target.traceId.toLowerCase(), spanId: target.spanId.toLowerCase() }));
    if (!result.ok) {
      void vscode.window.showWarningMessage(result.reason);
      return;
    }
    const root = vscode.Uri.file(result.pluginRoot);
    const python = await this.interpreterOf(root);
    if (python === undefined) {
      void vscode.window.showWarningMessage(
        `The plugin ${result.pluginId} has no virtual environment in ${result.pluginRoot} (.venv or venv), so its tool cannot run with its own packages. Create it there (python3 -m venv .venv && .venv/bin/pip install -r requirements.txt), then replay again.`,
      );
      return;
    }
    const credentials = await this.credentialsOf(result, root);
    if (credentials === undefined) return;
    if (result.cutParameters.length > 0) void vscode.window.showWarningMessage(`The trace cut or redacted these parameters of ${result.tool}, so the replay may not call what ran: ${result.cutParameters.join(', ')}. They are marked in the file.`);
    const parameters = await withSecretsConfirmed(result.parameters, result.secretParameters, `parameters of ${result.tool}`);
    if (parameters === undefined) return;
    const folder = vscode.workspace.getWorkspaceFolder(root)?.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri ?? root;
    const file = await writeReplayFiles(folder, result.runId, [{ name: `${fileStem(result.tool)}.py`, content: toolCallScript({ ...result, parameters, nodeTitle: result.title }) }]);
    this.output.info(`Replay of tool ${result.tool} (${result.pluginId}) written to ${file.fsPath}; running it with ${python.fsPath}`);
    await vscode.window.showTextDocument(file, { preview: false });
    const env = { [CREDENTIALS_ENV]: JSON.stringify(credentials) };
    if (hasPythonDebugger()) {
      // Under debugpy with the plugin's interpreter, stopped on the tool's line the trace says failed.
      const toolFile = vscode.Uri.joinPath(root, result.pythonSource);
      await debugReplay(
        { type: 'debugpy', request: 'launch', name: `Replay: ${result.tool}`, program: file.fsPath, python: python.fsPath, cwd: result.pluginRoot, env, justMyCode: false, console: 'integratedTerminal' },
        result.expected.line === undefined ? undefined : { file: toolFile, line: result.expected.line },
        vscode.workspace.getWorkspaceFolder(root),
      );
      return;
    }
    const note = pythonDebuggerNote();
    const ran = await runInTerminal(`Replay: ${result.tool}`, python.fsPath, [file.fsPath], result.pluginRoot, { env, ...(note === undefined ? {} : { note }) });
    const outcome = replayOutcome('python3', ran.exitCode, ran.stderr, basename(result.pythonSource));
    const message = compareWithTrace({ title: result.tool, expected: { ...(result.expected.exception === undefined ? {} : { exception: result.expected.exception }), ...(result.expected.line === undefined ? {} : { line: result.expected.line }) } }, outcome);
    this.output.info(message);
    await showOutcome(message, outcome, vscode.Uri.joinPath(root, result.pythonSource));
  }

  private async interpreterOf(root: vscode.Uri): Promise<vscode.Uri | undefined> {
    for (const relative of venvPythons) {
      const candidate = vscode.Uri.joinPath(root, relative);
      try {
        await vscode.workspace.fs.stat(candidate);
        return candidate;
      } catch {
        // Not this layout.
      }
    }
    return undefined;
  }

  /** The provider's credentials: the plugin's `.env` (the name as declared or upper-cased), then what was entered before, then asked for. */
  private async credentialsOf(replay: Replay, root: vscode.Uri): Promise<Record<string, string> | undefined> {
    const fromEnv = await readDotEnv(vscode.Uri.joinPath(root, '.env'));
    const stored = parseJsonObject(await this.secrets.get(secretKey(replay.pluginId)));
    const credentials: Record<string, string> = {};
    let asked = false;
    for (const credential of replay.credentials) {
      const value = fromEnv[credential.name] ?? fromEnv[credential.name.toUpperCase()] ?? stored[credential.name];
      if (value !== undefined) {
        credentials[credential.name] = value;
        continue;
      }
      const entered = await vscode.window.showInputBox({
        title: `Replay ${replay.tool}: credential ${credential.name} of ${replay.pluginId}`,
        prompt: `The trace does not hold credentials. Kept in VS Code's secret storage for the next replay, never written into the replay file.${credential.required ? '' : ' Optional: leave empty to go without.'}`,
        password: credential.secret,
        ignoreFocusOut: true,
      });
      if (entered === undefined) {
        void vscode.window.showInformationMessage(`Replay of ${replay.tool} cancelled: it needs the credential ${credential.name} (or put it in ${root.fsPath}/.env).`);
        return undefined;
      }
      if (entered !== '') credentials[credential.name] = entered;
      asked = true;
    }
    if (asked) {
      const toKeep = Object.fromEntries(Object.entries(credentials).filter(([name]) => fromEnv[name] === undefined && fromEnv[name.toUpperCase()] === undefined));
      await this.secrets.store(secretKey(replay.pluginId), JSON.stringify({ ...stored, ...toKeep }));
    }
    return credentials;
  }
}

/** `KEY=value` lines of a dotenv file (comments, `export`, quotes); empty when there is none. */
export async function readDotEnv(uri: vscode.Uri): Promise<Record<string, string>> {
  let text: string;
  try {
    text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
  } catch {
    return {};
  }
  return parseDotEnv(text);
}

function parseJsonObject(text: string | undefined): Record<string, string> {
  if (text === undefined) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
  } catch {
    return {};
  }
}
