import type { ServerSettings } from './lspProtocol';

/** Mirrors the defaults declared in package.json `contributes.configuration`. */
export const defaultServerSettings: ServerSettings = {
  receiver: { enabled: true, host: '127.0.0.1', port: 4318, maxBodyMiB: 64 },
  store: { maxSpans: 500_000 },
};
