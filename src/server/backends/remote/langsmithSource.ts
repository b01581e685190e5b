import type { Span } from '../../../model/span';
import type { TraceId } from '../../../model/units';
import { backendBase, detailOf, getJson, type HttpOptions, mapLimited } from './httpJson';
import { type LangsmithRun, langsmithRunsToModel } from './langsmithRuns';
import { httpStatusError, SourceError, type SearchWindow, type TraceSource } from './traceSource';

export interface LangsmithOptions {
  /** LangSmith's API: https://api.smith.langchain.com (EU: https://eu.api.smith.langchain.com), or a self-hosted one's `/api`. */
  readonly url: string;
  /** The projects (Dify's LangSmith "Project" setting) to read; absent: every project. */
  readonly projects?: readonly string[];
  /** `Authorization: Bearer <API key>` from SecretStorage; sent as LangSmith's `x-api-key`. */
  readonly headers?: Record<string, string>;
  readonly http?: HttpOptions;
}

interface Session {
  readonly id?: string;
  readonly name?: string;
  readonly tenant_id?: string;
}

interface RunsPage {
  readonly runs?: readonly LangsmithRun[];
  readonly cursors?: { readonly next?: string | null } | null;
}

/** The most runs one query answers (LangSmith's limit for `runs/query`). */
const pageSize = 100;
/** A trace of more pages than this (10,000 runs) is cut, the API asked no further. */
const maxPages = 100;
const concurrency = 4;

/**
 * LangSmith's REST API, where Dify's LangSmith tracing sends its runs: the projects (`sessions`),
 * root runs by start time (`POST /api/v1/runs/query` with `is_root`), then each trace's runs
 * (`trace`), cursor-paged. Runs are mapped to spans one per run (langsmithRuns.ts); the run index
 * reads them as the receiver reads any exporter's spans.
 */
export class LangsmithSource implements TraceSource {
  readonly kind = 'langsmith';
  readonly label: string;
  /** Each trace is its own query, and LangSmith limits its API per workspace. */
  readonly defaultSearchLimit = 100;
  private readonly base: URL;
  private readonly headers: Record<string, string>;
  private readonly projectNames = new Map<string, string>();
  private readonly tenants = new Map<string, string>();
  /** Where each trace seen is in LangSmith's UI: its project and root run. */
  private readonly places = new Map<string, { readonly sessionId: string; readonly rootRunId: string }>();

  constructor(private readonly options: LangsmithOptions) {
    ({ base: this.base, label: this.label } = backendBase('LangSmith', options.url));
    const { authorization, ...rest } = options.headers ?? {};
    const key = authorization === undefined ? undefined : /^Bearer\s+(\S+)$/i.exec(authorization.trim())?.[1];
    this.headers = { ...rest, ...(key === undefined ? {} : { 'x-api-key': key }) };
  }

  async search(window: SearchWindow, signal?: AbortSignal): Promise<readonly Span[]> {
    const sessions = await this.sessions(signal);
    if (sessions.length === 0) return [];
    const traceIds: string[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < maxPages && traceIds.length < window.limit; page++) {
      const answer = await this.query({ session: sessions, is_root: true, start_time: new Date(window.sinceMs).toISOString(), end_time: new Date(window.untilMs).toISOString(), limit: Math.min(pageSize, window.limit - traceIds.length), ...(cursor === undefined ? {} : { cursor }) }, signal);
      for (const run of answer.runs) {
        const traceId = run.trace_id ?? run.id;
        if (typeof traceId !== 'string' || seen.has(traceId)) continue;
        seen.add(traceId);
        traceIds.push(traceId);
      }
      if (answer.next === undefined || answer.next === cursor) break;
      cursor = answer.next;
    }
    const found = await mapLimited(traceIds.slice(0, window.limit), concurrency, (id) => this.runsOfTrace(id, sessions, signal));
    return this.toSpans(found.flat());
  }

  async trace(traceId: TraceId, signal?: AbortSignal): Promise<readonly Span[] | undefined> {
    const sessions = await this.sessions(signal);
    const uuid = `${traceId.slice(0, 8)}-${traceId.slice(8, 12)}-${traceId.slice(12, 16)}-${traceId.slice(16, 20)}-${traceId.slice(20)}`;
    const runs = await this.runsOfTrace(uuid, sessions, signal);
    const spans = this.toSpans(runs);
    return spans.length === 0 ? undefined : spans;
  }

  /**
   * The trace's root run in LangSmith's UI, as the SDK's `get_run_url` builds it
   * (`/o/{tenant}/projects/p/{project}/r/{run}`); the UI's home for a trace not read here. The UI is
   * the API's host without `api.` (LangSmith Cloud), or the same host without `/api` (self-hosted).
   */
  uiUrl(traceId: string): string {
    const host = this.base.hostname.startsWith('api.') || this.base.hostname.includes('.api.') ? new URL(this.base.origin.replace('api.', '')) : new URL(this.base.pathname.replace(/\/api\/?$/, '/'), this.base.origin);
    const place = this.places.get(traceId);
    const tenant = place === undefined ? undefined : this.tenants.get(place.sessionId);
    if (place === undefined || tenant === undefined) return host.toString();
    return new URL(`o/${tenant}/projects/p/${place.sessionId}/r/${place.rootRunId}`, host).toString();
  }

  private toSpans(runs: readonly LangsmithRun[]): Span[] {
    for (const run of runs) {
      const traceId = (run.trace_id ?? run.id ?? '').replaceAll('-', '').toLowerCase();
      if (!run.parent_run_id && typeof run.id === 'string' && typeof run.session_id === 'string' && !this.places.has(traceId)) this.places.set(traceId, { sessionId: run.session_id, rootRunId: run.id });
    }
    return langsmithRunsToModel(runs, (sessionId) => (sessionId === undefined ? 'LangSmith' : (this.projectNames.get(sessionId) ?? 'LangSmith')));
  }

  /** The ids of the projects to read, their names remembered for the runs' service name. */
  private async sessions(signal: AbortSignal | undefined): Promise<string[]> {
    const wanted = this.options.projects ?? [];
    const found: Session[] = [];
    if (wanted.length === 0) found.push(...(await this.get('api/v1/sessions', { limit: '100' }, signal)));
    else for (const name of wanted) found.push(...(await this.get('api/v1/sessions', { name, limit: '1' }, signal)));
    const ids: string[] = [];
    for (const s of found) {
      if (typeof s.id !== 'string') continue;
      ids.push(s.id);
      if (typeof s.name === 'string') this.projectNames.set(s.id, s.name);
      if (typeof s.tenant_id === 'string') this.tenants.set(s.id, s.tenant_id);
    }
    if (wanted.length > 0 && ids.length === 0) throw new SourceError(`${this.label} has no project named ${wanted.map((n) => `"${n}"`).join(', ')} (the Project of Dify's LangSmith tracing settings).`, 'notFound');
    return ids;
  }

  private async runsOfTrace(traceId: string, sessions: readonly string[], signal: AbortSignal | undefined): Promise<LangsmithRun[]> {
    const runs: LangsmithRun[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const answer = await this.query({ ...(sessions.length === 0 ? {} : { session: sessions }), trace: traceId, limit: pageSize, ...(cursor === undefined ? {} : { cursor }) }, signal);
      runs.push(...answer.runs);
      if (answer.next === undefined || answer.next === cursor) break;
      cursor = answer.next;
    }
    return runs;
  }

  private async query(body: Record<string, unknown>, signal: AbortSignal | undefined): Promise<{ readonly runs: readonly LangsmithRun[]; readonly next?: string }> {
    const url = new URL('api/v1/runs/query', this.base);
    const { status, body: answer } = await getJson(this.label, url, { headers: this.headers, jsonBody: body, ...(this.options.http === undefined ? {} : { http: this.options.http }), ...(signal === undefined ? {} : { signal }) });
    if (status !== 200) throw httpStatusError(`${this.label} (POST ${url.pathname})`, status, detailOf(answer));
    const page = answer as RunsPage | undefined;
    if (page === undefined || !Array.isArray(page.runs)) throw new SourceError(`${this.label} answered POST ${url.pathname} without a "runs" list (is the URL LangSmith's API?).`, 'badResponse');
    const next = page.cursors?.next;
    return { runs: page.runs, ...(typeof next === 'string' && next !== '' ? { next } : {}) };
  }

  private async get(path: string, params: Record<string, string>, signal: AbortSignal | undefined): Promise<Session[]> {
    if (this.headers['x-api-key'] === undefined) throw new SourceError(`${this.label} needs an API key: set it with "Dify Trace: Set Backend Credentials…".`, 'unauthorized');
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const { status, body } = await getJson(this.label, url, { headers: this.headers, ...(this.options.http === undefined ? {} : { http: this.options.http }), ...(signal === undefined ? {} : { signal }) });
    if (status !== 200) throw httpStatusError(`${this.label} (GET ${url.pathname})`, status, detailOf(body));
    if (!Array.isArray(body)) throw new SourceError(`${this.label} answered GET ${url.pathname} with something other than a list of projects (is the URL LangSmith's API?).`, 'badResponse');
    return body as Session[];
  }
}
