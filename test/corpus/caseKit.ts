/** Turns a rendered scenario into a CorpusCase, applying the README rules for `expected` in one place. */
import type { ErrorKind } from '../../src/dify/errorKind';
import type { RunKind, RunStatus } from '../../src/shared/runSummary';
import type { CorpusCase, CorpusExporter, ExpectedNode, ExpectedRun } from './corpusCase';
import { allSpans, failingNodeOf, rootCauseOf } from './expect';
import { exportRequest, type Batch } from './otlpJson';
import type { RunRec } from './runModel';

export interface RunDraft {
  readonly run: RunRec;
  /** Trace holding the app-level spans. */
  readonly traceId: string;
  readonly appName: string;
  readonly kind?: RunKind;
  readonly status?: RunStatus;
  readonly linked?: readonly string[];
  readonly ids?: { readonly workflowRunId?: boolean; readonly messageId?: boolean; readonly conversationId?: boolean };
  readonly tokens?: ExpectedRun['tokens'];
  /** When no node span carries ERROR (Langfuse handled_error) the failing node is named by the exporter's status. */
  readonly failingNodeFallback?: { readonly title: string; readonly nodeType?: string };
  readonly errorKind?: ErrorKind | null;
}

export interface CaseDraft {
  readonly name: string;
  readonly exporter: CorpusExporter;
  readonly release: string;
  readonly sources: readonly string[];
  readonly description: string;
  /** Requests in arrival order; each is a list of batches. */
  readonly requests: readonly (readonly Batch[])[];
  readonly runs: readonly RunDraft[];
  readonly nodes: readonly ExpectedNode[];
  readonly warnings?: readonly string[];
}

export function finish(d: CaseDraft): CorpusCase {
  const spans = allSpans(d.requests);
  const present = new Set(spans.map((s) => s.traceId));
  const runs: ExpectedRun[] = d.runs.map((r) => {
    const linked = r.linked ?? [];
    const status = r.status ?? r.run.status;
    const rootCause = rootCauseOf(spans, [r.traceId, ...linked.filter((t) => present.has(t) && t !== r.traceId)]);
    const failingNode = failingNodeOf(spans, d.nodes.filter((n) => n.traceId === r.traceId)) ?? (status === 'failed' || status === 'partial-succeeded' ? r.failingNodeFallback : undefined);
    const errorKind = r.errorKind === null ? undefined : (r.errorKind ?? (status === 'failed' || status === 'partial-succeeded' ? (r.run.errorKind ?? r.run.nodes.find((n) => n.error)?.error?.kind) : undefined));
    return {
      traceId: r.traceId,
      appName: r.appName,
      kind: r.kind ?? r.run.kind,
      status,
      ...(r.ids?.workflowRunId && r.run.workflowRunId ? { workflowRunId: r.run.workflowRunId } : {}),
      ...(r.ids?.messageId && r.run.messageId ? { messageId: r.run.messageId } : {}),
      ...(r.ids?.conversationId && r.run.conversationId ? { conversationId: r.run.conversationId } : {}),
      ...(r.tokens ? { tokens: r.tokens } : {}),
      ...(failingNode && status !== 'succeeded' ? { failingNode } : {}),
      ...(errorKind ? { errorKind } : {}),
      ...(rootCause ? { rootCause } : {}),
      linkedTraceIds: [...linked],
    };
  });
  return {
    name: d.name,
    exporter: d.exporter,
    release: d.release,
    sources: [...d.sources],
    description: d.description,
    requests: d.requests.map((r) => exportRequest(r)),
    expected: { runs, nodes: [...d.nodes], ...(d.warnings && d.warnings.length > 0 ? { warnings: [...d.warnings] } : {}) },
  };
}

/** Case factories get the fixed start time of their slot so the whole corpus is deterministic. */
export type CaseFactory = (startMs: number) => CorpusCase;
