import * as vscode from 'vscode';
import type { PathMapping, ServerSettings } from '../shared/lspProtocol';
import { readBackends } from './backendSettings';
import { defaultServerSettings } from '../shared/defaultSettings';
import { isRunGrouping, type RunGrouping } from './views/runGrouping';

export const configSection = 'difyTrace';
export { readBackends };

/**
 * Reads the trace server's settings from the `difyTrace.*` configuration; `archivePath` is where the
 * spans are kept across restarts (the extension's global storage), unless `difyTrace.store.persist` is off;
 * `receiverToken` is what a receiver open to the network requires (SecretStorage); `backendHeaders`
 * what each remote backend needs to let requests in (SecretStorage too).
 */
export function readServerSettings(archivePath?: string, receiverToken?: string, backendHeaders: (id: string) => Record<string, string> | undefined = () => undefined): ServerSettings {
  const config = vscode.workspace.getConfiguration(configSection);
  const d = defaultServerSettings;
  return {
    receiver: {
      enabled: config.get<boolean>('receiver.enabled', d.receiver.enabled),
      host: config.get<string>('receiver.host', d.receiver.host),
      port: config.get<number>('receiver.port', d.receiver.port),
      ...(config.get<boolean>('receiver.grpcEnabled', true) ? { grpcPort: config.get<number>('receiver.grpcPort', d.receiver.grpcPort ?? 4317) } : {}),
      maxBodyMiB: config.get<number>('receiver.maxBodyMiB', d.receiver.maxBodyMiB),
      ...(receiverToken === undefined ? {} : { token: receiverToken }),
    },
    store: {
      maxSpans: config.get<number>('store.maxSpans', d.store.maxSpans),
      maxMemoryMiB: config.get<number>('store.maxMemoryMiB', d.store.maxMemoryMiB),
      maxLogRecords: config.get<number>('store.maxLogRecords', d.store.maxLogRecords),
      retentionDays: config.get<number>('store.retentionDays', d.store.retentionDays),
      maxDiskMiB: config.get<number>('store.maxDiskMiB', d.store.maxDiskMiB),
      ...(archivePath !== undefined && config.get<boolean>('store.persist', true) ? { archivePath } : {}),
    },
    sourceInsights: {
      pathMappings: readPathMappings(config.get<unknown>('pathMappings', [])),
      windowMinutes: config.get<number>('codeInsights.windowMinutes', d.sourceInsights.windowMinutes),
      diagnostics: config.get<boolean>('codeInsights.diagnostics', d.sourceInsights.diagnostics),
      codeLens: config.get<boolean>('codeInsights.codeLens', d.sourceInsights.codeLens),
    },
    backends: readBackends(config.get<unknown>('backends', [])).map((backend) => {
      const headers = backendHeaders(backend.id);
      return headers === undefined ? backend : { ...backend, headers };
    }),
    http: readHttpSettings(),
  };
}

/** VS Code's proxy settings, which the trace server's requests to remote backends follow. */
function readHttpSettings(): NonNullable<ServerSettings['http']> {
  const http = vscode.workspace.getConfiguration('http');
  const proxy = http.get<string>('proxy', '').trim();
  return { ...(proxy === '' ? {} : { proxy }), proxyStrictSSL: http.get<boolean>('proxyStrictSSL', true) };
}

/**
 * `difyTrace.pathMappings` entries with `${workspaceFolder}` (the first folder) and
 * `${workspaceFolder:name}` replaced by folder paths; entries that are not `{from, to}` strings,
 * or name a folder that is not open, are left out and logged by the caller's server.
 */
export function readPathMappings(value: unknown, folders: readonly { readonly name: string; readonly uri: vscode.Uri }[] = vscode.workspace.workspaceFolders ?? []): PathMapping[] {
  if (!Array.isArray(value)) return [];
  const mappings: PathMapping[] = [];
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { from, to } = entry as { from?: unknown; to?: unknown };
    if (typeof from !== 'string' || typeof to !== 'string' || from.trim() === '' || to.trim() === '') continue;
    let unresolved = false;
    const local = to.replace(/\$\{workspaceFolder(?::([^}]+))?\}/g, (_, name: string | undefined) => {
      const folder = name === undefined ? folders[0] : folders.find((f) => f.name === name);
      if (!folder || folder.uri.scheme !== 'file') unresolved = true;
      return folder?.uri.fsPath ?? '';
    });
    if (!unresolved) mappings.push({ from: from.trim(), to: local.trim() });
  }
  return mappings;
}

export function affectsServerSettings(event: vscode.ConfigurationChangeEvent): boolean {
  return ['receiver', 'store', 'pathMappings', 'codeInsights', 'backends'].some((key) => event.affectsConfiguration(`${configSection}.${key}`));
}

/** Settings of the Runs view itself (the trace server does not see them). */
export interface RunsViewSettings {
  readonly groupBy: RunGrouping;
  /** Whether the view starts with live updates on. */
  readonly live: boolean;
}

export function readRunsViewSettings(): RunsViewSettings {
  const config = vscode.workspace.getConfiguration(configSection);
  const groupBy = config.get<unknown>('runs.groupBy', 'app');
  return { groupBy: isRunGrouping(groupBy) ? groupBy : 'app', live: config.get<boolean>('runs.live', true) };
}

/** Remembers the grouping where the setting is defined: the workspace when it sets one, else the user settings. */
export async function writeRunsGrouping(grouping: RunGrouping): Promise<void> {
  const config = vscode.workspace.getConfiguration(configSection);
  const inspected = config.inspect('runs.groupBy');
  const target = inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update('runs.groupBy', grouping, target);
}

export function affectsRunsViewSettings(event: vscode.ConfigurationChangeEvent): boolean {
  return event.affectsConfiguration(`${configSection}.runs`);
}
