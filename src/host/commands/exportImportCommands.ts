import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../../shared/runSummary';
import type { TracePanels } from '../panel/tracePanels';
import { readServerSettings } from '../settings';
import type { TraceServerClient } from '../traceServerClient';
import { runDescription, runLabel } from '../views/runPresentation';
import { exportFileName, importSummary, traceIdOfRunArg } from './exportImport';

export const exportRunCommand = 'difyTrace.exportRun';
export const importTracesCommand = 'difyTrace.importTraces';

type Client = Pick<TraceServerClient, 'exportTrace' | 'importTraces'>;
type Runs = { readonly shownRuns: readonly RunSummary[] };

/**
 * "Export Run…" (a run as OTLP/JSON Lines a colleague can import) and "Import Traces from
 * File…". The server writes and reads the OTLP; the host only moves the text to and from the file
 * the user picked, through `vscode.workspace.fs` (remote and virtual workspaces too).
 */
export class ExportImportCommands {
  constructor(
    private readonly client: Client,
    private readonly panels: Pick<TracePanels, 'open'>,
    private readonly runs: Runs,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  /** From the Runs view's context menu (the run), a trace id, or the palette (pick a shown run). */
  async exportRun(arg: unknown): Promise<void> {
    const traceId = traceIdOfRunArg(arg) ?? (await this.pickRun());
    if (traceId === undefined) return;
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Exporting the run…', cancellable: true }, (_p, token) =>
      this.client.exportTrace(traceId, token),
    );
    if (result === null) {
      void vscode.window.showWarningMessage(`Trace ${traceId} is no longer in the trace server: the trace database drops the oldest traces beyond difyTrace.store.retentionDays and difyTrace.store.maxDiskMiB (with difyTrace.store.persist off, a window reload empties it).`);
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = exportFileName(result.fileName, traceId);
    const target = await vscode.window.showSaveDialog({
      title: 'Export Run',
      saveLabel: 'Export',
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : vscode.Uri.file(join(homedir(), name)),
      filters: { 'OTLP JSON Lines': ['jsonl'], JSON: ['json'] },
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(result.content));
    this.output.info(`Exported trace ${traceId} (${result.spans} spans, ${result.logRecords} log records) to ${target.toString(true)}`);
    const what = `${result.spans} span${result.spans === 1 ? '' : 's'}${result.logRecords > 0 ? ` and ${result.logRecords} log record${result.logRecords === 1 ? '' : 's'}` : ''}`;
    const copy = 'Copy Path';
    const pick = await vscode.window.showInformationMessage(`Exported ${what} to ${target.fsPath}. Anyone can open it with "Dify Trace: Import Traces from File…".`, copy);
    if (pick === copy) await vscode.env.clipboard.writeText(target.fsPath);
  }

  private async pickRun(): Promise<string | undefined> {
    const runs = this.runs.shownRuns;
    if (runs.length === 0) {
      void vscode.window.showInformationMessage('No runs to export: the Runs view is empty.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      runs.map((run) => ({ label: `${run.appName} · ${runLabel(run)}`, description: runDescription(run), detail: `trace ${run.traceId}`, traceId: run.traceId })),
      { title: 'Export Run', placeHolder: 'Which run? (the runs in the Runs view, newest first)', matchOnDetail: true },
    );
    return picked?.traceId;
  }

  /** From the palette (a file dialog) or with a file URI. */
  async importTraces(arg: unknown): Promise<void> {
    const file = arg instanceof vscode.Uri ? arg : (await vscode.window.showOpenDialog({ title: 'Import Traces', openLabel: 'Import', canSelectMany: false, filters: { 'OTLP JSON': ['jsonl', 'json', 'ndjson'], 'All files': ['*'] } }))?.[0];
    if (!file) return;
    const fileName = file.path.split('/').at(-1) ?? file.path;
    const maxMiB = readServerSettings().receiver.maxBodyMiB;
    const { size } = await vscode.workspace.fs.stat(file);
    if (size > maxMiB * 1024 * 1024) {
      const open = 'Open Settings';
      const pick = await vscode.window.showErrorMessage(`${fileName} is ${(size / 1024 / 1024).toFixed(1)} MiB, more than the ${maxMiB} MiB the receiver accepts (difyTrace.receiver.maxBodyMiB).`, open);
      if (pick === open) await vscode.commands.executeCommand('workbench.action.openSettings', 'difyTrace.receiver.maxBodyMiB');
      return;
    }
    let content: string;
    try {
      content = new TextDecoder('utf-8', { fatal: true }).decode(await vscode.workspace.fs.readFile(file));
    } catch {
      void vscode.window.showErrorMessage(`${fileName} is not UTF-8 text. Import takes OTLP/JSON: one request object, or JSON Lines of them as "Export Run…" writes.`);
      return;
    }
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Importing ${fileName}…`, cancellable: true }, (_p, token) =>
      this.client.importTraces({ content, fileName }, token),
    );
    for (const error of result.errors) this.output.warn(`Import of ${fileName}: ${error}`);
    this.output.info(`Imported ${fileName}: ${result.spans} spans, ${result.logRecords} log records, ${result.traceIds.length} traces, ${result.rejected} refused`);
    const summary = importSummary(fileName, result);
    const showLog = 'Show Log';
    const first = result.traceIds[0];
    if (first === undefined) {
      const pick = await vscode.window.showWarningMessage(summary, showLog);
      if (pick === showLog) this.output.show();
      return;
    }
    this.panels.open(first);
    const pick = await (result.errors.length > 0 || result.rejected > 0 ? vscode.window.showWarningMessage(summary, showLog) : vscode.window.showInformationMessage(summary));
    if (pick === showLog) this.output.show();
  }
}
