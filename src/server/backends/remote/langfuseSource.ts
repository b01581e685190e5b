import type { Span } from '../../../model/span';
import type { TraceId } from '../../../model/units';
import { ingestionToModel } from '../../receiver/langfuse/ingestionToModel';
import type { IngestionEvent, IngestionEventType } from '../../receiver/langfuse/ingestionWire';
import { backendBase, detailOf, getJson, type HttpOptions, mapLimited, requestOptions } from './httpJson';
import { httpStatusError, SourceError, type SearchWindow, type TraceSource } from './traceSource';

export interface LangfuseOptions {
  /** Langfuse's base URL: https://cloud.langfuse.com, https://us.cloud.langfuse.com, or a self-hosted web (port 3000). */
  readonly url: string;
  /** `Authorization: Basic base64(public key:secret key)`, from SecretStorage. */
  readonly headers?: Record<string, string>;
  readonly http?: HttpOptions;
}

/** A trace as `GET /api/public/traces/{id}` answers it (`TraceWithFullDetails`, langfuse fern/apis/server/definition/trace.yml). */
interface LangfuseTrace {
  readonly id: string;
  readonly timestamp?: string;
  readonly name?: string | null;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly sessionId?: string | null;
  readonly userId?: string | null;
  readonly metadata?: unknown;
  readonly tags?: readonly string[] | null;
  readonly version?: string | null;
  readonly release?: string | null;
  readonly observations?: readonly LangfuseObservation[] | null;
}

/** An observation as the classic API answers it (`Observation`, fern observations.yml): types in capitals. */
interface LangfuseObservation {
  readonly id: string;
  readonly traceId?: string | null;
  readonly type?: string;
  readonly name?: string | null;
  readonly startTime?: string;
  readonly endTime?: string | null;
  readonly completionStartTime?: string | null;
  readonly model?: string | null;
  readonly modelParameters?: unknown;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly metadata?: unknown;
  readonly level?: string;
  readonly statusMessage?: string | null;
  readonly parentObservationId?: string | null;
  readonly version?: string | null;
  readonly usage?: { readonly input?: number | null; readonly output?: number | null; readonly total?: number | null } | null;
  readonly usageDetails?: Record<string, number> | null;
  readonly calculatedTotalCost?: number | null;
}

interface TracesPage {
  readonly data?: readonly { readonly id?: string }[];
  readonly meta?: { readonly page?: number; readonly totalPages?: number };
}

const pageSize = 100;
const concurrency = 4;

/**
 * Langfuse's classic public API (Langfuse v3, and v4 in `legacy` or `dual` write mode): traces
 * listed by timestamp, each read whole with its observations. What it answers is turned back into
 * the ingestion events Dify's Langfuse exporter sent (trace-create, span/generation/event-create),
 * and those into spans by the receiver's own mapping, so a run read from Langfuse is the run the
 * receiver would have made of the same export. The public key (Basic auth's user name) labels the
 * runs as it does for the receiver.
 */
export class LangfuseSource implements TraceSource {
  readonly kind = 'langfuse';
  readonly label: string;
  /** Each trace is one request, and Langfuse limits its API hard: fewer traces per listing. */
  readonly defaultSearchLimit = 100;
  private readonly base: URL;
  private readonly publicKey: string | undefined;
  /** Langfuse's own id of each trace seen (a UUID with dashes, or 32 hex), by the model's trace id. */
  private readonly rawIds = new Map<string, string>();

  constructor(private readonly options: LangfuseOptions) {
    ({ base: this.base, label: this.label } = backendBase('Langfuse', options.url));
    this.publicKey = publicKeyOf(options.headers);
  }

  async search(window: SearchWindow, signal?: AbortSignal): Promise<readonly Span[]> {
    const ids: string[] = [];
    for (let page = 1; ids.length < window.limit; page++) {
      const url = new URL('api/public/traces', this.base);
      url.searchParams.set('page', String(page));
      url.searchParams.set('limit', String(Math.min(pageSize, window.limit - ids.length)));
      url.searchParams.set('fromTimestamp', new Date(window.sinceMs).toISOString());
      url.searchParams.set('toTimestamp', new Date(window.untilMs).toISOString());
      url.searchParams.set('orderBy', 'timestamp.desc');
      url.searchParams.set('fields', 'core');
      const answer = (await this.get(url, signal)) as TracesPage | undefined;
      if (answer === undefined || !Array.isArray(answer.data)) throw new SourceError(`${this.label} answered GET ${url.pathname} without a "data" list (is the URL Langfuse's?).`, 'badResponse');
      for (const t of answer.data as readonly { readonly id?: string }[]) if (typeof t.id === 'string') ids.push(t.id);
      if (answer.data.length === 0 || page >= (answer.meta?.totalPages ?? page)) break;
      if (page >= 1000) throw new SourceError(`${this.label} (GET ${url.pathname}) kept paging past 1000 pages; narrow the time range.`, 'tooLarge');
    }
    const found = await mapLimited(ids, concurrency, (id) => this.traceByRawId(id, signal));
    return found.flatMap((spans) => spans ?? []);
  }

  async trace(traceId: TraceId, signal?: AbortSignal): Promise<readonly Span[] | undefined> {
    // Dify's Langfuse trace ids are the run or message UUID, or a 32-hex external trace id; the
    // model's id drops the dashes, so both spellings are asked unless the id was seen.
    const known = this.rawIds.get(traceId);
    const candidates = known !== undefined ? [known] : [traceId, `${traceId.slice(0, 8)}-${traceId.slice(8, 12)}-${traceId.slice(12, 16)}-${traceId.slice(16, 20)}-${traceId.slice(20)}`];
    for (const raw of candidates) {
      const found = await this.traceByRawId(raw, signal);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  uiUrl(traceId: string): string {
    return new URL(`trace/${this.rawIds.get(traceId) ?? traceId}`, this.base).toString();
  }

  private async traceByRawId(id: string, signal: AbortSignal | undefined): Promise<Span[] | undefined> {
    const url = new URL(`api/public/traces/${encodeURIComponent(id)}`, this.base);
    const trace = (await this.get(url, signal, true)) as LangfuseTrace | undefined;
    if (trace === undefined) return undefined;
    if (typeof trace.id !== 'string') throw new SourceError(`${this.label} answered GET ${url.pathname} without a trace id.`, 'badResponse');
    const spans = ingestionToModel(ingestionEventsOf(trace), this.publicKey, Date.parse(trace.timestamp ?? '') * 1000 || Date.now() * 1000).spans;
    for (const s of spans) this.rawIds.set(s.traceId, trace.id);
    return spans;
  }

  /** The JSON answer; a 404 is undefined when `notFoundIsAbsent`, and Langfuse v4's events-only 404 says what it is. */
  private async get(url: URL, signal: AbortSignal | undefined, notFoundIsAbsent = false): Promise<unknown> {
    const { status, body } = await getJson(this.label, url, requestOptions(this.options, signal));
    const detail = detailOf(body);
    if (status === 404 && detail !== undefined && /events_only/.test(detail)) {
      throw new SourceError(`${this.label} runs Langfuse v4 in events-only mode, where the classic trace API is off (${detail}). Reading Langfuse v4's observations API is not supported yet.`, 'notFound');
    }
    if (status === 404 && notFoundIsAbsent) return undefined;
    if (status !== 200) throw httpStatusError(`${this.label} (GET ${url.pathname})`, status, detail);
    return body;
  }
}

/** The user name of a Basic Authorization header: Langfuse's public key. */
function publicKeyOf(headers: Record<string, string> | undefined): string | undefined {
  const authorization = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  const basic = authorization === undefined ? undefined : /^Basic\s+(\S+)$/i.exec(authorization);
  if (!basic) return undefined;
  const user = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')[0];
  return user === undefined || user === '' ? undefined : user;
}

const observationEventTypes: Record<string, IngestionEventType> = { GENERATION: 'generation-create', EVENT: 'event-create' };

/** A stored trace as the ingestion events that would have made it (null fields left out, as absent). */
export function ingestionEventsOf(trace: LangfuseTrace): IngestionEvent[] {
  const defined = (record: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null && v !== undefined));
  const events: IngestionEvent[] = [
    {
      id: `trace:${trace.id}`,
      type: 'trace-create',
      timestamp: trace.timestamp,
      body: defined({ id: trace.id, timestamp: trace.timestamp, name: trace.name, input: trace.input, output: trace.output, sessionId: trace.sessionId, userId: trace.userId, metadata: trace.metadata, tags: trace.tags, version: trace.version, release: trace.release }),
    },
  ];
  for (const o of trace.observations ?? []) {
    const usage = o.usage ?? (o.usageDetails ? { input: o.usageDetails['input'], output: o.usageDetails['output'], total: o.usageDetails['total'] } : undefined);
    events.push({
      id: `observation:${o.id}`,
      type: observationEventTypes[o.type ?? ''] ?? 'span-create',
      timestamp: o.startTime,
      body: defined({
        id: o.id,
        traceId: o.traceId ?? trace.id,
        name: o.name,
        startTime: o.startTime,
        endTime: o.endTime,
        completionStartTime: o.completionStartTime,
        model: o.model,
        modelParameters: o.modelParameters,
        input: o.input,
        output: o.output,
        metadata: o.metadata,
        level: o.level,
        statusMessage: o.statusMessage,
        parentObservationId: o.parentObservationId,
        version: o.version,
        usage: usage === undefined ? undefined : defined({ ...usage, ...(typeof o.calculatedTotalCost === 'number' ? { totalCost: o.calculatedTotalCost } : {}) }),
      }),
    });
  }
  return events;
}
