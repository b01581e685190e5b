import { realpath } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import * as vscode from 'vscode';
import type { SourceLocation, SourceLocationsRequest, SourceStack } from '../../shared/lspProtocol';
import type { RunSummary } from '../../shared/runSummary';
import type { TraceServerClient } from '../traceServerClient';

export const goToSourceCommand = 'difyTrace.goToSource';

type Resolution = NonNullable<SourceLocationsRequest.Result>;

/** What "Go to Source" was invoked on: a span from the panel, a run from the Runs view or the palette. */
export type GoToSourceTarget = { readonly traceId: string; readonly spanId: string };

/**
 * The span a command argument names: `(traceId, spanId)` from the panel's button, the webview
 * context menu's `data-vscode-context` object, or a Runs view item (its run's root cause).
 */
export function goToSourceTarget(first: unknown, second: unknown): GoToSourceTarget | undefined {
  if (typeof first === 'string' && typeof second === 'string') return { traceId: first, spanId: second };
  if (typeof first !== 'object' || first === null) return undefined;
  const value = first as { traceId?: unknown; spanId?: unknown; kind?: unknown; run?: RunSummary };
  if (typeof value.traceId === 'string' && typeof value.spanId === 'string') return { traceId: value.traceId, spanId: value.spanId };
  const rootCause = value.kind === 'run' ? value.run?.rootCause : undefined;
  return rootCause ? { traceId: rootCause.traceId, spanId: rootCause.spanId } : undefined;
}

function frameList(stacks: readonly SourceStack[]): string {
  return stacks
    .flatMap((s) => s.frames)
    .map((f) => `${f.file}:${f.line}${f.function ? ` in ${f.function}` : ''}${f.isUserCode ? '' : ' (library)'}`)
    .join('\n');
}

/**
 * Opens one stack frame the trace panel showed as mapped. The location comes from the webview, so
 * only a file inside an open workspace folder is opened.
 */
/** Whether a file URI lies inside a workspace folder, `..` and symbolic links resolved. */
async function insideWorkspace(uri: vscode.Uri): Promise<boolean> {
  if (uri.scheme !== 'file') return false;
  try {
    const real = vscode.Uri.file(await realpath(uri.fsPath));
    const folder = vscode.workspace.getWorkspaceFolder(real) ?? (await realFolderOf(real));
    return folder !== undefined;
  } catch {
    return false;
  }
}

/** A workspace folder whose own real path holds `real` (a folder opened through a symlink). */
async function realFolderOf(real: vscode.Uri): Promise<vscode.WorkspaceFolder | undefined> {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const root = await realpath(folder.uri.fsPath).catch(() => undefined);
    if (root !== undefined && !relative(root, real.fsPath).startsWith('..') && !isAbsolute(relative(root, real.fsPath))) return folder;
  }
  return undefined;
}

export async function openFrameLocation(uri: string, line: number, character: number, output: vscode.LogOutputChannel): Promise<void> {
  const target = vscode.Uri.parse(uri, true);
  if (!(await insideWorkspace(target))) {
    output.warn(`Not opening ${uri}: it is outside the workspace folders`);
    return;
  }
  try {
    const position = new vscode.Position(line, character);
    await vscode.window.showTextDocument(target, { selection: new vscode.Range(position, position), preview: true });
  } catch (e) {
    void vscode.window.showErrorMessage(`Could not open ${target.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function toRange(location: SourceLocation): vscode.Range {
  const { start, end } = location.range;
  return new vscode.Range(start.line, start.character, end.line, end.character);
}

/**
 * Opens the place a failing span points at (the trace server finds it: a plugin file's line, or a
 * Code node's line in the app's exported DSL), selects it, and shows the exception beside it.
 * Several candidates: a quick pick. None: the reason, the frames, and the next step.
 */
export class SourceOpener implements vscode.Disposable {
  private decoration: vscode.TextEditorDecorationType | undefined;

  constructor(
    private readonly client: TraceServerClient,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  /** Go to Source with nothing selected: pick one of the recent failed runs. */
  async pickRun(): Promise<void> {
    const { runs } = await this.client.listRuns({ filter: { status: ['failed', 'partial-succeeded'] }, limit: 50 });
    const failed = runs.filter((r) => r.rootCause);
    if (failed.length === 0) {
      void vscode.window.showInformationMessage('Go to Source: no failed run has arrived yet. Run a workflow that fails, or select a failing span in a trace panel.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      failed.map((run) => ({
        label: `${run.appName} · ${run.failingNode?.title ?? run.rootCause?.name ?? 'failed'}`,
        description: new Date(run.startMs).toLocaleString(),
        detail: run.errorMessage?.split('\n')[0]?.slice(0, 200) ?? '',
        run,
      })),
      { title: 'Go to Source: which failed run?', matchOnDetail: true },
    );
    if (picked?.run.rootCause) await this.goToSource(picked.run.rootCause.traceId, picked.run.rootCause.spanId);
  }

  async goToSource(traceId: string, spanId: string, dslUri?: vscode.Uri): Promise<void> {
    const started = performance.now();
    const result = await this.client.sourceLocations({ traceId, spanId, ...(dslUri ? { dslUri: dslUri.toString() } : {}) });
    if (result === null) {
      void vscode.window.showWarningMessage(`Go to Source: span ${spanId} is no longer in the trace server's memory (older traces are dropped first; see the setting difyTrace.store.maxSpans).`);
      return;
    }
    if (result.locations.length === 0) {
      await this.explainMissing(traceId, spanId, result);
      return;
    }
    const location = result.locations.length === 1 ? result.locations[0] : await this.pick(result);
    if (!location) return;
    await this.open(location, result, dslUri);
    this.output.info(`Go to Source: opened ${location.label} (${location.via}) in ${(performance.now() - started).toFixed(0)} ms`);
    if (result.problem && result.locations.length === 1) void vscode.window.showInformationMessage(`Go to Source: ${result.problem}`);
  }

  private async pick(result: Resolution): Promise<SourceLocation | undefined> {
    const picked = await vscode.window.showQuickPick(
      result.locations.map((location) => ({
        label: vscode.workspace.asRelativePath(vscode.Uri.parse(location.uri)),
        description: `line ${location.range.start.line + 1}`,
        detail: location.label,
        location,
      })),
      { title: `Go to Source: ${result.problem ?? 'several places match'}`, placeHolder: 'Open which one?', matchOnDetail: true },
    );
    return picked?.location;
  }

  private async explainMissing(traceId: string, spanId: string, result: Resolution): Promise<void> {
    const problem = result.problem ?? 'No source location was found for this span.';
    this.output.info(`Go to Source: ${problem}\nframes:\n${frameList(result.stacks)}`);
    const actions: string[] = [];
    if (result.codeNode) actions.push('Open Exported DSL…', 'Show Error');
    else if (result.stacks.some((s) => s.frames.length > 0)) actions.push('Copy Frames', 'Path Mappings…');
    const pick = await vscode.window.showWarningMessage(`Go to Source: ${problem}`, frameList(result.stacks) === '' ? {} : { detail: frameList(result.stacks) }, ...actions);
    switch (pick) {
      case 'Open Exported DSL…': {
        const chosen = await vscode.window.showOpenDialog({ title: `The exported DSL of app "${result.codeNode?.appName ?? ''}"`, filters: { 'Dify DSL': ['yml', 'yaml'] }, canSelectMany: false });
        if (chosen?.[0]) await this.goToSource(traceId, spanId, chosen[0]);
        break;
      }
      case 'Show Error':
        if (result.codeNode) await this.showCodeNodeError(result.codeNode);
        break;
      case 'Copy Frames':
        await vscode.env.clipboard.writeText(frameList(result.stacks));
        break;
      case 'Path Mappings…':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'difyTrace.pathMappings');
        break;
    }
  }

  /**
   * No DSL to map into: the node's error in an untitled editor, the sandbox frame of the failing
   * line selected. Dify's traces carry the error, not the node's code, so the code itself cannot be shown.
   */
  private async showCodeNodeError(codeNode: NonNullable<Resolution['codeNode']>): Promise<void> {
    const header = `# Code node "${codeNode.title}" of app "${codeNode.appName}"${codeNode.userLine ? `: failed at line ${codeNode.userLine} of its code` : ''}\n# Export the app's DSL into the workspace to open that line in the node's code.\n\n`;
    const document = await vscode.workspace.openTextDocument({ content: header + codeNode.errorText, language: codeNode.language === 'javascript' ? 'javascript' : 'python' });
    const lines = document.getText().split('\n');
    const runnerLine = lines.findLastIndex((l) => /File "<(fd3|string)>", line \d+|<anonymous>:\d+:\d+/.test(l));
    const index = runnerLine >= 0 ? runnerLine : 0;
    const selection = new vscode.Selection(index, 0, index, lines[index]?.length ?? 0);
    await vscode.window.showTextDocument(document, { selection, preview: true });
  }

  private async open(location: SourceLocation, result: Resolution, userPicked?: vscode.Uri): Promise<void> {
    const uri = vscode.Uri.parse(location.uri);
    // The server checks this too; the host does not take a path from a trace on trust either.
    if (userPicked?.fsPath !== uri.fsPath && !(await insideWorkspace(uri))) {
      this.output.warn(`Go to Source: not opening ${uri.fsPath}: it is outside the workspace folders once symbolic links are resolved`);
      void vscode.window.showWarningMessage(`Go to Source: ${vscode.workspace.asRelativePath(uri)} is outside the workspace folders; not opened.`);
      return;
    }
    let document: vscode.TextDocument;
    try {
      document = await vscode.workspace.openTextDocument(uri);
    } catch {
      void vscode.window.showWarningMessage(`Go to Source: ${vscode.workspace.asRelativePath(uri)} cannot be opened (the trace names ${location.label}).`);
      return;
    }
    const range = document.validateRange(toRange(location));
    // The failing statement is selected; in a DSL it may span the folded lines of a quoted scalar.
    const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    // Anchor at the end, cursor at the start: the status bar and the view show where the statement begins.
    editor.selection = new vscode.Selection(range.end, range.start);
    // The statement's first line is revealed whole, so a view scrolls sideways to it: in a DSL the
    // statement may start far right on a long line (VS Code keeps the start in view if it is too wide).
    const firstLineEnd = range.isSingleLine ? range.end : document.lineAt(range.start.line).range.end;
    editor.revealRange(new vscode.Range(range.start, firstLineEnd), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    this.showError(editor, range, result.exception);
  }

  /** The exception after the end of the failing line; replaces the previous jump's. */
  private showError(editor: vscode.TextEditor, range: vscode.Range, exception: string | undefined): void {
    this.decoration?.dispose();
    const text = exception ?? 'raised here';
    const shown = text.length > 200 ? `${text.slice(0, 199)}…` : text;
    this.decoration = vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      after: { contentText: shown, color: new vscode.ThemeColor('editorError.foreground'), margin: '0 0 0 2em' },
    });
    const lineEnd = editor.document.lineAt(range.end.line).range;
    editor.setDecorations(this.decoration, [{ range: lineEnd, hoverMessage: new vscode.MarkdownString().appendText(text) }]);
  }

  dispose(): void {
    this.decoration?.dispose();
  }
}
