import * as vscode from 'vscode';
import type { SourceStack } from '../../shared/lspProtocol';
import type { TraceServerClient } from '../traceServerClient';
import { bestPluginFrame, readManifestIdentity, type SourceTarget } from '../../shared/sourceTargets';

export const goToSourceCommand = 'difyTrace.goToSource';

/** A plugin project in the workspace: the folder of a `manifest.yaml`. */
interface PluginFolder {
  readonly root: vscode.Uri;
  readonly author: string;
  readonly name: string;
  readonly version?: string;
}

async function pluginFolders(token?: vscode.CancellationToken): Promise<PluginFolder[]> {
  const manifests = await vscode.workspace.findFiles('**/manifest.yaml', '**/node_modules/**', 500, token);
  const folders: PluginFolder[] = [];
  for (const uri of manifests) {
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      const { author, name, version } = readManifestIdentity(text);
      if (author && name) folders.push({ root: vscode.Uri.joinPath(uri, '..'), author, name, ...(version ? { version } : {}) });
    } catch {
      // An unreadable manifest is not a candidate; the others still are.
    }
  }
  return folders;
}

function frameList(stacks: readonly SourceStack[]): string {
  return stacks
    .flatMap((s) => s.frames)
    .map((f) => `${f.file}:${f.line}${f.function ? ` in ${f.function}` : ''}${f.isUserCode ? '' : ' (library)'}`)
    .join('\n');
}

/** Opens source files at the failing line and shows the exception beside it; one decoration at a time. */
export class SourceOpener implements vscode.Disposable {
  private decoration: vscode.TextEditorDecorationType | undefined;

  constructor(
    private readonly client: TraceServerClient,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  async goToSource(traceId: string, spanId: string): Promise<void> {
    const result = await this.client.sourceFrames({ traceId, spanId });
    if (result === null) {
      void vscode.window.showWarningMessage(`Go to Source: span ${spanId} is no longer in the trace server's memory.`);
      return;
    }
    const target = bestPluginFrame(result.stacks);
    if (!target) {
      const frames = result.stacks.flatMap((s) => s.frames);
      if (frames.length === 0) {
        void vscode.window.showInformationMessage('Go to Source: no stack trace was found in this span, its exception events or the log records logged in it.');
        return;
      }
      const pick = await vscode.window.showWarningMessage(
        `Go to Source: none of the ${frames.length} stack frame(s) of this span is in an installed plugin's own code.`,
        { detail: frameList(result.stacks) },
        'Copy Frames',
      );
      if (pick === 'Copy Frames') await vscode.env.clipboard.writeText(frameList(result.stacks));
      return;
    }
    await this.openPluginFrame(target, result.stacks);
  }

  private async openPluginFrame({ frame, stack }: SourceTarget, stacks: readonly SourceStack[]): Promise<void> {
    const { author, name, version, relativePath } = frame.plugin;
    const candidates = (await pluginFolders()).filter((f) => f.author === author && f.name === name);
    let folder: PluginFolder | undefined;
    if (candidates.length === 1) {
      folder = candidates[0];
    } else if (candidates.length > 1) {
      const picked = await vscode.window.showQuickPick(
        candidates.map((c) => ({
          label: vscode.workspace.asRelativePath(c.root),
          description: c.version === version ? `version ${c.version} (as in the trace)` : `version ${c.version ?? 'unknown'}`,
          folder: c,
        })),
        { title: `Go to Source: several folders hold plugin ${author}/${name}`, placeHolder: `Open ${relativePath}:${frame.line} in…` },
      );
      folder = picked?.folder;
      if (!folder) return;
    }
    if (!folder) {
      this.output.info(`Go to Source: no manifest.yaml for ${author}/${name} in the workspace; frames:\n${frameList(stacks)}`);
      const pick = await vscode.window.showWarningMessage(
        `Go to Source: no folder in the workspace holds plugin ${author}/${name} ${version} (a manifest.yaml with author: ${author} and name: ${name}). The failing frame is ${relativePath}:${frame.line}.`,
        { detail: frameList(stacks) },
        'Copy Path',
      );
      if (pick === 'Copy Path') await vscode.env.clipboard.writeText(`${relativePath}:${frame.line}`);
      return;
    }
    const uri = vscode.Uri.joinPath(folder.root, ...relativePath.split('/'));
    let document: vscode.TextDocument;
    try {
      document = await vscode.workspace.openTextDocument(uri);
    } catch {
      void vscode.window.showWarningMessage(`Go to Source: ${vscode.workspace.asRelativePath(uri)} does not exist in plugin ${author}/${name} (the trace names ${relativePath}:${frame.line}).`);
      return;
    }
    const lineIndex = Math.min(Math.max(frame.line - 1, 0), document.lineCount - 1);
    const line = document.lineAt(lineIndex);
    const selection = new vscode.Selection(lineIndex, line.firstNonWhitespaceCharacterIndex, lineIndex, line.firstNonWhitespaceCharacterIndex);
    const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, selection, preview: true });
    editor.revealRange(line.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    this.showError(editor, line.range, stack);
  }

  /** The exception after the end of the failing line; replaces the previous jump's. */
  private showError(editor: vscode.TextEditor, range: vscode.Range, stack: SourceStack): void {
    this.decoration?.dispose();
    const text = [stack.exceptionType, stack.message].filter((s) => s !== undefined && s !== '').join(': ') || 'raised here';
    const shown = text.length > 200 ? `${text.slice(0, 199)}…` : text;
    this.decoration = vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      after: { contentText: shown, color: new vscode.ThemeColor('editorError.foreground'), margin: '0 0 0 2em' },
    });
    editor.setDecorations(this.decoration, [{ range, hoverMessage: new vscode.MarkdownString().appendText(text) }]);
  }

  dispose(): void {
    this.decoration?.dispose();
  }
}
