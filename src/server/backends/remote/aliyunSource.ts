import type { Span } from '../../../model/span';
import type { TraceId } from '../../../model/units';
import { acsQuery, acsSignedHeaders, type AccessKey, type AcsCall } from './acsSignature';
import { acsItems, type AcsList, type XtraceSpan, xtraceSpansToModel } from './aliyunSpans';
import { backendBase, getJson, type HttpOptions, mapLimited } from './httpJson';
import { httpStatusError, SourceError, type SearchWindow, type TraceSource } from './traceSource';

export interface AliyunOptions {
  /** The OpenAPI endpoint of Managed Service for OpenTelemetry in a region: https://xtrace.cn-hangzhou.aliyuncs.com. */
  readonly url: string;
  /** The region (`cn-hangzhou`); absent: read from the endpoint's host. */
  readonly region?: string;
  /** `Authorization: Basic base64(AccessKey ID:AccessKey secret)` from SecretStorage: read here, never sent. */
  readonly headers?: Record<string, string>;
  readonly http?: HttpOptions;
}

interface TraceInfo {
  readonly TraceID?: string;
  readonly Timestamp?: number;
}

/** SearchTraces' answer: the list under `PageBean` (current API) or at the top (older answers). */
interface SearchAnswer {
  readonly PageBean?: { readonly TraceInfos?: AcsList<'TraceInfo', TraceInfo>; readonly TotalCount?: number };
  readonly TraceInfos?: AcsList<'TraceInfo', TraceInfo>;
}

interface AcsErrorBody {
  readonly Code?: string;
  readonly Message?: string;
}

const version = '2019-08-08';
/** The most SearchTraces and GetTrace answer per page. */
const pageSize = 100;
/** A trace of more pages than this (100,000 spans) is cut, with the store asked no further. */
const maxTracePages = 1_000;
const concurrency = 4;

/**
 * Alibaba Cloud Managed Service for OpenTelemetry (the trace store of ARMS's Tracing Analysis, where
 * Dify's Alibaba Cloud Monitoring integration sends its spans), through its RPC OpenAPI (xtrace
 * 2019-08-08): `SearchTraces` over a window in epoch milliseconds, newest first, then `GetTrace` for
 * each, paged. Requests are signed with the AccessKey pair (signature V3) and sent by undici like
 * every other backend's; the pair never leaves the trace server but in the signature.
 */
export class AliyunSource implements TraceSource {
  readonly kind = 'aliyun';
  readonly label: string;
  /** Each trace is its own request, and the OpenAPI is rate limited per account. */
  readonly defaultSearchLimit = 100;
  private readonly base: URL;
  /** Undefined: neither set nor in the endpoint's host, which every call then says. */
  private readonly region: string | undefined;
  private readonly key: AccessKey | undefined;

  constructor(private readonly options: AliyunOptions) {
    ({ base: this.base, label: this.label } = backendBase('Alibaba Cloud', options.url));
    this.region = options.region ?? /^xtrace(?:-vpc)?\.([a-z0-9-]+)\.aliyuncs\.com$/.exec(this.base.hostname)?.[1];
    this.key = accessKeyOf(options.headers?.['authorization']);
  }

  async search(window: SearchWindow, signal?: AbortSignal): Promise<readonly Span[]> {
    const ids: string[] = [];
    const seen = new Set<string>();
    for (let page = 1; ids.length < window.limit; page++) {
      const size = Math.min(pageSize, window.limit - ids.length);
      const answer = (await this.call({ version, action: 'SearchTraces', params: { RegionId: this.regionId(), StartTime: String(Math.floor(window.sinceMs)), EndTime: String(Math.ceil(window.untilMs)), Reverse: 'true', PageNumber: String(page), PageSize: String(size) } }, signal)) as SearchAnswer;
      const list = answer.PageBean?.TraceInfos ?? answer.TraceInfos;
      if (list === undefined) throw new SourceError(`${this.label} answered SearchTraces without "TraceInfos" (is the URL the xtrace OpenAPI endpoint?).`, 'badResponse');
      const infos = acsItems(list, 'TraceInfo');
      let added = 0;
      for (const info of infos) {
        const id = typeof info.TraceID === 'string' ? info.TraceID.toLowerCase() : '';
        if (!/^[0-9a-f]{1,32}$/.test(id) || seen.has(id)) continue;
        seen.add(id);
        ids.push(id);
        added++;
      }
      // A short page is the last; a page of nothing new is a store that ignores PageNumber.
      if (infos.length < size || added === 0) break;
    }
    const found = await mapLimited(ids.slice(0, window.limit), concurrency, (id) => this.trace(id as TraceId, signal));
    return found.flatMap((spans) => spans ?? []);
  }

  async trace(traceId: TraceId, signal?: AbortSignal): Promise<readonly Span[] | undefined> {
    const spans: XtraceSpan[] = [];
    const seen = new Set<string>();
    for (let page = 1; page <= maxTracePages; page++) {
      const answer = (await this.call({ version, action: 'GetTrace', params: { RegionId: this.regionId(), TraceID: traceId, PageNumber: String(page), PageSize: String(pageSize) } }, signal)) as { Spans?: AcsList<'Span', XtraceSpan> };
      const items = acsItems(answer.Spans, 'Span');
      let added = 0;
      for (const span of items) {
        const id = `${span.SpanId ?? ''}/${span.RpcId ?? ''}`;
        if (seen.has(id)) continue;
        seen.add(id);
        spans.push(span);
        added++;
      }
      if (items.length < pageSize || added === 0) break;
    }
    const model = xtraceSpansToModel(spans);
    return model.length === 0 ? undefined : model;
  }

  /** Alibaba Cloud's console has no stable per-trace address: the LLM observability console Dify links to (traceclient.py get_project_url). */
  uiUrl(): string {
    return 'https://arms.console.aliyun.com/#/llm';
  }

  private regionId(): string {
    if (this.region === undefined) throw new SourceError(`${this.label}: no region. Give a region's endpoint (https://xtrace.cn-hangzhou.aliyuncs.com), or set "region" on this backend in difyTrace.backends.`, 'badResponse');
    return this.region;
  }

  /** One signed call; Alibaba's error answers (`Code`, `Message`) become typed errors. */
  private async call(call: AcsCall, signal: AbortSignal | undefined): Promise<unknown> {
    if (this.key === undefined) throw new SourceError(`${this.label} needs an AccessKey pair: set it with "Dify Trace: Set Backend Credentials…".`, 'unauthorized');
    const url = new URL(`?${acsQuery(call.params)}`, this.base);
    const where = `${this.label} (${call.action})`;
    let answer;
    try {
      answer = await getJson(this.label, url, { headers: acsSignedHeaders(call, url.host, this.key), ...(this.options.http === undefined ? {} : { http: this.options.http }), ...(signal === undefined ? {} : { signal }) });
    } catch (e) {
      // The shared client says "GET /"; the action is what a user can act on.
      if (e instanceof SourceError) throw new SourceError(e.message.replace(`${this.label} (GET /)`, where), e.kind);
      throw e;
    }
    if (answer.status === 200) return answer.body ?? {};
    throw acsError(where, answer.status, answer.body as AcsErrorBody | undefined);
  }
}

/** The AccessKey pair from `Basic base64(id:secret)`, as Set Backend Credentials stores it. */
function accessKeyOf(authorization: string | undefined): AccessKey | undefined {
  const basic = authorization === undefined ? undefined : /^Basic\s+(\S+)$/i.exec(authorization.trim())?.[1];
  if (basic === undefined) return undefined;
  const text = Buffer.from(basic, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon <= 0 ? undefined : { id: text.slice(0, colon), secret: text.slice(colon + 1) };
}

/**
 * Alibaba Cloud's errors by their code (its "common error codes"): a signature or key the service
 * does not take is the credentials (HTTP 400 or 404 there), `Throttling*` a rate limit, `Forbidden*`
 * access the RAM user lacks.
 */
function acsError(where: string, status: number, body: AcsErrorBody | undefined): SourceError {
  const code = body?.Code ?? '';
  const detail = [code, body?.Message].filter((s) => s !== undefined && s !== '').join(': ');
  if (/^(SignatureDoesNotMatch|IncompleteSignature|InvalidAccessKeyId|InvalidAccessKeySecret)/.test(code)) return httpStatusError(where, 401, detail);
  if (/^Throttling/.test(code)) return httpStatusError(where, 429, detail);
  if (/^Forbidden|^NoPermission/.test(code)) return httpStatusError(where, 403, detail);
  return httpStatusError(where, status, detail);
}
