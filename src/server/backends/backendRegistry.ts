import type { BackendConfig, ExportTraceRequest, FindTracesRequest, GetTraceRequest, ListRunsRequest, RunFacetsRequest, TestBackendRequest } from '../../shared/lspProtocol';
import { JaegerSource } from './remote/jaegerSource';
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

  constructor(
    private readonly embedded: TraceBackend,
    private readonly log: (message: string) => void = () => {},
    private readonly sourceOf: (config: BackendConfig) => TraceSource = defaultSource,
  ) {}

  /** Replaces the remote backends; one whose configuration did not change keeps its cache. */
  configure(configs: readonly BackendConfig[]): void {
    const before = new Map(this.remotes.map((r) => [r.config, r.backend]));
    this.remotes = configs.map((config) => {
      const key = JSON.stringify(config);
      const options = {
        ...(config.searchLimit === undefined ? {} : { searchLimit: config.searchLimit }),
        ...(config.lookbackHours === undefined ? {} : { defaultLookbackMs: config.lookbackHours * 3_600_000 }),
      };
      return { config: key, backend: before.get(key) ?? new RemoteBackend(config.id, this.sourceOf(config), options) };
    });
  }

  /** Asks a backend not configured yet for the last hour's most recent trace (Add Backend's connection test). */
  async test(config: BackendConfig, signal?: AbortSignal, nowMs = Date.now()): Promise<TestBackendRequest.Result> {
    const source = this.sourceOf(config);
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

  async exportTrace(params: ExportTraceRequest.Params, signal?: AbortSignal): Promise<ExportTraceRequest.Result> {
    return this.first((b) => b.exportTrace(params, signal));
  }

  /** Every backend is asked; one that cannot answer is named in `unreachable` and the others' matches still count. */
  async findTraces(query: FindTracesRequest.Params, signal?: AbortSignal): Promise<FindTracesRequest.Result> {
    const all = [this.embedded, ...this.remotes.map((r) => r.backend)];
    const answers = await Promise.all(all.map((b) => b.findTraces(query, signal).then((found) => ({ found }), (e: unknown) => ({ error: `${b.id}: ${messageOf(e)}` }))));
    const matches = new Map<string, FindTracesRequest.Match>();
    const unreachable: string[] = [];
    for (const answer of answers) {
      if ('error' in answer) unreachable.push(answer.error);
      else for (const match of answer.found.matches) if (!matches.has(match.traceId)) matches.set(match.traceId, match);
    }
    return { matches: [...matches.values()], searched: all.map((b) => b.id), ...(unreachable.length > 0 ? { unreachable } : {}) };
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

function defaultSource(config: BackendConfig): TraceSource {
  switch (config.kind) {
    case 'jaeger':
      return new JaegerSource({ url: config.url, ...(config.headers === undefined ? {} : { headers: config.headers }) });
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
