import type { Span } from '../../../model/span';
import type { TraceId } from '../../../model/units';
import { traceJsonToMessage } from '../../receiver/otlpJsonValue';
import { exportRequestToModel } from '../../receiver/otlpToModel';
import { backendBase, detailOf, getJson, type HttpOptions, requestOptions } from './httpJson';
import { httpStatusError, SourceError, type SearchWindow, type TraceSource } from './traceSource';

export interface JaegerOptions {
  /** The query service's base URL (the UI's), e.g. http://127.0.0.1:16686; a base path is kept. */
  readonly url: string;
  /** Extra headers (a proxy's Authorization, Jaeger's `x-tenant`); from SecretStorage when secret. */
  readonly headers?: Record<string, string>;
  readonly http?: HttpOptions;
}

/**
 * Jaeger v2's query API v3 (`/api/v3/traces`), which answers OTLP/JSON inside `{"result": ...}`
 * with hex ids: the receiver's OTLP/JSON decoder reads it. Parameter names are the snake_case ones
 * that v1.75.0 (= v2.12.0) accepts (later releases take camelCase and keep these as aliases).
 */
export class JaegerSource implements TraceSource {
  readonly kind = 'jaeger';
  readonly label: string;
  private readonly base: URL;

  constructor(private readonly options: JaegerOptions) {
    ({ base: this.base, label: this.label } = backendBase('Jaeger', options.url));
  }

  async search(window: SearchWindow, signal?: AbortSignal): Promise<readonly Span[]> {
    const url = new URL('api/v3/traces', this.base);
    url.searchParams.set('query.start_time_min', new Date(window.sinceMs).toISOString());
    url.searchParams.set('query.start_time_max', new Date(window.untilMs).toISOString());
    url.searchParams.set('query.num_traces', String(window.limit));
    const { status, body } = await getJson(this.label, url, requestOptions(this.options, signal));
    // No trace in the window: Jaeger answers 404 with its error envelope.
    if (status === 404) return [];
    return this.spansOf(status, body, url);
  }

  async trace(traceId: TraceId, signal?: AbortSignal): Promise<readonly Span[] | undefined> {
    const url = new URL(`api/v3/traces/${traceId}`, this.base);
    const { status, body } = await getJson(this.label, url, requestOptions(this.options, signal));
    if (status === 404) return undefined;
    const spans = this.spansOf(status, body, url);
    return spans.length === 0 ? undefined : spans;
  }

  uiUrl(traceId: string): string {
    return new URL(`trace/${traceId}`, this.base).toString();
  }


  private spansOf(status: number, body: unknown, url: URL): Span[] {
    if (status !== 200) throw httpStatusError(`${this.label} (GET ${url.pathname})`, status, detailOf(body));
    const result = (body as { result?: unknown } | undefined)?.result;
    if (result === undefined || result === null || typeof result !== 'object') throw new SourceError(`${this.label} answered GET ${url.pathname} without a "result" (is the URL Jaeger's query service, v2 or later?).`);
    try {
      return exportRequestToModel(traceJsonToMessage(result)).spans;
    } catch (e) {
      throw new SourceError(`${this.label} answered GET ${url.pathname} with traces that are not OTLP/JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
