import * as vscode from 'vscode';
import type { ServerSettings } from '../shared/lspProtocol';
import { defaultServerSettings } from '../shared/defaultSettings';

export const configSection = 'difyTrace';

/** Reads the trace server's settings from the `difyTrace.*` configuration. */
export function readServerSettings(): ServerSettings {
  const config = vscode.workspace.getConfiguration(configSection);
  const d = defaultServerSettings;
  return {
    receiver: {
      enabled: config.get<boolean>('receiver.enabled', d.receiver.enabled),
      host: config.get<string>('receiver.host', d.receiver.host),
      port: config.get<number>('receiver.port', d.receiver.port),
      maxBodyMiB: config.get<number>('receiver.maxBodyMiB', d.receiver.maxBodyMiB),
    },
    store: {
      maxSpans: config.get<number>('store.maxSpans', d.store.maxSpans),
      maxLogRecords: config.get<number>('store.maxLogRecords', d.store.maxLogRecords),
    },
  };
}

export function affectsServerSettings(event: vscode.ConfigurationChangeEvent): boolean {
  return event.affectsConfiguration(`${configSection}.receiver`) || event.affectsConfiguration(`${configSection}.store`);
}
