import type { BackendConfig } from '../shared/lspProtocol';

/** What a backend id may be (the same pattern as `difyTrace.backends` in package.json). */
export const backendIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * `difyTrace.backends` entries that name a known kind and an http(s) URL, under an id used once
 * (the first wins); `embedded` is the receiver's own and cannot be taken.
 */
export function readBackends(value: unknown): BackendConfig[] {
  if (!Array.isArray(value)) return [];
  const backends: BackendConfig[] = [];
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { id, kind, url, searchLimit, lookbackHours } = entry as { id?: unknown; kind?: unknown; url?: unknown; searchLimit?: unknown; lookbackHours?: unknown };
    if (typeof id !== 'string' || !backendIdPattern.test(id) || id === 'embedded' || backends.some((b) => b.id === id)) continue;
    if (kind !== 'jaeger' || typeof url !== 'string' || !/^https?:\/\/[^\s]+$/i.test(url.trim())) continue;
    const limit = typeof searchLimit === 'number' && Number.isInteger(searchLimit) && searchLimit >= 10 ? Math.min(searchLimit, 20_000) : undefined;
    const lookback = typeof lookbackHours === 'number' && lookbackHours > 0 ? lookbackHours : undefined;
    backends.push({ id, kind, url: url.trim(), ...(limit === undefined ? {} : { searchLimit: limit }), ...(lookback === undefined ? {} : { lookbackHours: lookback }) });
  }
  return backends;
}

/** An id from the URL's host ("jaeger-internal"), made unique among `taken`. */
export function suggestBackendId(url: string, taken: readonly string[]): string {
  let host = 'jaeger';
  try {
    host = new URL(url).hostname.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'jaeger';
  } catch {
    // the URL is checked before
  }
  const base = host === 'localhost' || /^\d+(\.\d+){3}$/.test(host) || host.startsWith('127') ? 'jaeger' : host;
  let id = base;
  for (let n = 2; taken.includes(id) || id === 'embedded'; n++) id = `${base}-${n}`;
  return id;
}
