import * as vscode from 'vscode';
import type { BackendConfig, BackendKind } from '../shared/lspProtocol';
import { backendIdPattern, isBackendLocation, readBackends, suggestBackendId } from './backendSettings';
import { configSection } from './settings';
import type { TraceServerClient } from './traceServerClient';

/** What each kind asks for, as the quick pick offers it. */
const kinds: readonly { readonly kind: BackendKind; readonly label: string; readonly detail: string; readonly urlPrompt: string; readonly placeHolder: string }[] = [
  { kind: 'jaeger', label: 'Jaeger', detail: "Jaeger v2's query API (api/v3): the infrastructure half, or everything an OpenTelemetry Collector sends it.", urlPrompt: 'The URL Jaeger v2 serves its UI and query API at (the query service, port 16686 by default).', placeHolder: 'http://jaeger.internal:16686' },
  { kind: 'phoenix', label: 'Arize Phoenix', detail: "The app-level runs Dify's Phoenix tracing sends (REST API, Phoenix 13.15 or later).", urlPrompt: "Phoenix's URL, where its UI is served (port 6006 by default).", placeHolder: 'http://phoenix.internal:6006' },
  { kind: 'langfuse', label: 'Langfuse', detail: "The app-level runs Dify's Langfuse tracing sends (classic public API: Langfuse v3, or v4 in legacy/dual mode). Then set its keys with Set Backend Credentials.", urlPrompt: "Langfuse's URL: https://cloud.langfuse.com, https://us.cloud.langfuse.com, or your own (port 3000 by default).", placeHolder: 'https://cloud.langfuse.com' },
  { kind: 'langsmith', label: 'LangSmith', detail: "The runs Dify's LangSmith tracing sends (REST API: projects, runs query). Then set its API key with Set Backend Credentials.", urlPrompt: "LangSmith's API URL: https://api.smith.langchain.com, https://eu.api.smith.langchain.com, or your own (…/api).", placeHolder: 'https://api.smith.langchain.com' },
  { kind: 'zipkin', label: 'Zipkin', detail: "Zipkin's v2 API: the infrastructure half, sent through a Zipkin exporter.", urlPrompt: "The Zipkin server's URL (port 9411 by default).", placeHolder: 'http://zipkin.internal:9411' },
  { kind: 'tempo', label: 'Grafana Tempo', detail: 'Tempo\'s HTTP API (TraceQL search, traces by id): the infrastructure half.', urlPrompt: "Tempo's query frontend URL (port 3200 by default; Grafana Cloud's Tempo URL with its path).", placeHolder: 'http://tempo.internal:3200' },
  { kind: 'aliyun', label: 'Alibaba Cloud', detail: "Managed Service for OpenTelemetry (ARMS Tracing Analysis): the app-level runs Dify's Alibaba Cloud Monitoring tracing sends. Then set a RAM user's AccessKey pair with Set Backend Credentials.", urlPrompt: "The OpenAPI endpoint of the region your traces are in: https://xtrace.<region>.aliyuncs.com.", placeHolder: 'https://xtrace.cn-hangzhou.aliyuncs.com' },
  { kind: 'otlpFile', label: 'OTLP files', detail: "Files an OpenTelemetry Collector's file exporter writes (OTLP/JSON Lines), or this extension's exports.", urlPrompt: 'The absolute path of the file, or of the folder the Collector rotates its files in.', placeHolder: '/var/log/otel/traces.jsonl' },
];

/**
 * "Dify Trace: Add Backend…": the kind, its URL, a name, then a connection test (the last hour's
 * most recent trace) before anything is saved; on success the backend goes to difyTrace.backends
 * (user settings: the setting is machine-scoped) and can be listed at once. Returns the id added.
 */
export async function addBackend(client: Pick<TraceServerClient, 'testBackend'>): Promise<string | undefined> {
  const config = vscode.workspace.getConfiguration(configSection);
  const existing = readBackends(config.get<unknown>('backends', []));
  const picked = await vscode.window.showQuickPick(
    kinds.map((k) => ({ label: k.label, detail: k.detail, choice: k })),
    { title: 'Add Backend (1/3): kind', placeHolder: 'Where are your Dify traces?', ignoreFocusOut: true, matchOnDetail: true },
  );
  if (picked === undefined) return undefined;
  const kind = picked.choice;
  const url = await vscode.window.showInputBox({
    title: `Add Backend (2/3): ${kind.label} ${kind.kind === 'otlpFile' ? 'path' : 'URL'}`,
    prompt: kind.urlPrompt,
    placeHolder: kind.placeHolder,
    ignoreFocusOut: true,
    validateInput: (text) => (isBackendLocation(kind.kind, text) ? undefined : kind.kind === 'otlpFile' ? 'An absolute path, or a file:// URL.' : 'An http:// or https:// URL.'),
  });
  if (url === undefined) return undefined;
  const id = await vscode.window.showInputBox({
    title: 'Add Backend (3/3): name',
    prompt: 'A short name for the Runs view.',
    value: suggestBackendId(url.trim(), existing.map((b) => b.id), kind.kind),
    ignoreFocusOut: true,
    validateInput: (text) => (!backendIdPattern.test(text) ? 'Letters, digits, dot, dash and underscore.' : text === 'embedded' || existing.some((b) => b.id === text) ? `"${text}" is taken.` : undefined),
  });
  if (id === undefined) return undefined;
  const backend: BackendConfig = { id, kind: kind.kind, url: url.trim() };
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
