import type { Span } from '../../model/span';
import type { RunSummary } from '../../shared/runSummary';
import { difyNodesOf } from '../../dify/difyNodes';
import { normaliseForPhrase } from './textTokens';
import { version as extensionVersion } from '../../../package.json';

/**
 * A run as the run index holds it: the summary the Runs view shows, plus what its filters need and
 * the summary does not carry (it crosses the wire, so it stays lean): the node types executed and
 * the plugins called across both halves of the run, and its searchable summary text.
 */
/** What the run index caches per run for keyword queries; a re-classified run gets a new entry, hence a fresh cache. */
export interface RunEntryCache {
  /** Position of the run's summary in the summary scan. */
  serial: number;
  /** Keyword index slots of `traceIds` (-1: not indexed), valid for `slotsEpoch`. */
  slots: Int32Array | undefined;
  slotsEpoch: number;
}

export interface RunEntry {
  readonly run: RunSummary;
  /** The run's own trace, then the traces it links to: where its keyword text lives. */
  readonly traceIds: readonly string[];
  /** Ids, app, error message, failing node, root cause and error kind, lower-cased: matched as substrings. */
  readonly summaryText: string;
  /** Node types that ran (graphon's strings, `task` for Aliyun's untyped nodes), sorted. */
  readonly nodeTypes: readonly string[];
  /** `author/name` of the plugins whose tools ran, sorted. */
  readonly plugins: readonly string[];
  readonly totalTokens: number | undefined;
  readonly cache: RunEntryCache;
}

/** Node types, plugin ids and app names repeat across runs: one string object each makes facet counting and set lookups cheap. */
const interned = new Map<string, string>();
function intern(value: string): string {
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size < 100_000) interned.set(value, value);
  return value;
}

export function runEntry(run: RunSummary, spansOf: (traceId: string) => readonly Span[] | undefined): RunEntry {
  const traceIds = [run.traceId, ...run.linkedTraceIds.filter((id) => id !== run.traceId)];
  const spans: Span[] = [];
  for (const id of traceIds) for (const span of spansOf(id) ?? []) spans.push(span);
  const nodeTypes = new Set<string>();
  const plugins = new Set<string>((run.toolCalls ?? []).map((call) => intern(call.pluginId)));
  for (const node of difyNodesOf(spans).values()) {
    if (node.nodeType !== undefined) nodeTypes.add(intern(node.nodeType));
    if (node.plugin !== undefined) plugins.add(intern(node.plugin.pluginId));
  }
  const { prompt, completion, total } = run.tokens ?? {};
  return {
    run: { ...run, appName: intern(run.appName) },
    traceIds,
    summaryText: summaryTextOf(run),
    nodeTypes: [...nodeTypes].sort(),
    plugins: [...plugins].sort(),
    totalTokens: total ?? (prompt === undefined && completion === undefined ? undefined : (prompt ?? 0) + (completion ?? 0)),
    cache: { serial: -1, slots: undefined, slotsEpoch: -1 },
  };
}

/**
 * What a run was classified from: each trace it read (its own, those it links to or looked for) and
 * how many spans each had then (0: not there). Spans are only ever added, so the same counts after a
 * restart mean the same spans, and the stored row is what classifying them again would make.
 */
export type ClassificationBasis = ReadonlyMap<string, number>;

/** Rows written by another release are classified again: it may read the same spans differently. */
const classifier = `dify-trace-explorer ${extensionVersion}`;

function summaryTextOf(run: RunSummary): string {
  const fields = [run.appName, run.traceId, run.runId, run.workflowRunId, run.messageId, run.conversationId, run.errorMessage, run.failingNode?.title, run.rootCause?.name, run.errorKind];
  return normaliseForPhrase(fields.filter((f): f is string => f !== undefined && f !== '').join('\n'));
}

/** The entry with its summary changed in what spans do not decide (its app's name, a gap from another trace): no span is read again. */
export function withRunSummary(entry: RunEntry, run: RunSummary): RunEntry {
  return { ...entry, run: { ...run, appName: intern(run.appName) }, summaryText: summaryTextOf(run), cache: { serial: -1, slots: undefined, slotsEpoch: -1 } };
}

/** What the trace database keeps of a run entry: enough to list and filter it without its spans. */
interface StoredRunEntry {
  readonly run: RunSummary;
  readonly nodeTypes: readonly string[];
  readonly plugins: readonly string[];
  readonly totalTokens?: number;
  /** The node executions the run recorded (executionKeys.ts): how a late other half is joined to it. */
  readonly executionKeys?: readonly string[];
  /** `ClassificationBasis`, with the release that classified it. */
  readonly basis?: { readonly classifier: string; readonly spans: Readonly<Record<string, number>> };
}

export function storedRunEntry(entry: RunEntry, executionKeys: readonly string[], basis?: ClassificationBasis): string {
  const stored: StoredRunEntry = {
    run: entry.run, nodeTypes: entry.nodeTypes, plugins: entry.plugins,
    ...(entry.totalTokens === undefined ? {} : { totalTokens: entry.totalTokens }),
    ...(executionKeys.length === 0 ? {} : { executionKeys }),
    ...(basis === undefined ? {} : { basis: { classifier, spans: Object.fromEntries(basis) } }),
  };
  return JSON.stringify(stored);
}

export interface StoredRun {
  readonly entry: RunEntry;
  readonly executionKeys: readonly string[];
  /** Absent when the row was written by another release (or before rows kept one). */
  readonly basis?: ClassificationBasis;
}

/** A run entry back from the trace database; undefined when the row is not one (written by another version). */
export function storedRunEntryOf(body: string): StoredRun | undefined {
  let stored: Partial<StoredRunEntry>;
  try {
    stored = JSON.parse(body) as Partial<StoredRunEntry>;
  } catch {
    return undefined;
  }
  const run = stored.run;
  if (run === undefined || typeof run.traceId !== 'string' || typeof run.startMs !== 'number' || !Array.isArray(run.linkedTraceIds)) return undefined;
  const entry = runEntry(run, () => undefined);
  const basis = basisOf(stored.basis);
  return {
    entry: { ...entry, nodeTypes: (stored.nodeTypes ?? []).map(intern), plugins: (stored.plugins ?? []).map(intern), totalTokens: stored.totalTokens ?? entry.totalTokens },
    executionKeys: (stored.executionKeys ?? []).filter((k) => typeof k === 'string'),
    ...(basis === undefined ? {} : { basis }),
  };
}

function basisOf(stored: StoredRunEntry['basis'] | undefined): ClassificationBasis | undefined {
  if (stored === undefined || stored.classifier !== classifier || typeof stored.spans !== 'object' || stored.spans === null) return undefined;
  const counts = Object.entries(stored.spans);
  return counts.every(([, n]) => Number.isSafeInteger(n) && n >= 0) ? new Map(counts) : undefined;
}
