import { stringAttribute, type Span } from '../model/span';
import { exceptionEvents } from './difyNames';

/**
 * A failure of Dify's app-level export, as its own telemetry records it: the Celery task that runs
 * the ops-trace providers (`run/tasks.ops_trace_task.process_trace_tasks`, opentelemetry-
 * instrumentation-celery's `run/{task}` span) ends in error with the status message `Processing trace
 * tasks failed, app_id: {id}` (api/tasks/ops_trace_task.py) and the provider's exception as an
 * event, e.g. the Aliyun exporter's `Invalid trace ID format: {X-Trace-Id}` (recorded on Dify 1.13.3).
 * It lives in the worker's own trace, not the request's: joined to a run by app id and time.
 */
export interface ExporterFailure {
  readonly appId: string;
  /** Epoch milliseconds. */
  readonly atMs: number;
  /** The provider's exception, e.g. `ValueError: Invalid trace ID format: order-4711`. */
  readonly message: string;
}

const opsTraceTaskSpan = /^run\/tasks\.ops_trace_task\.process_trace_tasks$/;
const failedForApp = /Processing trace tasks failed, app_id: ([0-9a-fA-F-]{36})/;

export function exporterFailuresIn(spans: readonly Span[]): ExporterFailure[] {
  const failures: ExporterFailure[] = [];
  for (const span of spans) {
    if (span.status.code !== 'error' || !opsTraceTaskSpan.test(span.name)) continue;
    const appId = failedForApp.exec(span.status.message ?? '')?.[1];
    if (appId === undefined) continue;
    const exception = span.events.find((e) => e.name === exceptionEvents.names[0]);
    const type = exception === undefined ? undefined : stringAttribute(exception.attributes, 'exception.type');
    const text = exception === undefined ? undefined : stringAttribute(exception.attributes, 'exception.message');
    const message = text === undefined ? (span.status.message ?? '') : type === undefined ? text : `${type}: ${text}`;
    failures.push({ appId: appId.toLowerCase(), atMs: Math.floor(span.startUs / 1000), message: message.slice(0, 500) });
  }
  return failures;
}
