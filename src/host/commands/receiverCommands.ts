import * as vscode from 'vscode';
import type { TraceServerClient } from '../traceServerClient';
import { configSection } from '../settings';

/** The URL to give Dify: the listening address, or the configured one while the receiver is down. */
export function receiverUrl(client: TraceServerClient): string {
  const state = client.lastStatus?.receiver;
  if (state?.state === 'listening' || state?.state === 'following') return state.url;
  const config = vscode.workspace.getConfiguration(configSection);
  return `http://${config.get<string>('receiver.host', '127.0.0.1')}:${config.get<number>('receiver.port', 4318)}`;
}

export async function copyReceiverUrl(client: TraceServerClient, extensionUri: vscode.Uri): Promise<void> {
  const url = receiverUrl(client);
  await vscode.env.clipboard.writeText(url);
  const guide = 'Show Setup Guide';
  const pick = await vscode.window.showInformationMessage(
    `Copied ${url}. In Dify set ENABLE_OTEL=true and OTLP_BASE_ENDPOINT=${url} (api, worker, plugin_daemon), or use it as the endpoint of an app's Alibaba Cloud Monitoring or Arize Phoenix tracing, or as its Langfuse host.`,
    guide,
  );
  if (pick === guide) await showSetupGuide(extensionUri);
}

export async function showSetupGuide(extensionUri: vscode.Uri): Promise<void> {
  await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.joinPath(extensionUri, 'README.md'));
}

export async function changeReceiverPort(): Promise<void> {
  const config = vscode.workspace.getConfiguration(configSection);
  const current = config.get<number>('receiver.port', 4318);
  const answer = await vscode.window.showInputBox({
    title: 'Dify Trace Explorer: OTLP receiver port',
    prompt: 'Port for the embedded OTLP/HTTP receiver (0 picks a free port). Point Dify at the new port afterwards.',
    value: String(current === 4318 ? 4319 : current),
    validateInput: (value) => (/^\d+$/.test(value) && Number(value) <= 65535 ? undefined : 'Enter a port number between 0 and 65535.'),
  });
  if (answer === undefined) return;
  await config.update('receiver.port', Number(answer), vscode.ConfigurationTarget.Global);
}
