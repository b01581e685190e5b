/**
 * What the "Open Trace…" lookup accepts, parsed once in the host and sent as is to the trace
 * server. Pure: no vscode, no node built-ins (URL and URLSearchParams are globals everywhere).
 */

/** Which Dify id a UUID is known to be, when the text it came from says so (a console URL's query key). */
export type DifyIdKind = 'workflowRunId' | 'messageId' | 'conversationId';

/** A query the trace server can search for. */
export type TraceLookupQuery =
  | { readonly kind: 'traceId'; readonly traceId: string }
  /**
   * A UUID: a Dify workflow run id, message id or conversation id, or a trace id written as a UUID
   * (Dify's Aliyun exporter uses the run UUID's 32 hex digits as the trace id; Langfuse uses the UUID).
   */
  | { readonly kind: 'difyId'; readonly uuid: string; readonly traceIdCandidate: string; readonly difyIdKind?: DifyIdKind };

export type LookupParse = TraceLookupQuery | { readonly kind: 'invalid'; readonly expected: string };

export const lookupExpected =
  'Expected a trace id (32 hex digits or 24 base64 characters), a Dify workflow run, message or conversation id (UUID), or a trace URL from Jaeger, Grafana Tempo, Langfuse, Phoenix or the Dify console.';

const hex32 = /^[0-9a-f]{32}$/i;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** 16 bytes are 22 base64 digits and `==` (OTLP/JSON and protobuf-JSON dumps write ids so). */
const base64Of16Bytes = /^[A-Za-z0-9+/_-]{22}==$/;
/** W3C `traceparent`: version-traceid-parentid-flags. */
const traceparent = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/i;
const allZeros = /^0+$/;

/** Query keys that carry a trace id: Jaeger search, Tempo, Phoenix (`selectedTraceId`), Langfuse (`peek`). */
const traceIdKeys = ['traceId', 'traceID', 'trace_id', 'traceid', 'selectedTraceId', 'peek', 'trace'];
/** Query keys of the Dify console and web app that carry a run, message or conversation id. */
const difyIdKeys: readonly (readonly [string, DifyIdKind])[] = [
  ['workflow_run_id', 'workflowRunId'],
  ['workflowRunId', 'workflowRunId'],
  ['run_id', 'workflowRunId'],
  ['message_id', 'messageId'],
  ['messageId', 'messageId'],
  ['conversation_id', 'conversationId'],
  ['conversationId', 'conversationId'],
];
/** Grafana Explore state: `panes` (schemaVersion 1) and `left`/`right` (older releases), URL-encoded JSON. */
const grafanaStateKeys = ['panes', 'left', 'right'];
/** Path segments followed by an id that is not a run: Dify's app and dataset ids, project ids. */
const ownerSegments = new Set(['app', 'apps', 'datasets', 'project', 'projects', 'workspace', 'workspaces', 'installed']);

/** Parses what a user pasted into the lookup. */
export function parseLookupQuery(input: string): LookupParse {
  const text = input.trim().replace(/^["'`<]+|["'`>]+$/g, '');
  if (text === '') return invalid();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return parseUrl(text);
  return parseIdToken(text) ?? invalid();
}

/** One id: 32 hex, a UUID, base64 of 16 bytes or a `traceparent` value. */
export function parseIdToken(token: string): TraceLookupQuery | undefined {
  const t = token.trim();
  if (hex32.test(t)) return traceIdQuery(t);
  if (uuidPattern.test(t)) {
    const uuid = t.toLowerCase();
    const hex = uuid.replaceAll('-', '');
    return allZeros.test(hex) ? undefined : { kind: 'difyId', uuid, traceIdCandidate: hex };
  }
  const parent = traceparent.exec(t);
  if (parent?.[1] !== undefined) return traceIdQuery(parent[1]);
  if (base64Of16Bytes.test(t)) {
    const hex = base64ToHex(t);
    return hex === undefined || hex.length !== 32 ? undefined : traceIdQuery(hex);
  }
  return undefined;
}

function traceIdQuery(hex: string): TraceLookupQuery | undefined {
  const traceId = hex.toLowerCase();
  return allZeros.test(traceId) ? undefined : { kind: 'traceId', traceId };
}

function invalid(what = lookupExpected): LookupParse {
  return { kind: 'invalid', expected: what };
}

function parseUrl(text: string): LookupParse {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return invalid(`Not a valid URL. ${lookupExpected}`);
  }
  const found = fromQuery(url.searchParams) ?? fromGrafanaState(url.searchParams) ?? fromPath(url.pathname) ?? fromHash(url.hash);
  return found ?? invalid(`This URL holds no trace id or Dify run id. ${lookupExpected}`);
}

function fromQuery(params: URLSearchParams): TraceLookupQuery | undefined {
  for (const key of traceIdKeys) {
    const value = params.get(key);
    const id = value === null ? undefined : parseIdToken(value);
    if (id) return id;
  }
  for (const [key, difyIdKind] of difyIdKeys) {
    const value = params.get(key);
    const id = value === null ? undefined : parseIdToken(value);
    if (id?.kind === 'difyId') return { ...id, difyIdKind };
  }
  return undefined;
}

/** Grafana Explore keeps the Tempo query (the trace id, for a trace view) inside JSON in the query string. */
function fromGrafanaState(params: URLSearchParams): TraceLookupQuery | undefined {
  for (const key of grafanaStateKeys) {
    const value = params.get(key);
    if (value === null) continue;
    let state: unknown;
    try {
      state = JSON.parse(value);
    } catch {
      continue;
    }
    const id = findTraceIdIn(state, 0);
    if (id) return id;
  }
  return undefined;
}

function findTraceIdIn(value: unknown, depth: number): TraceLookupQuery | undefined {
  if (depth > 8) return undefined;
  if (typeof value === 'string') {
    const id = hex32.test(value.trim()) ? parseIdToken(value) : undefined;
    return id;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    const id = findTraceIdIn(child, depth + 1);
    if (id) return id;
  }
  return undefined;
}

/** `/trace/<id>` (Jaeger, Langfuse), `/traces/<id>` (Langfuse, Phoenix), else a UUID segment (Dify console). */
function fromPath(pathname: string): TraceLookupQuery | undefined {
  const segments = pathname.split('/').filter((s) => s !== '').map(safeDecode);
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i]!.toLowerCase();
    if (segment !== 'trace' && segment !== 'traces') continue;
    const next = segments[i + 1]!;
    // Jaeger shows (and links) ids without leading zeros; 16 hex is a 64-bit id.
    const id = parseIdToken(next) ?? (/^[0-9a-f]{16,31}$/i.test(next) ? traceIdQuery(next.padStart(32, '0')) : undefined);
    if (id) return id;
  }
  for (let i = 0; i < segments.length; i++) {
    const id = parseIdToken(segments[i]!);
    const owner = segments[i - 1]?.toLowerCase();
    if (id?.kind === 'difyId' && (owner === undefined || !ownerSegments.has(owner))) return id;
  }
  return undefined;
}

/** Single-page apps that route in the fragment (`#/trace/<id>`, `#/?traceId=`). */
function fromHash(hash: string): TraceLookupQuery | undefined {
  if (hash.length < 2) return undefined;
  const [path = '', query = ''] = hash.slice(1).split('?', 2);
  return fromQuery(new URLSearchParams(query)) ?? fromPath(path);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard or URL-safe base64 to lowercase hex; undefined when a character is not base64. */
function base64ToHex(text: string): string | undefined {
  const chars = text.replace(/=+$/, '').replaceAll('-', '+').replaceAll('_', '/');
  let bits = 0;
  let value = 0;
  let hex = '';
  for (const c of chars) {
    const v = base64Alphabet.indexOf(c);
    if (v < 0) return undefined;
    value = ((value << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      hex += ((value >> bits) & 0xff).toString(16).padStart(2, '0');
    }
  }
  return hex;
}
