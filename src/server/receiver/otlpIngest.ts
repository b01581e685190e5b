import type { LogRecord } from '../../model/logRecord';
import type { Span } from '../../model/span';
import type { TraceId } from '../../model/units';
import type { OtlpEncoding } from './otlpBody';
import type { OtlpDecoder } from './otlpDecoder';
import type { MappedSpans } from './otlpToModel';

/** Whether the decoder wrote the spans to the trace database already (MappedSpans). */
export type SpansWritten = Pick<MappedSpans, 'writtenTo' | 'writeFailure'>;

/** Where received data goes: the trace service's store. */
export interface OtlpSink {
  /**
   * Accepted spans, and per trace the spans of that trace the request carried but we rejected;
   * returns how many could not be kept (reported to the sender); throwing fails the request (503 / UNAVAILABLE).
   */
  readonly onSpans: (spans: readonly Span[], rejectedByTrace: ReadonlyMap<TraceId, number>, written?: SpansWritten) => { readonly notKept: number } | void;
  /** Spans mapped from Langfuse's ingestion API or OTLP endpoint; already-stored spans (a retried batch) must be dropped by the callee. */
  readonly onLangfuseSpans: (spans: readonly Span[], written?: SpansWritten) => void;
  /** Accepted log records; throwing fails the request. */
  readonly onLogs: (records: readonly LogRecord[]) => void;
  readonly onRejected: (reason: string) => void;
}

/** What an export request's answer reports: the items not taken and why (OTLP partial success). */
export interface Accepted {
  readonly rejected: number;
  readonly rejectionReason?: string | undefined;
}

/** The one path from a decompressed OTLP body to the store, for every transport. */
export class OtlpIngest {
  constructor(
    readonly sink: OtlpSink,
    private readonly decoder: OtlpDecoder,
  ) {}

  async traces(body: Buffer, encoding: OtlpEncoding, viaLangfuse = false): Promise<Accepted> {
    const mapped = await this.decoder.traces(body, encoding);
    let notKept = 0;
    // The Langfuse SDK in Dify may forward copies of spans that the infrastructure exporter also sends: stored once.
    if (viaLangfuse) this.sink.onLangfuseSpans(mapped.spans, mapped);
    else if (mapped.spans.length > 0 || mapped.rejectedByTrace.size > 0) notKept = this.sink.onSpans(mapped.spans, mapped.rejectedByTrace, mapped)?.notKept ?? 0;
    if (mapped.rejectionReason) this.sink.onRejected(mapped.rejectionReason);
    if (notKept === 0) return mapped;
    const reason = `${notKept} span(s) were not kept: their trace is larger than the trace server's memory bound (difyTrace.store.maxSpans, difyTrace.store.maxMemoryMiB) and the trace database is off.`;
    this.sink.onRejected(reason);
    return { rejected: mapped.rejected + notKept, rejectionReason: mapped.rejectionReason ? `${mapped.rejectionReason} ${reason}` : reason };
  }

  async logs(body: Buffer, encoding: OtlpEncoding): Promise<Accepted> {
    const mapped = await this.decoder.logs(body, encoding);
    if (mapped.records.length > 0) this.sink.onLogs(mapped.records);
    if (mapped.rejectionReason) this.sink.onRejected(mapped.rejectionReason);
    return mapped;
  }
}
