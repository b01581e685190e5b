import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { httpStatusError, SourceError } from './traceSource';

/**
 * Outbound HTTP for remote backends, through undici: a proxy from VS Code's `http.proxy` or else
 * HTTP_PROXY / HTTPS_PROXY (NO_PROXY honoured either way), a backend's own CA or an explicit
 * insecure switch, a timeout, a body bound, and retries of GETs the backend asked to be retried.
 */
export interface HttpOptions {
  /** VS Code's `http.proxy`; absent: the proxy environment variables. */
  readonly proxy?: string;
  /** VS Code's `http.proxyStrictSSL` (true by default): false accepts a proxy's self-signed certificate. */
  readonly proxyStrictSSL?: boolean;
  /** A PEM file of the CA that signed the backend's certificate (a company CA). */
  readonly caFile?: string;
  /** Accept any certificate from the backend: the user said so, with a warning in the settings. */
  readonly insecure?: boolean;
}

const dispatchers = new Map<string, Dispatcher>();

function dispatcherFor(where: string, options: HttpOptions): Dispatcher {
  const key = JSON.stringify([options.proxy ?? '', options.proxyStrictSSL ?? true, options.caFile ?? '', options.insecure ?? false]);
  let dispatcher = dispatchers.get(key);
  if (dispatcher !== undefined) return dispatcher;
  let ca: string | undefined;
  if (options.caFile !== undefined && options.caFile !== '') {
    try {
      ca = readFileSync(options.caFile, 'utf8');
    } catch (e) {
      throw new SourceError(`${where}: the CA file ${options.caFile} could not be read (${e instanceof Error ? e.message : String(e)}).`, 'badResponse');
    }
  }
  const tls = { ...(ca === undefined ? {} : { ca }), ...(options.insecure === true ? { rejectUnauthorized: false } : {}) };
  dispatcher = new EnvHttpProxyAgent({
    ...(options.proxy === undefined || options.proxy === '' ? {} : { httpProxy: options.proxy, httpsProxy: options.proxy }),
    // The backend's TLS, whether reached directly (connect) or through a proxy's tunnel (requestTls).
    connect: tls,
    requestTls: tls,
    proxyTls: { rejectUnauthorized: options.proxyStrictSSL ?? true },
  });
  dispatchers.set(key, dispatcher);
  return dispatcher;
}

/**
 * A backend's base URL, with a trailing slash so that relative API paths keep its base path, and how
 * messages name it ("Jaeger at http://jaeger.internal:16686/jaeger").
 */
export function backendBase(name: string, url: string): { readonly base: URL; readonly label: string } {
  const base = new URL(url.endsWith('/') ? url : `${url}/`);
  return { base, label: `${name} at ${base.origin}${base.pathname.replace(/\/$/, '')}` };
}

/** What every adapter sends with a request: its headers and HTTP settings, and the caller's signal. */
export function requestOptions(source: { readonly headers?: Record<string, string>; readonly http?: HttpOptions }, signal: AbortSignal | undefined): GetOptions {
  return { ...(source.headers === undefined ? {} : { headers: source.headers }), ...(source.http === undefined ? {} : { http: source.http }), ...(signal === undefined ? {} : { signal }) };
}

/** `map` over `items` with at most `limit` calls in flight (a backend is not flooded), results in order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await map(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}

export interface JsonGet {
  readonly status: number;
  readonly body: unknown;
}

export interface GetOptions {
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly http?: HttpOptions;
  /** Largest answer read; more is a `tooLarge` error rather than a frozen server. */
  readonly maxBodyBytes?: number;
  /** A JSON body, sent as a POST (a query API that takes its query as a body: LangSmith's). */
  readonly jsonBody?: unknown;
}

/** Largest answer read by default (a search of hundreds of LLM traces runs to tens of MiB). */
const defaultMaxBodyBytes = 256 * 1024 * 1024;
/** A 429 or 503 is retried this often when the backend says when (Retry-After), and only if that is soon. */
const maxRetries = 2;
const maxRetryAfterMs = 10_000;

/**
 * GETs `url` (or POSTs `jsonBody`, a query) and parses its JSON. Connection failures, timeouts and bodies that are not JSON become
 * a `SourceError` naming `label` and the path (never a query string, which may hold a secret).
 * A 429 or 503 with a near Retry-After is retried (a read is safe to repeat); 401, 403, 407, 429 and
 * 5xx are typed errors; other statuses (a 404 that means "no such trace") are the caller's to judge.
 */
export async function getJson(label: string, url: URL, options: GetOptions = {}): Promise<JsonGet> {
  const where = `${label} (${methodOf(options)} ${url.pathname})`;
  const answer = await getBytes(label, url, { ...options, headers: { accept: 'application/json', ...options.headers } });
  const text = answer.bytes.toString('utf8');
  try {
    return { status: answer.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  } catch {
    // An error page (a proxy's) is about the status; a 200 that is not JSON (a login page) is the wrong URL.
    if (answer.status >= 300) return { status: answer.status, body: undefined };
    throw new SourceError(`${where} answered with a body that is not JSON (is the URL the backend's query API?): ${JSON.stringify(text.slice(0, 80))}`, 'badResponse');
  }
}

export interface BytesGet {
  readonly status: number;
  readonly contentType: string;
  readonly bytes: Buffer;
}

/** GETs `url` as bytes (a protobuf answer), with the same retries, bounds and typed errors as `getJson`. */
export async function getBytes(label: string, url: URL, options: GetOptions = {}): Promise<BytesGet> {
  const where = `${label} (${methodOf(options)} ${url.pathname})`;
  for (let attempt = 0; ; attempt++) {
    const answer = await getOnce(where, url, options);
    if (answer.status === 429 || answer.status === 503) {
      const waitMs = retryAfterMs(answer.retryAfter);
      if (attempt < maxRetries && waitMs !== undefined && waitMs <= maxRetryAfterMs) {
        await delay(waitMs, undefined, options.signal === undefined ? {} : { signal: options.signal });
        continue;
      }
    }
    // What no backend means as an answer: credentials, limits, a server or proxy in trouble.
    if (answer.status === 401 || answer.status === 403 || answer.status === 407 || answer.status === 429 || answer.status >= 500) throw httpStatusError(where, answer.status, detailOf(parsedOrText(answer.bytes)));
    return answer;
  }
}

function parsedOrText(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON: a plain-text message is said as is, an HTML page not at all.
    return /^\s*</.test(text) ? undefined : text.trim().slice(0, 200);
  }
}

async function getOnce(where: string, url: URL, options: GetOptions): Promise<BytesGet & { readonly retryAfter?: string }> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  let response: Dispatcher.ResponseData;
  try {
    const body = options.jsonBody === undefined ? undefined : JSON.stringify(options.jsonBody);
    response = await request(url, {
      method: methodOf(options),
      headers: { ...options.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body }),
      signal,
      dispatcher: dispatcherFor(where, options.http ?? {}),
    });
  } catch (e) {
    if (e instanceof SourceError) throw e;
    if (timeout.aborted) throw new SourceError(`${where} did not answer within ${Math.round(timeoutMs / 1000)} s.`, 'timeout');
    if (options.signal?.aborted === true) throw e;
    throw new SourceError(`${where} could not be reached: ${causeOf(e)}.`, 'unreachable');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > maxBodyBytes) {
        response.body.destroy();
        throw new SourceError(`${where} answered more than ${Math.round(maxBodyBytes / 2 ** 20)} MiB; narrow the time range.`, 'tooLarge');
      }
      chunks.push(chunk as Buffer);
    }
  } catch (e) {
    if (e instanceof SourceError) throw e;
    if (timeout.aborted) throw new SourceError(`${where} did not finish its answer within ${Math.round(timeoutMs / 1000)} s.`, 'timeout');
    throw e;
  }
  const retryAfter = response.headers['retry-after'];
  const contentType = response.headers['content-type'];
  return { status: response.statusCode, contentType: typeof contentType === 'string' ? contentType : '', bytes: Buffer.concat(chunks), ...(typeof retryAfter === 'string' ? { retryAfter } : {}) };
}

/** GET, or POST for a query sent as a body (a read all the same: safe to repeat). */
function methodOf(options: GetOptions): 'GET' | 'POST' {
  return options.jsonBody === undefined ? 'GET' : 'POST';
}

/** Retry-After in seconds or as an HTTP date. */
function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The message an error body carries, in the shapes backends use (`Message`: Alibaba Cloud's). */
export function detailOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return typeof body === 'string' ? body : undefined;
  const record = body as Record<string, unknown>;
  for (const key of ['message', 'detail', 'error', 'Message']) {
    const value = record[key];
    if (typeof value === 'string') return value;
    if (typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)['message'] === 'string') return (value as Record<string, string>)['message'];
  }
  return undefined;
}

function causeOf(e: unknown): string {
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
  const code = (cause as { code?: unknown }).code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
}
