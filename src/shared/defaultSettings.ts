import type { ServerSettings, SourceInsightSettings } from './lspProtocol';

/** Mirrors the defaults declared in package.json `contributes.configuration`; every optional setting is filled. */
export const defaultServerSettings: ServerSettings & { readonly store: { readonly maxMemoryMiB: number; readonly maxLogRecords: number; readonly retentionDays: number; readonly maxDiskMiB: number }; readonly sourceInsights: SourceInsightSettings } = {
  receiver: { enabled: true, host: '127.0.0.1', port: 4318, grpcPort: 4317, maxBodyMiB: 20 },
  store: { maxSpans: 500_000, maxMemoryMiB: 512, maxLogRecords: 200_000, retentionDays: 7, maxDiskMiB: 2_048 },
  sourceInsights: { pathMappings: [], windowMinutes: 60, diagnostics: true, codeLens: true },
};
