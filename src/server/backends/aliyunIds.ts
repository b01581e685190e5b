import { createHash } from 'node:crypto';

/**
 * Span id the Aliyun exporter gives a node span: the first 8 bytes of SHA-256 of
 * `{node_execution_id as 32 hex}-node` (dify_trace_aliyun/utils.py convert_to_span_id).
 */
export function aliyunNodeSpanId(nodeExecutionId: string): string {
  const hex = nodeExecutionId.replaceAll('-', '').toLowerCase();
  return createHash('sha256').update(`${hex}-node`).digest('hex').slice(0, 16);
}
