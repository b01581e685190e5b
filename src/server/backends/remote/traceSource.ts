import type { Span } from '../../../model/span';
import type { TraceId } from '../../../model/units';

/** A window of trace start times to search, and how many traces at most. */
export interface SearchWindow {
  readonly sinceMs: number;
  readonly untilMs: number;
  readonly limit: number;
}

/**
 * Where a remote backend's traces come from: the few calls every trace store answers (search by
 * time, one trace by id). What the Runs view shows is made from these spans by the same run index
 * as the embedded receiver's, so a run reads the same wherever it is stored.
 */
export interface TraceSource {
  /** `jaeger`, `zipkin`, ... */
  readonly kind: string;
  /** Where, for messages: "Jaeger at http://127.0.0.1:16686". */
  readonly label: string;
  /** Whole traces that started in the window, newest first, up to `window.limit` traces. */
  search(window: SearchWindow, signal?: AbortSignal): Promise<readonly Span[]>;
  /** One trace, or undefined when the backend does not have it. */
  trace(traceId: TraceId, signal?: AbortSignal): Promise<readonly Span[] | undefined>;
  /** Traces per listing when the settings do not say (a backend that answers one trace per request wants fewer). */
  readonly defaultSearchLimit?: number;
  /** The trace in the backend's own UI. */
  uiUrl(traceId: string): string;
}

/** Why a backend could not answer, for the view to offer the next step (Retry, Open Settings, Set Credentials). */
export type SourceErrorKind = 'unreachable' | 'timeout' | 'unauthorized' | 'forbidden' | 'notFound' | 'rateLimited' | 'badResponse' | 'tooLarge';

/** A backend that could not answer: said with where, and what to check. */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly kind: SourceErrorKind = 'badResponse',
  ) {
    super(message);
  }
}

/** The error for an HTTP status other than the one expected, with the hint a user needs for it. */
export function httpStatusError(where: string, status: number, detail?: string): SourceError {
  const said = detail === undefined || detail === '' ? '' : `: ${detail.slice(0, 200)}`;
  switch (status) {
    case 401:
      return new SourceError(`${where} refused the credentials (HTTP 401)${said}. Set them with "Dify Trace: Set Backend Credentials…".`, 'unauthorized');
    case 407:
      return new SourceError(`${where}: the proxy wants credentials (HTTP 407); set them in http.proxy or the proxy environment variables.`, 'unauthorized');
    case 403:
      return new SourceError(`${where} answered HTTP 403 (forbidden)${said}: the credentials lack access to these traces.`, 'forbidden');
    case 404:
      return new SourceError(`${where} answered HTTP 404${said}: check the backend's URL (and project) in difyTrace.backends.`, 'notFound');
    case 429:
      return new SourceError(`${where} is rate limiting requests (HTTP 429)${said}; try again in a minute.`, 'rateLimited');
    case 413:
      return new SourceError(`${where} answered HTTP 413${said}: narrow the time range.`, 'tooLarge');
    default:
      return new SourceError(`${where} answered HTTP ${status}${said}.`, status >= 500 ? 'unreachable' : 'badResponse');
  }
}
