import { OutlineFlag, type SpanDetails, type SpanQuery, type SpanSearchResult, type TraceOutlineChunk, type TraceOutlineHeader } from '../../shared/traceView';
import type { GetTraceRequest, SourceLocationsRequest } from '../../shared/lspProtocol';
import { layoutTraceInTurns, outlineChunk, type TraceLayout } from './traceLayout';
import type { TraceSpans } from '../backends/traceSpans';
import { searchLayout } from './searchLayout';

export interface TraceViewSources {
  /** Reads through the backend interface, so a remote backend's traces lay out the same way. */
  getTrace(params: GetTraceRequest.Params): Promise<GetTraceRequest.Result>;
  /** The same trace as spans held in this process (the embedded backend's, not copied for the wire), when the sources can. */
  traceSpans?(params: GetTraceRequest.Params): Promise<TraceSpans | null>;
  /** Stack traces and their workspace locations, for the details of a span that failed. */
  resolveSource(params: SourceLocationsRequest.Params): Promise<SourceLocationsRequest.Result>;
}

export interface TraceViewOptions {
  /** Quiet time after the last change before large traces are laid out ahead of being opened. */
  readonly warmDelayMs: number;
  /** Spans per chunk: small enough that no message blocks either side for long. */
  readonly chunkSize: number;
  /** Layouts are evicted, oldest first, beyond this many spans in all. */
  readonly maxCachedSpans: number;
}

const defaultOptions: TraceViewOptions = { chunkSize: 20_000, maxCachedSpans: 400_000, warmDelayMs: 1000 };

/**
 * The trace view's side of the trace server: lays each trace out once and answers the panel's
 * chunk, search and details requests from that layout. A layout is reused until one of its traces
 * changes; one that changed stays readable by its id until evicted, so a panel streaming its
 * chunks is never cut off mid-way.
 */
export class TraceViews {
  /** Insertion order is use order (oldest first). */
  private readonly layouts = new Map<string, TraceLayout>();
  /** The current layout id of each requested trace. */
  private readonly current = new Map<string, string>();
  private sequence = 0;
  private readonly options: TraceViewOptions;
  private warmPending = new Set<string>();
  private readonly building = new Map<string, Promise<TraceOutlineHeader | null>>();
  /** Counts invalidations; `lastChange` stamps each changed trace (the newest 10k), so a layout read before its trace changed is not kept as current. */
  private changes = 0;
  private readonly lastChange = new Map<string, number>();
  private warmTimer: NodeJS.Timeout | undefined;

  constructor(private readonly sources: TraceViewSources, options: Partial<TraceViewOptions> = {}) {
    this.options = { ...defaultOptions, ...options };
  }

  async outline(traceId: string): Promise<TraceOutlineHeader | null> {
    const id = traceId.toLowerCase();
    const cached = this.layoutOf(this.current.get(id));
    if (cached) return cached.header;
    // A layout already being built (a warm-up, another panel) is shared, not built twice.
    let building = this.building.get(id);
    if (!building) {
      building = this.build(id).finally(() => this.building.delete(id));
      this.building.set(id, building);
    }
    return building;
  }

  private async build(id: string): Promise<TraceOutlineHeader | null> {
    const version = this.changes;
    const snapshot = this.sources.traceSpans ? await this.sources.traceSpans({ traceId: id }) : await this.sources.getTrace({ traceId: id });
    if (snapshot === null) return null;
    const outlineId = `${id}:${++this.sequence}`;
    // In parts: a lookup or a run listing asked meanwhile waits for a part, not for the whole trace.
    const layout = await layoutTraceInTurns(snapshot, outlineId, this.options.chunkSize);
    this.layouts.set(outlineId, layout);
    // Spans of its traces that arrived while reading make this layout readable but not current.
    if (!layout.header.traceIds.some((t) => (this.lastChange.get(t) ?? 0) > version)) this.current.set(id, outlineId);
    this.evict();
    return layout.header;
  }

  chunk(outlineId: string, chunk: number): TraceOutlineChunk | null {
    const layout = this.layoutOf(outlineId);
    return layout ? outlineChunk(layout, chunk) : null;
  }

  search(outlineId: string, query: SpanQuery): SpanSearchResult | null {
    const layout = this.layoutOf(outlineId);
    return layout ? { outlineId, indices: searchLayout(layout, query) } : null;
  }

  async details(outlineId: string, index: number): Promise<SpanDetails | null> {
    const layout = this.layoutOf(outlineId);
    const span = layout?.spans[index];
    if (!layout || !span) return null;
    const flags = layout.columns.flags[index] ?? 0;
    const source = flags & OutlineFlag.mayHaveSource ? await this.sources.resolveSource({ traceId: span.traceId, spanId: span.spanId }) : undefined;
    const nodeType = layout.nodeTypeOf(index);
    return {
      outlineId,
      index,
      span,
      logs: layout.logsOf(index),
      related: layout.relatedOf(index),
      selfTimeUs: layout.selfTimeOf(index),
      onCriticalPath: (flags & OutlineFlag.critical) !== 0,
      ...(source ? { source } : {}),
      ...(nodeType ? { nodeType } : {}),
    };
  }

  /**
   * Lays out, once spans stop arriving for a moment, the traces `targets` picks from those that
   * changed (large runs: laying out 100k spans takes seconds, so it happens before the user opens
   * the run rather than after). Runs in the trace server's own process, never the editor's.
   */
  warmLater(changedTraceIds: readonly string[], targets: (changed: readonly string[]) => readonly string[]): void {
    for (const id of changedTraceIds) this.warmPending.add(id);
    if (this.warmTimer) clearTimeout(this.warmTimer);
    this.warmTimer = setTimeout(() => {
      this.warmTimer = undefined;
      const changed = [...this.warmPending];
      this.warmPending = new Set();
      for (const traceId of targets(changed)) void this.outline(traceId).catch(() => undefined);
    }, this.options.warmDelayMs);
    this.warmTimer.unref();
  }

  dispose(): void {
    if (this.warmTimer) clearTimeout(this.warmTimer);
  }

  /** Traces changed: their layouts are rebuilt on the next request. */
  invalidate(changedTraceIds: readonly string[]): void {
    this.changes++;
    for (const id of changedTraceIds) {
      this.lastChange.delete(id);
      this.lastChange.set(id, this.changes);
    }
    for (const oldest of this.lastChange.keys()) {
      if (this.lastChange.size <= 10_000) break;
      this.lastChange.delete(oldest);
    }
    if (this.current.size === 0) return;
    const changed = new Set(changedTraceIds);
    for (const [traceId, outlineId] of this.current) {
      const layout = this.layouts.get(outlineId);
      if (!layout || layout.header.traceIds.some((t) => changed.has(t))) this.current.delete(traceId);
    }
  }

  private layoutOf(outlineId: string | undefined): TraceLayout | undefined {
    if (outlineId === undefined) return undefined;
    const layout = this.layouts.get(outlineId);
    if (layout) {
      this.layouts.delete(outlineId);
      this.layouts.set(outlineId, layout);
    }
    return layout;
  }

  private evict(): void {
    let total = 0;
    for (const layout of this.layouts.values()) total += layout.spans.length;
    for (const [outlineId, layout] of this.layouts) {
      if (total <= this.options.maxCachedSpans || this.layouts.size === 1) break;
      this.layouts.delete(outlineId);
      total -= layout.spans.length;
      for (const [traceId, id] of this.current) if (id === outlineId) this.current.delete(traceId);
    }
  }
}
