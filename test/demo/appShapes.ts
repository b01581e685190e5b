/**
 * The app-level half of a demo run in the other exporters' shapes, rendered by the corpus renderers from the
 * same Dify records (corpusRun.ts) and sent through the real SDK (replayBatch.ts):
 * - Arize Phoenix, newest: langgenius/dify:api/providers/trace/trace-arize-phoenix/src/dify_trace_arize_phoenix/arize_phoenix_trace.py
 *   (test/corpus/shapes/phoenix.ts phoenixWorkflow; OTLP/HTTP protobuf to the Phoenix collector's /v1/traces).
 * - Langfuse native OTLP export: langgenius/dify:api/providers/trace/trace-langfuse/src/dify_trace_langfuse/langfuse_trace.py
 *   LangfuseTraceClient with api/core/ops/{provider_export,trace_data,workflow_trace}.py
 *   (test/corpus/shapes/langfuse.ts langfuseWorkflow; OTLP/protobuf to {host}/api/public/otel/v1/traces).
 */
import type { Attrs, Batch } from '../corpus/otlpJson';
import { langfuseWorkflow } from '../corpus/shapes/langfuse';
import { phoenixWorkflow } from '../corpus/shapes/phoenix';
import { corpusRunOf } from './corpusRun';
import type { BatchReplayer } from './replayBatch';
import type { RunRecord } from './runRecords';

export type AppExporter = 'aliyun' | 'phoenix' | 'langfuse';

/** The Phoenix project of the demo app's tracing config (resource, tracer name and root dify_project_name). */
export const PHOENIX_PROJECT = 'travel-assistant';

export interface AppTrace {
  readonly exporter: AppExporter;
  readonly runIndex: number;
  /** Trace id of the app-level half. */
  readonly traceId: string;
  /** Infrastructure trace ids the app half points at (Langfuse: its own trace id, shared with the infra half). */
  readonly linkedTraceIds: readonly string[];
}

/** Replaces the corpus's Phoenix project name with the demo's wherever the exporter writes it. */
function inProject(batch: Batch, project: string): Batch {
  const old = batch.resource['openinference.project.name'];
  if (typeof old !== 'string') throw new Error('Phoenix resource without openinference.project.name');
  const swap = (attrs: Attrs): Attrs =>
    Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, v === old ? project : v]));
  return {
    resource: swap(batch.resource),
    scope: { ...batch.scope, name: batch.scope.name.replace(old, project) },
    spans: batch.spans.map((s) => ({ ...s, attributes: s.attributes['dify_project_name'] === old ? swap(s.attributes) : s.attributes })),
  };
}

/** Phoenix workflow_trace: dify_trace_id = trace_info.trace_id, the API request's (infra) trace id. */
export function emitPhoenixRun(replayer: BatchReplayer, tracesUrl: string, record: RunRecord): AppTrace {
  const rendered = phoenixWorkflow(corpusRunOf(record), { release: 'newest' });
  for (const batch of rendered.batches) replayer.emit(inProject(batch, PHOENIX_PROJECT), tracesUrl, `phoenix:${PHOENIX_PROJECT}`);
  return { exporter: 'phoenix', runIndex: record.run.index, traceId: rendered.traceId, linkedTraceIds: [rendered.difyTraceId] };
}

/**
 * Langfuse native export with an external trace id (the API request's traceparent): the Langfuse trace id
 * becomes the infra trace id, so both halves share one trace and nothing is linked across traces.
 */
export function emitLangfuseRun(replayer: BatchReplayer, tracesUrl: string, record: RunRecord): AppTrace {
  const rendered = langfuseWorkflow(corpusRunOf(record), { externalTraceId: record.run.infraTraceId });
  for (const batch of rendered.batches) replayer.emit(batch, tracesUrl);
  return { exporter: 'langfuse', runIndex: record.run.index, traceId: rendered.traceId, linkedTraceIds: [rendered.traceId] };
}
