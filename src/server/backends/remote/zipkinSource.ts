import type { Span } from '../../../model/span';
import type { TraceId } from '../../../model/units';
import { backendBase, detailOf, getJson, type HttpOptions, requestOptions } from './httpJson';
import { type ZipkinSpan, zipkinSpansToModel } from './zipkinSpans';
import { httpStatusError, SourceError, type SearchWindow, type TraceSource } from './traceSource';

export interface ZipkinOptions {
  /** The Zipkin server's base URL, e.g. http://127.0.0.1:9411; a base path is kept. */
  readonly url: string;
  /** Zipkin has no auth of its own; a proxy in front of it may want an Authorization header. */
  readonly headers?: Record<string, string>;
  readonly http?: HttpOptions;
}

/**
 * Zipkin's v2 API (`/api/v2/traces` searched by end time and lookback in milliseconds, up to `limit`
 * traces; `/api/v2/trace/{id}`): openzipkin/zipkin `ZipkinQueryApiV2`, checked against zipkin-server
 * 3.6.1. A trace id of 16 digits (64-bit) is the same trace as the 32-digit id with zeros in front.
 */
export class ZipkinSource implements TraceSource {
  readonly kind = 'zipkin';
  readonly label: string;
  private readonly base: URL;

  constructor(private readonly options: ZipkinOptions) {
    ({ base: this.base, label: this.label } = backendBase('Zipkin', options.url));
  }

  async search(window: SearchWindow, signal?: AbortSignal): Promise<readonly Span[]> {
    const url = new URL('api/v2/traces', this.base);
    url.searchParams.set('endTs', String(Math.floor(window.untilMs)));
    url.searchParams.set('lookback', String(Math.max(1, Math.ceil(window.untilMs - window.sinceMs))));
    url.searchParams.set('limit', String(window.limit));
    const traces = this.bodyOf(await this.get(url, signal), url);
    if (!Array.isArray(traces) || !traces.every(Array.isArray)) throw new SourceError(`${this.label} answered GET ${url.pathname} with something other than a list of traces (is the URL a Zipkin server's?).`, 'badResponse');
    return zipkinSpansToModel((traces as ZipkinSpan[][]).flat());
  }

  async trace(traceId: TraceId, signal?: AbortSignal): Promise<readonly Span[] | undefined> {
    const url = new URL(`api/v2/trace/${traceId}`, this.base);
    const answer = await this.get(url, signal);
    if (answer.status === 404) return undefined;
    const spans = this.bodyOf(answer, url);
    if (!Array.isArray(spans)) throw new SourceError(`${this.label} answered GET ${url.pathname} with something other than a list of spans.`, 'badResponse');
    const model = zipkinSpansToModel(spans as ZipkinSpan[]);
    return model.length === 0 ? undefined : model;
  }

  uiUrl(traceId: string): string {
    return new URL(`zipkin/traces/${traceId}`, this.base).toString();
  }

  private get(url: URL, signal: AbortSignal | undefined) {
    return getJson(this.label, url, requestOptions(this.options, signal));
  }

  private bodyOf({ status, body }: { readonly status: number; readonly body: unknown }, url: URL): unknown {
    if (status !== 200) throw httpStatusError(`${this.label} (GET ${url.pathname})`, status, detailOf(body));
    return body;
  }
}
