import type { Span } from '../../model/span';
import { traceSpansOf, type TraceSpans } from './traceSpans';
import type { TraceId } from '../../model/units';
import type { BackendConfig, BackendLinkRequest, ExportTraceRequest, FindTracesRequest, GetTraceRequest, ListRunsRequest, RunFacetsRequest, ServerSettings, TestBackendRequest } from '../../shared/lspProtocol';
import type { HttpOptions } from './remote/httpJson';
import { AliyunSource } from './remote/aliyunSource';
import { JaegerSource } from './remote/jaegerSource';
import { LangfuseSource } from './remote/langfuseSource';
import { LangsmithSource } from './remote/langsmithSource';
import { OtlpFileSource } from './remote/otlpFileSource';
import { PhoenixSource } from './remote/phoenixSource';
import { TempoSource } from './remote/tempoSource';
import { ZipkinSource } from './remote/zipkinSource';
import { RemoteBackend } from './remote/remoteBackend';
import type { TraceSource } from './remote/traceSource';
import type { TraceBackend } from './traceBackend';

/** A backend id the settings do not define: said with where to define it. */
export class UnknownBackendError extends Error {}

/**
 * The embedded receiver's store and the remote backends of `difyTrace.backends`. Listings go to the
 * backend the Runs view chose; a trace is looked for by id, embedded store first, then each remote
 * backend in the order configured, so a panel, an export or Go to Source need no backend id; a
 * lookup asks them all.
 */
export class BackendRegistry implements TraceBackend {
  readonly id = 'all';
  private remotes: { readonly config: string; readonly backend: RemoteBackend }[] = [];

  private http: NonNullable<ServerSettings['http']> = { proxyStrictSSL: true };

  constructor(
    private readonly embedded: TraceBackend,
    private readonly log: (message: string) => void = () => {},
    private readonly sourceOf: (config: BackendConfig, http: HttpOptions) => TraceSource = defaultSource,
    /** The embedded store's spans of a trace (memory or database), for a remote run's Trace Link. */
    private readonly localSpans: (traceId: TraceId) => readonly Span[] | undefined = () => undefined,
  ) {}

  /** Replaces the remote backends; one whose configuration did not change keeps its cache. */
  configure(configs: readonly BackendConfig[], http: ServerSettings['http'] = { proxyStrictSSL: true }): void {
    const httpChanged = JSON.stringify(http) !== JSON.stringify(this.http);
    this.http = http;
    const before = new Map(httpChanged ? [] : this.remotes.map((r) => [r.config, r.backend]));
    this.remotes = configs.map((config) => {
      const key = JSON.stringify(config);
      const options = {
        ...(config.searchLimit === undefined ? {} : { searchLimit: config.searchLimit }),
        ...(config.lookbackHours === undefined ? {} : { defaultLookbackMs: config.lookbackHours * 3_600_000 }),
        elsewhere: (traceId: TraceId, signal?: AbortSignal) => this.elsewhere(config.id, traceId, signal),
      };
      return { config: key, backend: before.get(key) ?? new RemoteBackend(config.id, this.sourceOf(config, this.httpOptionsOf(config)), options) };
    });
  }

  /** Asks a backend not configured yet for the last hour's most recent trace (Add Backend's connection test). */
  async test(config: BackendConfig, signal?: AbortSignal, nowMs = Date.now()): Promise<TestBackendRequest.Result> {
    const source = this.sourceOf(config, this.httpOptionsOf(config));
    try {
      const spans = await source.search({ sinceMs: nowMs - 3_600_000, untilMs: nowMs, limit: 1 }, signal);
      return { ok: true, traces: new Set(spans.map((s) => s.traceId)).size, source: source.label };
    } catch (e) {
      return { ok: false, message: messageOf(e) };
    }
  }

  backend(id: string | undefined): TraceBackend {
    if (id === undefined || id === this.embedded.id) return this.embedded;
    const remote = this.remotes.find((r) => r.backend.id === id)?.backend;
    if (remote === undefined) throw new UnknownBackendError(`No trace backend "${id}" is configured: add it to difyTrace.backends, or choose another with "Dify Trace: Choose Backend…".`);
    return remote;
  }

  listRuns(params: ListRunsRequest.Params, signal?: AbortSignal): Promise<ListRunsRequest.Result> {
    return this.backend(params.backend).listRuns(params, signal);
  }

  runFacets(params: RunFacetsRequest.Params, signal?: AbortSignal): Promise<RunFacetsRequest.Result> {
    return this.backend(params.backend).runFacets(params, signal);
  }

  async getTrace(params: GetTraceRequest.Params, signal?: AbortSignal): Promise<GetTraceRequest.Result> {
    return this.first((b) => b.getTrace(params, signal));
  }

  /** A trace for the trace view: its spans as the backend holds them, or read from its snapshot. */
  async traceSpans(params: GetTraceRequest.Params, signal?: AbortSignal): Promise<TraceSpans | null> {
    return this.first(async (b) => {
      if (b.traceSpans) return b.traceSpans(params, signal);
      const snapshot = await b.getTrace(params, signal);
      return snapshot === null ? null : traceSpansOf(snapshot);
    });
  }

  async exportTrace(params: ExportTraceRequest.Params, signal?: AbortSignal): Promise<ExportTraceRequest.Result> {
    return this.first((b) => b.exportTrace(params, signal));
  }

  /** The remote backend a trace was fetched from, and the trace in that backend's UI; null when none holds it. */
  linkOf(traceId: string): BackendLinkRequest.Result {
    const remote = this.remotes.find((r) => r.backend.holds(traceId))?.backend;
    return remote === undefined ? null : { url: remote.uiUrl(traceId), backend: remote.id, source: remote.source.label };
  }

  /** Every backend is asked; one that cannot answer is named in `failed` and the others' matches still count. */
  async findTraces(query: FindTracesRequest.Params, signal?: AbortSignal): Promise<FindTracesRequest.Result> {
    const all = [this.embedded, ...this.remotes.map((r) => r.backend)];
    const answers = await Promise.all(all.map((b) => b.findTraces(query, signal).then((found) => ({ found }), (e: unknown) => ({ error: `${b.id}: ${messageOf(e)}` }))));
    const matches = new Map<string, FindTracesRequest.Match>();
    const failed: string[] = [];
    for (const answer of answers) {
      if ('error' in answer) failed.push(answer.error);
      else for (const match of answer.found.matches) if (!matches.has(match.traceId)) matches.set(match.traceId, match);
    }
    return { matches: [...matches.values()], searched: all.map((b) => b.id), ...(failed.length > 0 ? { failed } : {}) };
  }

  /**
   * What the embedded store and the other remote backends hold of a trace that backend `askingId`
   * opens or links to (Trace Link across backends, a trace split between backends); undefined when
   * none has any of it. A backend that fails is logged, not fatal.
   */
  private async elsewhere(askingId: string, traceId: TraceId, signal?: AbortSignal): Promise<readonly Span[] | undefined> {
    const others = this.remotes.filter((r) => r.backend.id !== askingId).map((r) => r.backend.source);
    const remote = await Promise.all(
      others.map((source) =>
        source.trace(traceId, signal).catch((e: unknown) => {
          this.log(`${source.label}: ${messageOf(e)}`);
          return undefined;
        }),
      ),
    );
    const spans = [...(this.localSpans(traceId) ?? []), ...remote.flatMap((s) => s ?? [])];
    return spans.length === 0 ? undefined : spans;
  }

  private httpOptionsOf(config: BackendConfig): HttpOptions {
    return {
      ...(this.http.proxy === undefined ? {} : { proxy: this.http.proxy }),
      proxyStrictSSL: this.http.proxyStrictSSL,
      ...(config.tls?.caFile === undefined ? {} : { caFile: config.tls.caFile }),
      ...(config.tls?.insecure === true ? { insecure: true } : {}),
    };
  }

  /** The first backend that has the trace answers; a remote backend that fails is logged and the next asked. */
  private async first<T>(ask: (backend: TraceBackend) => Promise<T | null>): Promise<T | null> {
    const own = await ask(this.embedded);
    if (own !== null) return own;
    for (const { backend } of this.remotes) {
      try {
        const found = await ask(backend);
        if (found !== null) return found;
      } catch (e) {
        this.log(`${backend.source.label}: ${messageOf(e)}`);
      }
    }
    return null;
  }
}

function defaultSource(config: BackendConfig, http: HttpOptions): TraceSource {
  const common = { url: config.url, http, ...(config.headers === undefined ? {} : { headers: config.headers }) };
  switch (config.kind) {
    case 'jaeger':
      return new JaegerSource(common);
    case 'phoenix':
      return new PhoenixSource({ ...common, ...(config.projects === undefined ? {} : { projects: config.projects }) });
    case 'zipkin':
      return new ZipkinSource(common);
    case 'langfuse':
      return new LangfuseSource(common);
    case 'tempo':
      return new TempoSource(common);
    case 'otlpFile':
      return new OtlpFileSource({ path: config.url });
    case 'langsmith':
      return new LangsmithSource({ ...common, ...(config.projects === undefined ? {} : { projects: config.projects }) });
    case 'aliyun':
      return new AliyunSource({ ...common, ...(config.region === undefined ? {} : { region: config.region }) });
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
