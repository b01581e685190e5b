/**
 * A span processor whose export can be awaited. The SDK's Simple/BatchSpanProcessor hand export
 * failures to the global error handler and TracerProvider.forceFlush() resolves anyway; this one
 * keeps ended spans until `exportPending()`, sends them in one export call and rejects unless the
 * exporter reports success.
 */
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';

type ExportResult = Parameters<Parameters<SpanExporter['export']>[1]>[0];
/** `ExportResultCode.SUCCESS` of @opentelemetry/core (not a direct dependency of this package). */
const EXPORT_SUCCESS = 0;

export class AwaitedExportProcessor implements SpanProcessor {
  readonly #pending: ReadableSpan[] = [];
  readonly #exporter: SpanExporter;

  constructor(exporter: SpanExporter) {
    this.#exporter = exporter;
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    this.#pending.push(span);
  }

  async forceFlush(): Promise<void> {
    await this.exportPending();
  }

  shutdown(): Promise<void> {
    return this.#exporter.shutdown();
  }

  exportPending(): Promise<number> {
    const batch = this.#pending.splice(0);
    if (batch.length === 0) return Promise.resolve(0);
    return new Promise((resolve, reject) => {
      this.#exporter.export(batch, (result: ExportResult) => {
        if (result.code === (EXPORT_SUCCESS as ExportResult['code'])) resolve(batch.length);
        else reject(new Error(`OTLP export of ${batch.length} spans failed`, { cause: result.error }));
      });
    });
  }
}
