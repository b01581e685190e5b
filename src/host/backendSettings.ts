import { isAbsolute } from 'node:path';
import type { BackendConfig, BackendKind } from '../shared/lspProtocol';

/** The kinds of remote backend the trace server reads (the `kind` enum of `difyTrace.backends`). */
export const backendKinds: readonly BackendKind[] = ['jaeger', 'phoenix', 'langfuse', 'zipkin', 'tempo', 'otlpFile', 'aliyun', 'langsmith'];

/** Where a backend is: an http(s) URL, or for OTLP files an absolute path or a file:// URL. */
export function isBackendLocation(kind: BackendKind, location: string): boolean {
  const text = location.trim();
  if (kind === 'otlpFile') return /^file:\/\//i.test(text) || isAbsolute(text);
  return /^https?:\/\/[^\s/]+/i.test(text);
}

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
    const { id, kind, url, searchLimit, lookbackHours, projects, region, caFile, insecure } = entry as Record<string, unknown>;
    if (typeof id !== 'string' || !backendIdPattern.test(id) || id === 'embedded' || backends.some((b) => b.id === id)) continue;
    if (!backendKinds.includes(kind as BackendKind) || typeof url !== 'string' || !isBackendLocation(kind as BackendKind, url)) continue;
    const limit = typeof searchLimit === 'number' && Number.isInteger(searchLimit) && searchLimit >= 10 ? Math.min(searchLimit, 20_000) : undefined;
    const lookback = typeof lookbackHours === 'number' && lookbackHours > 0 ? lookbackHours : undefined;
    const projectNames = Array.isArray(projects) ? projects.filter((p): p is string => typeof p === 'string' && p.trim() !== '').map((p) => p.trim()) : [];
    const tls = { ...(typeof caFile === 'string' && caFile.trim() !== '' ? { caFile: caFile.trim() } : {}), ...(insecure === true ? { insecure: true } : {}) };
    backends.push({
      id,
      kind: kind as BackendKind,
      url: url.trim(),
      ...(limit === undefined ? {} : { searchLimit: limit }),
      ...(lookback === undefined ? {} : { lookbackHours: lookback }),
      ...((kind === 'phoenix' || kind === 'langsmith') && projectNames.length > 0 ? { projects: projectNames } : {}),
      ...(kind === 'aliyun' && typeof region === 'string' && /^[a-z0-9-]+$/.test(region) ? { region } : {}),
      ...(Object.keys(tls).length > 0 ? { tls } : {}),
    });
  }
  return backends;
}

/** An id from the URL's host ("jaeger-internal"), or the kind for a local one, made unique among `taken`. */
export function suggestBackendId(url: string, taken: readonly string[], kind: BackendKind = 'jaeger'): string {
  let host: string = kind;
  try {
    host = new URL(url).hostname.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || kind;
  } catch {
    // the URL is checked before
  }
  const base = host === 'localhost' || /^\d+(\.\d+){3}$/.test(host) || host.startsWith('127') ? kind : host;
  let id = base;
  for (let n = 2; taken.includes(id) || id === 'embedded'; n++) id = `${base}-${n}`;
  return id;
}
