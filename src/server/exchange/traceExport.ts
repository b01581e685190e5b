import type { LogRecord } from '../../model/logRecord';
import type { Span } from '../../model/span';
import type { ExportTraceRequest } from '../../shared/lspProtocol';
import type { RunSummary } from '../../shared/runSummary';
import { logsLine, traceLine } from './otlpJsonLines';

/** What a backend gathers for one run: its trace and linked traces with their log records. */
export interface GatheredTrace {
  readonly traceId: string;
  readonly spans: readonly Span[];
  readonly logs: readonly LogRecord[];
  readonly run: RunSummary | undefined;
}

/** A file name that says what it holds and is safe on every OS: the app and the run id (else the trace id). */
function fileNameOf(gathered: GatheredTrace): string {
  const app = (gathered.run?.appName ?? 'dify').replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'dify';
  return `${app}-${gathered.run?.runId ?? gathered.traceId}.otlp.jsonl`;
}

/**
 * One run as an importable file: a line with the spans of the trace and its linked traces, then a
 * line with their log records when there are any (ExportTraceRequest in src/shared/lspProtocol.ts).
 */
export function exportTrace(gathered: GatheredTrace): NonNullable<ExportTraceRequest.Result> {
  const lines = [traceLine(gathered.spans)];
  if (gathered.logs.length > 0) lines.push(logsLine(gathered.logs));
  return { fileName: fileNameOf(gathered), content: `${lines.join('\n')}\n`, spans: gathered.spans.length, logRecords: gathered.logs.length };
}
