import { stringAttribute, type Span } from '../../model/span';
import { infra, langfuse, phoenix } from '../../dify/difyNames';
import { jsonObjectAttribute, stringField } from '../../dify/jsonAttribute';
import { isLangfuseSpan } from '../../dify/langfuseRun';
import { isAliyunAppSpan, isPhoenixSpan } from '../../dify/spanFacts';
import { aliyunNodeSpanId } from '../backends/aliyunIds';

/**
 * Keys that name one node execution in both halves of a run, so an app-level run can be joined
 * with its infrastructure trace when Dify's Trace Link points elsewhere. Dify links the app-level
 * trace to the `X-Trace-Id` a client sent rather than to its own request trace (api/core/helper/
 * trace_id_helper.py get_external_trace_id; recorded on Dify 1.13.3), so with that header the link
 * names a trace that never arrives. The node execution id is in both halves: infrastructure node
 * spans carry `node.execution_id`; Aliyun derives its node span ids from it (SHA-256, utils.py
 * convert_to_span_id); Phoenix keeps it as the metadata's `node_id` (or `dify.node.execution_id`);
 * Langfuse uses it as the observation id.
 */
export type ExecutionKey = string;

const normalise = (id: string): string => id.replaceAll('-', '').toLowerCase();

/** Keys of an infrastructure trace's node spans: both forms, so either exporter's keys meet them. */
export function infraExecutionKeys(spans: readonly Span[]): ExecutionKey[] {
  const keys: ExecutionKey[] = [];
  for (const span of spans) {
    const id = stringAttribute(span.attributes, infra.nodeExecutionIdKey);
    if (id === undefined || id === '') continue;
    keys.push(`exec:${normalise(id)}`, `aliyun:${aliyunNodeSpanId(id)}`);
  }
  return keys;
}

/** Keys of an app-level trace's node spans, in the form its exporter allows. */
export function appExecutionKeys(spans: readonly Span[]): ExecutionKey[] {
  const keys: ExecutionKey[] = [];
  for (const span of spans) {
    if (isAliyunAppSpan(span)) {
      keys.push(`aliyun:${span.spanId}`);
    } else if (isLangfuseSpan(span)) {
      const id = stringAttribute(span.attributes, langfuse.meta(langfuse.metaKeys.nodeExecutionId)) ?? stringAttribute(span.attributes, langfuse.meta('node_execution_id'));
      if (id !== undefined) keys.push(`exec:${normalise(id)}`);
    } else if (isPhoenixSpan(span)) {
      const id = stringAttribute(span.attributes, phoenix.nodeExecutionIdKey) ?? stringField(jsonObjectAttribute(span.attributes, phoenix.metadataKey), 'node_id');
      if (id !== undefined) keys.push(`exec:${normalise(id)}`);
    }
  }
  return keys;
}
