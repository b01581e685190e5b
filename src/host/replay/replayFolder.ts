import * as vscode from 'vscode';
import type { ReplayOutcome } from '../../dify/replay/codeNodeScript';
import { withoutPaths } from '../../dify/replay/secretValues';

/**
 * Writes a replay's files to `.dify-trace/replays/<run>/` in `folder`, with a `.gitignore` there so
 * none of it (inputs recorded in traces) is committed by accident. Returns the first file's URI.
 */
export async function writeReplayFiles(folder: vscode.Uri, runId: string, files: readonly { readonly name: string; readonly content: string }[]): Promise<vscode.Uri> {
  const root = vscode.Uri.joinPath(folder, '.dify-trace');
  const dir = vscode.Uri.joinPath(root, 'replays', runId.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 64));
  await vscode.workspace.fs.createDirectory(dir);
  const ignore = vscode.Uri.joinPath(root, '.gitignore');
  try {
    await vscode.workspace.fs.stat(ignore);
  } catch {
    await vscode.workspace.fs.writeFile(ignore, Buffer.from('# Replays hold inputs recorded in traces: not for commits.\n*\n'));
  }
  const uris = [];
  for (const file of files) {
    const uri = vscode.Uri.joinPath(dir, file.name);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(file.content));
    uris.push(uri);
  }
  return uris[0]!;
}

/** A file name from a node or tool name: lower case, dashes, never empty. */
export const fileStem = (title: string): string => title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'replay';

/** Says how the replay ended next to the trace; a failure offers to go to the line it failed on. */
export async function showOutcome(message: string, outcome: ReplayOutcome, failedIn: vscode.Uri | undefined): Promise<void> {
  const goTo = 'Go to Line';
  const canGo = outcome.line !== undefined && failedIn !== undefined;
  const pick = await (outcome.failed ? vscode.window.showWarningMessage(message, ...(canGo ? [goTo] : [])) : vscode.window.showInformationMessage(message));
  if (pick !== goTo || !canGo) return;
  const editor = await vscode.window.showTextDocument(failedIn, { preview: false });
  const position = new vscode.Position(outcome.line - 1, 0);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenter);
}

/** Without the Python Debugger extension, a replay runs in a terminal; the terminal says how to stop on the exception instead. */
export function pythonDebuggerNote(): string | undefined {
  return !hasPythonDebugger()
    ? 'Running in a terminal: to stop on the exception under the debugger, install the Python Debugger extension (ms-python.debugpy).'
    : undefined;
}

/**
 * Recorded values whose keys look secret go into a replay file only when the user says so; else they
 * are replaced by a marker. Undefined when the user cancels.
 */
export async function withSecretsConfirmed(values: Readonly<Record<string, unknown>>, secretPaths: readonly string[], what: string): Promise<Readonly<Record<string, unknown>> | undefined> {
  if (secretPaths.length === 0) return values;
  const write = 'Write Them';
  const leaveOut = 'Leave Them Out';
  const pick = await vscode.window.showWarningMessage(
    `The recorded ${what} hold values that look secret (${secretPaths.join(', ')}). Write them into the replay file, which stays in this workspace (git-ignored)?`,
    { modal: true },
    write,
    leaveOut,
  );
  if (pick === undefined) return undefined;
  return pick === write ? values : withoutPaths(values, secretPaths);
}


/** Whether the Python Debugger extension is installed: Python replays then run under it instead of in a terminal. */
export const hasPythonDebugger = (): boolean => vscode.extensions.getExtension('ms-python.debugpy') !== undefined;

/**
 * Starts a replay under VS Code's debugger, with a breakpoint on the line the trace says failed
 * (whether the debugger pauses on uncaught exceptions is the user's setting, off by default).
 */
export async function debugReplay(configuration: vscode.DebugConfiguration, stopAt: { readonly file: vscode.Uri; readonly line: number } | undefined, folder: vscode.WorkspaceFolder | undefined): Promise<void> {
  if (stopAt !== undefined) {
    const already = vscode.debug.breakpoints.some((b) => b instanceof vscode.SourceBreakpoint && b.location.uri.toString() === stopAt.file.toString() && b.location.range.start.line === stopAt.line - 1);
    if (!already) vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(stopAt.file, new vscode.Position(stopAt.line - 1, 0)), true)]);
  }
  const started = await vscode.debug.startDebugging(folder, configuration);
  if (!started) void vscode.window.showWarningMessage(`The debugger did not start for ${String(configuration['program'])}.`);
}
