/** Two runs of a workflow aligned node by node ("Compare Runs"): what the trace server sends the editor. */

/** One execution of a workflow node, as the comparison reads it. */
export interface NodeExecution {
  readonly title: string;
  readonly nodeType?: string;
  /** Graph node id (DSL `graph.nodes[].id`), when the exporter records it (Aliyun does not). */
  readonly nodeId?: string;
  /** The iteration item or loop round it ran in, when the exporter records it. */
  readonly itemIndex?: number;
  readonly status: 'ok' | 'error' | 'unset';
  /** Microseconds from its run's start. */
  readonly startUs: number;
  readonly durationUs: number;
  readonly selfTimeUs: number;
  readonly tokens?: number;
  readonly price?: number;
  readonly error?: string;
  /** A digest of what it produced, when the span holds its outputs: equal digests, equal outputs. */
  readonly outputDigest?: string;
  readonly span: { readonly traceId: string; readonly spanId: string };
}

export type RowChange = 'same' | 'changed' | 'added' | 'removed';

export interface AlignedRow {
  /** What makes the two executions one row: node identity and occurrence. */
  readonly key: string;
  readonly before?: NodeExecution;
  readonly now?: NodeExecution;
  readonly change: RowChange;
  /** What differs in a `changed` row. */
  readonly differences: readonly ('status' | 'title' | 'output')[];
  /** now − before, when both ran (and both recorded the figure). */
  readonly durationDeltaUs?: number;
  readonly selfTimeDeltaUs?: number;
  readonly tokensDelta?: number;
  readonly priceDelta?: number;
}

export interface RunComparison {
  /** In the order the run now ran them, each node only the run before ran right after the one it followed there. */
  readonly rows: readonly AlignedRow[];
  /**
   * The first row, in that order, where the runs took another path: a node added or removed, or its
   * status or title changed; else the first whose outputs differ (two runs' inputs almost always
   * do, so outputs alone would land on Start every time); -1 when nothing differs.
   */
  readonly firstDivergence: number;
}
