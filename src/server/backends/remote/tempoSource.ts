import type { Span } from '../../../model/span';
import type { TraceId } from '../../../model/units';
import { decodeTraceRequest } from '../../receiver/otlpBody';
import { traceJsonToMessage } from '../../receiver/otlpJsonValue';
import { exportRequestToModel } from '../../receiver/otlpToModel';
import { backendBase, detailOf, getBytes, getJson, type HttpOptions, mapLimited, requestOptions } from './httpJson';
import { httpStatusError, SourceError, type SearchWindow, type TraceSource } from './traceSource';

export interface TempoOptions {
  /** Tempo's query frontend, e.g. http://127.0.0.1:3200; a base path is kept (Grafana Cloud's). */
  readonly url: string;
  /** A multi-tenant Tempo's `X-Scope-OrgID`, a proxy's or Grafana Cloud's Authorization; from SecretStorage when secret. */
  readonly headers?: Record<string, string>;
  readonly http?: HttpOptions;
}

interface SearchAnswer {
  readonly traces?: readonly { readonly traceID?: string; readonly startTimeUnixNano?: string }[];
}

/** Traces fetched at once when a search found more than one (Tempo has no "many traces" call). */
const concurrency = 6;

/**
 * Grafana Tempo's HTTP API (grafana/tempo `docs/sources/tempo/api_docs`): a TraceQL search over a
 * time range in unix seconds (`/api/search`, which answers trace ids only), then each trace by id:
 * `/api/v2/traces/{id}` (OTLP/JSON under `trace`, ids base64 as gogo jsonpb writes bytes), or on a
 * Tempo older than v2.5, `/api/traces/{id}` as protobuf (`tempopb.Trace`, whose `batches` are field 1
 * as an export request's `resourceSpans` are: it decodes as one).
 */
export class TempoSource implements TraceSource {
  readonly kind = 'tempo';
  readonly label: string;
  /** Each trace is its own request: fewer per listing than from a store that answers whole traces. */
  readonly defaultSearchLimit = 200;
  private readonly base: URL;
  /** Whether `/api/v2/traces` exists here; learnt from the first answer. */
  private hasV2: boolean | undefined;

  constructor(private readonly options: TempoOptions) {
    ({ base: this.base, label: this.label } = backendBase('Tempo', options.url));
  }

  async search(window: SearchWindow, signal?: AbortSignal): Promise<readonly Span[]> {
    const url = new URL('api/search', this.base);
    url.searchParams.set('q', '{}');
    url.searchParams.set('start', String(Math.floor(window.sinceMs / 1000)));
    url.searchParams.set('end', String(Math.ceil(window.untilMs / 1000)));
    url.searchParams.set('limit', String(window.limit));
    url.searchParams.set('spss', '1');
    const { status, body } = await getJson(this.label, url, requestOptions(this.options, signal));
    if (status !== 200) throw httpStatusError(`${this.label} (GET ${url.pathname})`, status, detailOf(body));
    const traces = (body as SearchAnswer | undefined)?.traces;
    if (traces === undefined || !Array.isArray(traces)) throw new SourceError(`${this.label} answered GET ${url.pathname} without a "traces" list (is the URL Tempo's query frontend?).`, 'badResponse');
    // Search ids are not left-padded unless the tenant says so: a 64-bit id is the 128-bit one with zeros in front.
    const ids = [...new Set((traces as NonNullable<SearchAnswer['traces']>).flatMap((t) => (typeof t.traceID === 'string' && /^[0-9a-fA-F]{1,32}$/.test(t.traceID) ? [t.traceID.toLowerCase().padStart(32, '0')] : [])))];
    const found = await mapLimited(ids, concurrency, (id) => this.trace(id as TraceId, signal));
    return found.flatMap((spans) => spans ?? []);
  }

  async trace(traceId: TraceId, signal?: AbortSignal): Promise<readonly Span[] | undefined> {
    if (this.hasV2 !== false) {
      const url = new URL(`api/v2/traces/${traceId}`, this.base);
      const { status, body } = await getJson(this.label, url, requestOptions(this.options, signal));
      if (status === 200) {
        this.hasV2 = true;
        return this.spansOf((body as { trace?: unknown } | undefined)?.trace, url);
      }
      // A JSON 404 is "no such trace"; a plain-text one ("404 page not found") is a Tempo without the v2 route.
      if (status === 404 && body !== undefined) return undefined;
      if (status !== 404) throw httpStatusError(`${this.label} (GET ${url.pathname})`, status, detailOf(body));
      this.hasV2 = false;
    }
    const url = new URL(`api/traces/${traceId}`, this.base);
    const answer = await getBytes(this.label, url, { ...requestOptions(this.options, signal), headers: { ...this.options.headers, accept: 'application/protobuf' } });
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw httpStatusError(`${this.label} (GET ${url.pathname})`, answer.status);
    if (answer.contentType.includes('json')) {
      // A Tempo that ignores Accept answers v1 JSON: `batches` in place of `resourceSpans`.
      let parsed: { batches?: unknown };
      try {
        parsed = JSON.parse(answer.bytes.toString('utf8')) as { batches?: unknown };
      } catch {
        throw new SourceError(`${this.label} answered GET ${url.pathname} with JSON it could not parse.`, 'badResponse');
      }
      return this.spansOf({ resourceSpans: parsed.batches ?? [] }, url);
    }
    try {
      const spans = exportRequestToModel(decodeTraceRequest(answer.bytes, 'protobuf')).spans;
      return spans.length === 0 ? undefined : spans;
    } catch (e) {
      throw new SourceError(`${this.label} answered GET ${url.pathname} with protobuf that is not a trace: ${e instanceof Error ? e.message : String(e)}`, 'badResponse');
    }
  }

  /** Tempo has no UI of its own (Grafana shows its traces): the trace as Tempo answers it. */
  uiUrl(traceId: string): string {
    return new URL(`api/v2/traces/${traceId}`, this.base).toString();
  }

  private spansOf(trace: unknown, url: URL): Span[] | undefined {
    if (trace === undefined || trace === null || typeof trace !== 'object') throw new SourceError(`${this.label} answered GET ${url.pathname} without a "trace".`, 'badResponse');
    try {
      const spans = exportRequestToModel(traceJsonToMessage(trace)).spans;
      return spans.length === 0 ? undefined : spans;
    } catch (e) {
      throw new SourceError(`${this.label} answered GET ${url.pathname} with a trace that is not OTLP/JSON: ${e instanceof Error ? e.message : String(e)}`, 'badResponse');
    }
  }

}
