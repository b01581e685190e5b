/**
 * One real OpenTelemetry logs SDK pipeline for an emitting service (own Resource, OTLP/HTTP protobuf
 * log exporter, a processor whose export can be awaited), records emitted with explicit times and
 * the span context they were logged in.
 */
import { ROOT_CONTEXT, TraceFlags, trace, type Attributes } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, type LogRecordExporter, type LogRecordProcessor, type SdkLogRecord } from '@opentelemetry/sdk-logs';
import type { ApiLogRecord } from './apiLogs';

type ExportResult = Parameters<Parameters<LogRecordExporter['export']>[1]>[0];
/** `ExportResultCode.SUCCESS` of @opentelemetry/core (not a direct dependency of this package). */
const EXPORT_SUCCESS = 0;

/** Like AwaitedExportProcessor for spans: keeps emitted records until `exportPending()`, which rejects unless the export succeeded. */
class AwaitedLogProcessor implements LogRecordProcessor {
  readonly #pending: SdkLogRecord[] = [];

  constructor(private readonly exporter: LogRecordExporter) {}

  onEmit(record: SdkLogRecord): void {
    this.#pending.push(record);
  }

  async forceFlush(): Promise<void> {
    await this.exportPending();
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }

  exportPending(): Promise<number> {
    const batch = this.#pending.splice(0);
    if (batch.length === 0) return Promise.resolve(0);
    return new Promise((resolve, reject) => {
      this.exporter.export(batch, (result: ExportResult) => {
        if (result.code === (EXPORT_SUCCESS as ExportResult['code'])) resolve(batch.length);
        else reject(new Error(`OTLP export of ${batch.length} log records failed`, { cause: result.error }));
      });
    });
  }
}

export class DemoLogService {
  readonly #processor: AwaitedLogProcessor;
  readonly #provider: LoggerProvider;

  /** `exporter`: OTLP/HTTP protobuf to `logsUrl` unless given (the gRPC one, say). */
  constructor(resource: Attributes, logsUrl: string, exporter?: LogRecordExporter) {
    this.#processor = new AwaitedLogProcessor(exporter ?? new OTLPLogExporter({ url: logsUrl }));
    this.#provider = new LoggerProvider({ resource: resourceFromAttributes(resource), processors: [this.#processor] });
  }

  emit(record: ApiLogRecord): void {
    const context = trace.setSpanContext(ROOT_CONTEXT, { traceId: record.traceId, spanId: record.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: false });
    this.#provider.getLogger(record.scope).emit({
      timestamp: record.timeMs,
      observedTimestamp: record.observedMs,
      severityNumber: record.severityNumber,
      severityText: record.severityText,
      body: record.body,
      attributes: record.attributes,
      context,
    });
  }

  /** Exports everything emitted so far in one OTLP request; rejects if the receiver did not accept it. */
  exportPending(): Promise<number> {
    return this.#processor.exportPending();
  }

  shutdown(): Promise<void> {
    return this.#provider.shutdown();
  }
}
