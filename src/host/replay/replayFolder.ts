import * as vscode from 'vscode';
import type { ReplayOutcome } from '../../dify/replay/codeNodeScript';

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
  return vscode.extensions.getExtension('ms-python.debugpy') === undefined
    ? 'Running in a terminal: to stop on the exception under the debugger, install the Python Debugger extension (ms-python.debugpy).'
    : undefined;
}
