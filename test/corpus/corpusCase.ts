/**
 * One fixture of the classification corpus: the OTLP/JSON that one Dify exporter (or Dify's
 * infrastructure telemetry) sends for one situation, and what the extension must recognise in it.
 * Files live in test/corpus/cases/<exporter>/<name>.json and are produced by the generator.
 */
import type { ErrorKind } from '../../src/dify/errorKind';
import type { RunKind, RunStatus } from '../../src/shared/runSummary';

export type CorpusExporter = 'aliyun' | 'phoenix' | 'langfuse' | 'langsmith' | 'infrastructure' | 'pluginDaemon' | 'mixed';

export interface ExpectedRun {
  /** The trace that holds the run's app-level spans. */
  readonly traceId: string;
  readonly appName: string;
  readonly kind: RunKind;
  readonly status: RunStatus;
  readonly workflowRunId?: string;
  readonly messageId?: string;
  readonly conversationId?: string;
  readonly tokens?: { readonly prompt?: number; readonly completion?: number; readonly total?: number };
  /** The failing node of a failed or partially succeeded run. */
  readonly failingNode?: { readonly title: string; readonly nodeType?: string };
  readonly errorKind?: ErrorKind;
  /** The root-cause span: deepest error span, earliest in time, across both halves when linked. */
  readonly rootCause?: { readonly traceId: string; readonly spanId: string };
  /** Infrastructure trace ids the run joins through Trace Link (in whatever way the exporter records it). */
  readonly linkedTraceIds: readonly string[];
}

export interface ExpectedNode {
  readonly traceId: string;
  readonly spanId: string;
  readonly nodeType: string;
  readonly title: string;
  readonly iterationIndex?: number;
  readonly loopIndex?: number;
  readonly pluginId?: string;
  readonly codeLanguage?: string;
}

export interface CorpusCase {
  readonly name: string;
  readonly exporter: CorpusExporter;
  /** Dify release line the shape belongs to, e.g. "1.4" or "newest". */
  readonly release: string;
  /** The Dify (or daemon/sandbox) source paths this fixture reproduces. */
  readonly sources: readonly string[];
  readonly description: string;
  /** One or more OTLP/JSON ExportTraceServiceRequest bodies, in arrival order. */
  readonly requests: readonly unknown[];
  readonly expected: {
    readonly runs: readonly ExpectedRun[];
    /** Node spans whose Dify node type must be recognised (every node span of the fixture). */
    readonly nodes: readonly ExpectedNode[];
    /** Kinds of trace warnings expected (e.g. missing keys, link to nowhere). */
    readonly warnings?: readonly string[];
  };
}
