import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { SourceError } from './traceSource';

/**
 * Outbound HTTP for remote backends: through undici, which honours HTTP_PROXY, HTTPS_PROXY and
 * NO_PROXY (a team's Jaeger is often reached through a proxy), with a timeout and a body bound.
 */
let sharedAgent: Dispatcher | undefined;
function agent(): Dispatcher {
  sharedAgent ??= new EnvHttpProxyAgent();
  return sharedAgent;
}

export interface JsonGet {
  readonly status: number;
  readonly body: unknown;
}

/** Largest answer read (a search of hundreds of LLM traces runs to tens of MiB). */
const maxBodyBytes = 256 * 1024 * 1024;

/**
 * GETs `url` and parses its JSON. Connection failures, timeouts and bodies that are not JSON become
 * a `SourceError` naming `label` and the path (never a query string, which may hold a secret).
 */
export async function getJson(label: string, url: URL, options: { readonly headers?: Record<string, string>; readonly signal?: AbortSignal; readonly timeoutMs?: number } = {}): Promise<JsonGet> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
  const where = `${label} (GET ${url.pathname})`;
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, { method: 'GET', headers: { accept: 'application/json', ...options.headers }, signal, dispatcher: agent() });
  } catch (e) {
    if (timeout.aborted) throw new SourceError(`${where} did not answer within ${Math.round((options.timeoutMs ?? 30_000) / 1000)} s.`);
    throw new SourceError(`${where} could not be reached: ${causeOf(e)}.`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) {
      response.body.destroy();
      throw new SourceError(`${where} answered more than ${maxBodyBytes / 2 ** 20} MiB; narrow the time range.`);
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return { status: response.statusCode, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  } catch {
    throw new SourceError(`${where} answered HTTP ${response.statusCode} with a body that is not JSON (is the URL the backend's query API?): ${text.slice(0, 120)}`);
  }
}

function causeOf(e: unknown): string {
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
  const code = (cause as { code?: unknown }).code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
}
