import type { Span } from '../../model/span';
import { selfTimeUs } from '../../model/criticalPath';
import { errorHeadline } from '../../shared/errorHeadline';
import { nodeInputsOutputs } from '../../shared/nodeInputsOutputs';
import { tokenUsage } from '../../shared/tokenUsage';
import { difyNodesOf } from '../difyNodes';
import { errorText } from '../errorTaxonomy';
import { childrenIndex } from '../spanDepth';
import type { NodeExecution } from './alignRuns';

/**
 * The node executions of a run, from its spans, for `alignRuns`: the app-level exporter's node
 * spans (Aliyun, Phoenix, Langfuse, LangSmith) of the run's own trace, else (an infrastructure-only
 * run) Dify's own per-node spans. Times are from the run's start; tokens and price from the keys the
 * details pane reads; outputs as a digest, so two runs' outputs compare without keeping them.
 */
export function nodeExecutionsOf(spans: readonly Span[], runTraceId: string): NodeExecution[] {
  const nodes = [...difyNodesOf(spans)];
  const own = nodes.filter(([span]) => span.traceId === runTraceId);
  const chosen = own.length > 0 ? own : nodes;
  if (chosen.length === 0) return [];
  let runStartUs = Number.POSITIVE_INFINITY;
  for (const span of spans) if (span.traceId === runTraceId && span.startUs < runStartUs) runStartUs = span.startUs;
  if (!Number.isFinite(runStartUs)) runStartUs = Math.min(...chosen.map(([span]) => span.startUs));
  const childrenOf = childrenIndex(spans);
  return chosen.map(([span, node]): NodeExecution => {
    const usage = tokenUsage(span.attributes) ?? {};
    const outputs = nodeInputsOutputs(span.attributes).outputs;
    const itemIndex = node.iterationIndex ?? node.loopIndex;
    const failed = span.status.code === 'error';
    return {
      title: node.title,
      ...(node.nodeType === undefined ? {} : { nodeType: node.nodeType }),
      ...(node.nodeId === undefined ? {} : { nodeId: node.nodeId }),
      ...(itemIndex === undefined ? {} : { itemIndex }),
      status: span.status.code,
      startUs: span.startUs - runStartUs,
      durationUs: Math.max(0, span.endUs - span.startUs),
      selfTimeUs: selfTimeUs(span, childrenOf(span)),
      ...(usage.totalTokens === undefined ? {} : { tokens: usage.totalTokens }),
      ...(usage.price === undefined ? {} : { price: usage.price }),
      ...(failed ? { error: errorHeadline(errorText(span)) } : {}),
      ...(outputs === undefined ? {} : { outputDigest: digest(typeof outputs.value === 'string' ? outputs.value : JSON.stringify(outputs.value)) }),
      span: { traceId: span.traceId, spanId: span.spanId },
    };
  });
}

/** FNV-1a, 32 bits, with the length: outputs equal or not, never shown. */
function digest(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return `${text.length}:${(hash >>> 0).toString(16)}`;
}
