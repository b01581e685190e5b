import * as vscode from 'vscode';
import type { BackendConfig } from '../shared/lspProtocol';
import { backendIdPattern, readBackends, suggestBackendId } from './backendSettings';
import { configSection } from './settings';
import type { TraceServerClient } from './traceServerClient';

/**
 * "Dify Trace: Add Backend…": the query URL, a name, then a connection test (the last hour's most
 * recent trace) before anything is saved; on success the backend goes to difyTrace.backends (user
 * settings: the setting is machine-scoped) and can be listed at once. Returns the id added.
 */
export async function addBackend(client: Pick<TraceServerClient, 'testBackend'>): Promise<string | undefined> {
  const config = vscode.workspace.getConfiguration(configSection);
  const existing = readBackends(config.get<unknown>('backends', []));
  const url = await vscode.window.showInputBox({
    title: 'Add Backend (1/2): Jaeger query URL',
    prompt: 'The URL Jaeger v2 serves its UI and query API at (the query service, port 16686 by default).',
    placeHolder: 'http://jaeger.internal:16686',
    ignoreFocusOut: true,
    validateInput: (text) => (/^https?:\/\/[^\s/]+/i.test(text.trim()) ? undefined : 'An http:// or https:// URL.'),
  });
  if (url === undefined) return undefined;
  const id = await vscode.window.showInputBox({
    title: 'Add Backend (2/2): name',
    prompt: 'A short name for the Runs view.',
    value: suggestBackendId(url.trim(), existing.map((b) => b.id)),
    ignoreFocusOut: true,
    validateInput: (text) => (!backendIdPattern.test(text) ? 'Letters, digits, dot, dash and underscore.' : text === 'embedded' || existing.some((b) => b.id === text) ? `"${text}" is taken.` : undefined),
  });
  if (id === undefined) return undefined;
  const backend: BackendConfig = { id, kind: 'jaeger', url: url.trim() };
  for (;;) {
    const tested = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Connecting to ${backend.url}…`, cancellable: true }, (_progress, token) => client.testBackend(backend, token));
    if (tested.ok) {
      void vscode.window.showInformationMessage(`${tested.source} answered (${tested.traces === 0 ? 'no trace in the last hour' : 'traces in the last hour'}). Added "${id}" to difyTrace.backends.`);
      break;
    }
    const pick = await vscode.window.showErrorMessage(`${tested.message}`, { modal: false }, 'Try Again', 'Add Anyway');
    if (pick === 'Add Anyway') break;
    if (pick !== 'Try Again') return undefined;
  }
  const raw = config.get<unknown[]>('backends', []);
  await config.update('backends', [...(Array.isArray(raw) ? raw : []), backend], vscode.ConfigurationTarget.Global);
  return id;
}
