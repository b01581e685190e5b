import * as vscode from 'vscode';
import type { TracePanels } from '../panel/tracePanels';
import type { TraceServerClient } from '../traceServerClient';
import { traceIdOfRunArg } from './exportImport';

export const openInBackendCommand = 'difyTrace.openInBackend';

/**
 * "Open in Trace Backend": the run (from the Runs view's context menu) or the trace of the panel in
 * front, in the UI of the remote backend it was fetched from (Jaeger, Phoenix, Langfuse, Zipkin), or
 * the file it was read from; said plainly when the trace is the embedded receiver's own.
 */
export async function openInBackend(arg: unknown, client: Pick<TraceServerClient, 'backendLink'>, panels: Pick<TracePanels, 'activeTraceId'>): Promise<void> {
  const traceId = traceIdOfRunArg(arg) ?? panels.activeTraceId();
  if (traceId === undefined) {
    void vscode.window.showInformationMessage('Open in Trace Backend opens a run listed from a remote backend: right-click it in the Runs view, or run the command with its trace open.');
    return;
  }
  const link = await client.backendLink(traceId);
  if (link === null) {
    void vscode.window.showInformationMessage(`Trace ${traceId} was received by the embedded receiver, not read from a remote backend: it has no other home to open.`);
    return;
  }
  const opened = await vscode.env.openExternal(vscode.Uri.parse(link.url));
  if (!opened) void vscode.window.showWarningMessage(`Could not open ${link.url} (${link.source}).`);
}
