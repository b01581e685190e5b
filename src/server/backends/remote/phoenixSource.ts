import type { Span } from '../../../model/span';
import type { TraceId } from '../../../model/units';
import { backendBase, detailOf, getJson, type HttpOptions, mapLimited, requestOptions } from './httpJson';
import { phoenixSpansToModel, type PhoenixOtlpSpan } from './phoenixSpans';
import { httpStatusError, SourceError, type SearchWindow, type TraceSource } from './traceSource';

export interface PhoenixOptions {
  /** Phoenix's base URL (its UI's), e.g. http://127.0.0.1:6006; a base path is kept. */
  readonly url: string;
  /** The projects to read (Dify's Phoenix config names one per app); absent: every project. */
  readonly projects?: readonly string[];
  /** `Authorization: Bearer <api key>` when Phoenix runs with auth; from SecretStorage. */
  readonly headers?: Record<string, string>;
  readonly http?: HttpOptions;
}

interface Page<T> {
  readonly data: readonly T[];
  readonly next_cursor: string | null;
}

interface ProjectData {
  readonly id: string;
  readonly name: string;
}

interface TraceData {
  readonly trace_id: string;
  readonly start_time: string;
}

/** Spans per page and trace ids per span query (both within Phoenix's limits: 1000 per page). */
const pageSize = 1000;
const traceIdsPerQuery = 50;
/** Pages read for one query before the answer is called endless (1M spans). */
const maxPages = 1000;
/** Projects asked at once. */
const concurrency = 4;

/**
 * Arize Phoenix's REST API (arize-phoenix 20.x, routers under `/v1`): traces listed per project by
 * start time (`/projects/{p}/traces`, since 13.15), their spans read OTLP-shaped
 * (`/projects/{p}/spans/otlpv1?trace_id=...`). Dify's Phoenix exporter sends each app's runs to
 * the project its tracing config names, with that project as the resource's
 * `openinference.project.name`, which is what the spans are given back with.
 */
export class PhoenixSource implements TraceSource {
  readonly kind = 'phoenix';
  readonly label: string;
  private readonly base: URL;
  /** Where each trace seen so far lives (project name and Phoenix's project id), to read it again and to link to it. */
  private readonly projectOfTrace = new Map<string, ProjectData>();

  constructor(private readonly options: PhoenixOptions) {
    ({ base: this.base, label: this.label } = backendBase('Phoenix', options.url));
  }

  async search(window: SearchWindow, signal?: AbortSignal): Promise<readonly Span[]> {
    const projects = await this.projects(signal);
    const listed = (
      await mapLimited(projects, concurrency, (p) =>
        this.pages<TraceData>(
          `projects/${encodeURIComponent(p.name)}/traces`,
          { start_time: new Date(window.sinceMs).toISOString(), end_time: new Date(window.untilMs).toISOString(), sort: 'start_time', order: 'desc' },
          window.limit,
          signal,
        ).then((traces) => traces.map((t) => ({ project: p, traceId: t.trace_id, startMs: Date.parse(t.start_time) }))),
      )
    ).flat();
    // The newest across projects, as a search of one store would give them.
    const chosen = listed.sort((a, b) => b.startMs - a.startMs).slice(0, window.limit);
    const byProject = new Map<ProjectData, string[]>();
    for (const t of chosen) {
      this.projectOfTrace.set(t.traceId, t.project);
      const ids = byProject.get(t.project) ?? [];
      ids.push(t.traceId);
      byProject.set(t.project, ids);
    }
    const batches = [...byProject].flatMap(([project, ids]) => chunks(ids, traceIdsPerQuery).map((batch) => ({ project, batch })));
    const spans = await mapLimited(batches, concurrency, ({ project, batch }) => this.spansOf(project, batch, signal));
    return spans.flat();
  }

  async trace(traceId: TraceId, signal?: AbortSignal): Promise<readonly Span[] | undefined> {
    const known = this.projectOfTrace.get(traceId);
    const candidates = known !== undefined ? [known] : await this.projects(signal);
    for (const group of chunks(candidates, concurrency)) {
      const found = await Promise.all(group.map((p) => this.spansOf(p, [traceId], signal).then((spans) => ({ p, spans }))));
      const hit = found.find((f) => f.spans.length > 0);
      if (hit !== undefined) {
        this.projectOfTrace.set(traceId, hit.p);
        return hit.spans;
      }
    }
    return undefined;
  }

  uiUrl(traceId: string): string {
    const project = this.projectOfTrace.get(traceId);
    return project === undefined ? new URL('projects', this.base).toString() : new URL(`projects/${encodeURIComponent(project.id)}/traces/${traceId}`, this.base).toString();
  }

  private async spansOf(project: ProjectData, traceIds: readonly string[], signal: AbortSignal | undefined): Promise<Span[]> {
    const spans = await this.pages<PhoenixOtlpSpan>(`projects/${encodeURIComponent(project.name)}/spans/otlpv1`, { trace_id: traceIds }, Infinity, signal);
    try {
      return phoenixSpansToModel(project.name, spans);
    } catch (e) {
      throw new SourceError(`${this.label} answered spans of project ${project.name} that are not OTLP: ${e instanceof Error ? e.message : String(e)}`, 'badResponse');
    }
  }

  private async projects(signal: AbortSignal | undefined): Promise<ProjectData[]> {
    const all = await this.pages<ProjectData>('projects', {}, Infinity, signal);
    if (this.options.projects === undefined || this.options.projects.length === 0) return all;
    const names = new Set(all.map((p) => p.name));
    const missing = this.options.projects.filter((name) => !names.has(name));
    if (missing.length === this.options.projects.length) throw new SourceError(`${this.label} has no project ${missing.map((m) => `"${m}"`).join(', ')} (it has ${all.length === 0 ? 'none' : all.map((p) => p.name).slice(0, 10).join(', ')}).`, 'notFound');
    return all.filter((p) => this.options.projects!.includes(p.name));
  }

  /** Follows `next_cursor` until `limit` items or the end; a cursor that repeats or never ends is an error, not a hang. */
  private async pages<T>(path: string, query: Record<string, string | readonly string[]>, limit: number, signal: AbortSignal | undefined): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= maxPages) throw new SourceError(`${this.label} (GET /v1/${path}) kept paging past ${maxPages} pages; narrow the time range or the projects.`, 'tooLarge');
      const url = new URL(`v1/${path}`, this.base);
      for (const [key, value] of Object.entries(query)) for (const v of typeof value === 'string' ? [value] : value) url.searchParams.append(key, v);
      url.searchParams.set('limit', String(Math.min(pageSize, limit - items.length)));
      if (cursor !== undefined) url.searchParams.set('cursor', cursor);
      const { status, body } = await getJson(this.label, url, requestOptions(this.options, signal));
      if (status !== 200) throw httpStatusError(`${this.label} (GET ${url.pathname})`, status, detailOf(body));
      const answer = body as Partial<Page<T>> | undefined;
      if (answer === undefined || !Array.isArray(answer.data)) throw new SourceError(`${this.label} answered GET ${url.pathname} without a "data" list (is the URL Phoenix's, version 13.15 or later?).`, 'badResponse');
      items.push(...(answer.data as readonly T[]));
      const next = answer.next_cursor;
      if (typeof next !== 'string' || next === '' || items.length >= limit) return items;
      if (seen.has(next)) throw new SourceError(`${this.label} (GET ${url.pathname}) gave the same page cursor twice.`, 'badResponse');
      seen.add(next);
      cursor = next;
    }
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
