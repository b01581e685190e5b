import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { codeNodeScript, exceptionType, replayOutcome, type ReplayOutcome } from '../../dify/replay/codeNodeScript';
import type { CodeNodeReplayRequest } from '../../shared/lspProtocol';
import type { TracePanels } from '../panel/tracePanels';
import { goToSourceTarget } from '../sourceLinks/openSourceFrame';
import { activeTraceRootCause, pickFailedRun } from './replayTarget';
import type { TraceServerClient } from '../traceServerClient';
import { runInTerminal } from './processTerminal';
import { debugReplay, fileStem, hasPythonDebugger, pythonDebuggerNote, showOutcome, withSecretsConfirmed, writeReplayFiles } from './replayFolder';

export const replayCodeNodeCommand = 'difyTrace.replayCodeNode';

type Client = Pick<TraceServerClient, 'codeNodeReplay' | 'findTraces' | 'listRuns'>;
type Replay = Extract<CodeNodeReplayRequest.Result, { ok: true }>;


/**
 * Replay Code Node: the failing Code node's code, from the app's DSL, with the inputs the trace
 * recorded, written to `.dify-trace/replays/<run>/<node>.py|.js` and run as Dify's runner runs it:
 * Python in a terminal (its outcome compared with the trace), JavaScript under VS Code's own
 * debugger, which stops on the uncaught exception.
 */
export class CodeNodeReplays {
  constructor(
    private readonly client: Client,
    private readonly panels: Pick<TracePanels, 'activeTraceId'>,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  /** From the trace panel (trace and span), the Runs view (a run: its root cause), or the palette (the trace in front, else a pick). */
  async replay(first: unknown, second: unknown): Promise<void> {
    const target =
      goToSourceTarget(first, second) ??
      (await activeTraceRootCause(this.client, this.panels)) ??
      (await pickFailedRun(this.client, { status: ['failed'], errorKinds: ['sandbox'] }, () => true, {
        title: 'Dify Trace: Replay Code Node',
        placeHolder: 'Pick the run whose failing Code node to replay',
        none: 'No run failed in a Code node. Replay Code Node runs a failing Code node again: open its trace, or right-click its run in the Runs view.',
        step: 'Code node',
      }));
    if (target === undefined) return;
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Preparing the replay…' }, () => this.client.codeNodeReplay({ traceId: target.traceId.toLowerCase(), spanId: target.spanId.toLowerCase() }));
    if (!result.ok) {
      void vscode.window.showWarningMessage(result.reason);
      return;
    }
    const inputs = await withSecretsConfirmed(result.inputs, result.secretInputs, `inputs of ${result.title}`);
    if (inputs === undefined) return;
    if (result.cutInputs.length > 0) void vscode.window.showWarningMessage(`The trace cut or redacted these inputs of ${result.title}, so the replay may not run what ran: ${result.cutInputs.join(', ')}. They are marked in the file.`);
    const file = await this.write({ ...result, inputs });
    await vscode.window.showTextDocument(file, { preview: false });
    // Python under the debugger only with the Python Debugger extension; else in a terminal, compared with the trace.
    if (result.language === 'javascript' || hasPythonDebugger()) await this.debug(result, file);
    else await this.runAndCompare(result, file);
  }

  /** The script (and the side file of large inputs) in the replays folder of the DSL's workspace folder. */
  private async write(replay: Replay): Promise<vscode.Uri> {
    const dsl = vscode.Uri.parse(replay.dslUri);
    const folder = vscode.workspace.getWorkspaceFolder(dsl)?.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(dirname(dsl.fsPath));
    const stem = fileStem(replay.title);
    const script = codeNodeScript({ language: replay.language, code: replay.code, inputs: replay.inputs, nodeTitle: replay.title, appName: replay.appName, runId: replay.runId, sideFileName: `${stem}.inputs.json`, cutInputs: replay.cutInputs });
    const file = await writeReplayFiles(folder, replay.runId, [
      { name: `${stem}.${replay.language === 'python3' ? 'py' : 'js'}`, content: script.text },
      ...(script.sideFile === undefined ? [] : [{ name: `${stem}.inputs.json`, content: script.sideFile }]),
    ]);
    this.output.info(`Replay of Code node "${replay.title}" written to ${file.fsPath}${replay.candidates > 1 ? ` (the first of ${replay.candidates} DSL files with that node)` : ''}`);
    return file;
  }

  private async runAndCompare(replay: Replay, file: vscode.Uri): Promise<void> {
    const python = process.platform === 'win32' ? 'python' : 'python3';
    const note = pythonDebuggerNote();
    const ran = await runInTerminal(`Replay: ${replay.title}`, python, [file.fsPath], dirname(file.fsPath), note === undefined ? {} : { note });
    const outcome = replayOutcome('python3', ran.exitCode, ran.stderr, file.fsPath.split(/[\\/]/).at(-1)!);
    const expected = { ...(replay.expected.exception === undefined ? {} : { exception: replay.expected.exception }), ...(replay.expected.userLine === undefined ? {} : { line: replay.expected.userLine }) };
    const message = compareWithTrace({ title: replay.title, expected }, outcome);
    this.output.info(message);
    await showOutcome(message, outcome, file);
  }

  /** Under VS Code's debugger (js-debug for JavaScript, debugpy for Python), stopped on the node's line the trace says failed. */
  private async debug(replay: Replay, file: vscode.Uri): Promise<void> {
    const line = replay.expected.userLine;
    await debugReplay(
      {
        type: replay.language === 'javascript' ? 'node' : 'debugpy',
        request: 'launch',
        name: `Replay: ${replay.title}`,
        program: file.fsPath,
        cwd: dirname(file.fsPath),
        ...(replay.language === 'javascript' ? { skipFiles: ['<node_internals>/**'] } : { console: 'integratedTerminal' }),
      },
      line === undefined ? undefined : { file, line },
      vscode.workspace.getWorkspaceFolder(file),
    );
  }
}

/** What the replay's outcome says next to the trace's: the same failure, another one, or none (and why that can be). */
export function compareWithTrace(replay: { readonly title: string; readonly expected: { readonly exception?: string; readonly line?: number } }, outcome: ReplayOutcome): string {
  const then = replay.expected.exception === undefined ? 'the failure in the trace' : `${replay.expected.exception}${replay.expected.line === undefined ? '' : ` at line ${replay.expected.line}`}`;
  if (!outcome.failed) {
    return `The replay of ${replay.title} passed, where the run failed with ${then}: the fix worked, or the failure depends on something the trace did not record (credentials, network, time, files).`;
  }
  const now = `${outcome.exception ?? 'an error'}${outcome.line === undefined ? '' : ` at line ${outcome.line}`}`;
  const sameType = exceptionType(outcome.exception) !== undefined && exceptionType(outcome.exception) === exceptionType(replay.expected.exception);
  const sameLine = replay.expected.line === undefined || outcome.line === replay.expected.line;
  if (sameType && sameLine) return `The replay of ${replay.title} failed as the run did: ${now}.`;
  return `The replay of ${replay.title} failed differently: now ${now}; in the trace ${then}.`;
}
