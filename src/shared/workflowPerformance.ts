/** Where a workflow spends its time across runs (the performance view): what the trace server sends the editor. JSON-safe. */
import type { RunStatus } from './runSummary';

/**
 * What a node's time went to, beside its own work: the infrastructure spans under it, joined through
 * Trace Link. The sandbox has no spans of its own (dify-sandbox exports none): its time is the API's
 * HTTP call to `/v1/sandbox/run`.
 */
export const infraCategories = ['pluginDaemon', 'pluginRuntime', 'sandbox', 'modelProvider', 'vectorDatabase', 'otherHttp'] as const;
export type InfraCategory = (typeof infraCategories)[number];
export type TimeShare = 'own' | InfraCategory;

export const timeShareLabels: Readonly<Record<TimeShare, string>> = {
  own: 'own work',
  pluginDaemon: 'plugin daemon',
  pluginRuntime: 'plugin runtime',
  sandbox: 'sandbox',
  modelProvider: 'model provider',
  vectorDatabase: 'vector database',
  otherHttp: 'other HTTP',
};

/** Microseconds per share; shares that took no time are absent. */
export type TimeSplit = Partial<Record<TimeShare, number>>;

/** The span that held a run up most: the longest own time on its critical path, with the node it ran under. */
export interface RunBlame {
  readonly node?: { readonly title: string; readonly identity: string };
  readonly span: { readonly traceId: string; readonly spanId: string; readonly name: string; readonly serviceName: string };
  readonly share: TimeShare;
  /** Its own time on the critical path. */
  readonly selfTimeUs: number;
}

export interface PerformanceRun {
  readonly traceId: string;
  readonly startMs: number;
  readonly durationUs: number;
  readonly status: RunStatus;
  /** Slower than the workflow's p95 over the window (only with enough runs to say). */
  readonly slow: boolean;
  readonly blame?: RunBlame;
}

export interface Spread {
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface NodePerformanceReport {
  /** Graph id, else type and title: the same node across runs, as Compare Runs matches them. */
  readonly identity: string;
  readonly title: string;
  readonly nodeType?: string;
  /** Runs it ran in, and its executions in them (iteration items and loop rounds each count). */
  readonly runs: number;
  readonly executions: number;
  readonly durationUs: Spread;
  readonly selfTimeUs: Spread;
  /** Failed executions over executions. */
  readonly errorRate: number;
  readonly tokens: number;
  readonly price: number;
  /** Its executions' time by share (own work, plugin daemon, plugin runtime, ...), summed. */
  readonly split: TimeSplit;
  /** One point per run it ran in, oldest first: the run (an index into the report's `runs`), its time in this node, whether it failed there. */
  readonly points: { readonly run: readonly number[]; readonly durationUs: readonly number[]; readonly failed: readonly (0 | 1)[] };
  /** Latency histogram of its executions: `counts[i]` between `edgesUs[i]` and `edgesUs[i + 1]`. */
  readonly histogram: { readonly edgesUs: readonly number[]; readonly counts: readonly number[] };
}

export interface WorkflowPerformanceReport {
  readonly appName: string;
  readonly sinceMs: number;
  readonly untilMs: number;
  /** Oldest first. */
  readonly runs: readonly PerformanceRun[];
  readonly runDurationUs: Spread;
  /** Fewer runs than this, and no run is called slow: a p95 of a handful says nothing. */
  readonly minRunsForSlow: number;
  readonly nodes: readonly NodePerformanceReport[];
  /** Indexes into `runs`, slowest first (at most ten). */
  readonly slowest: readonly number[];
  /** Runs in the window whose spans were gone, so their nodes are not counted. */
  readonly withoutSpans: number;
}
