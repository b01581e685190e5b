import { numberAttribute, stringAttribute, type Span } from '../model/span';
import { aliyun, genAi, infra, langfuse, langfuseIngestion, phoenix } from './difyNames';
import type { DifyNode } from './difyNode';
import { jsonObjectAttribute, numberField, stringField } from './jsonAttribute';
import { pluginFromToolInfo } from './pluginIdentity';
import { isLangfuseSpan, langfuseMeta } from './langfuseRun';
import { isLangsmithSpan, langsmithNode } from './langsmithRun';
import { errorText } from './errorTaxonomy';
import { parentIndex } from './spanDepth';
import { isAliyunAppSpan, isPhoenixSpan } from './spanFacts';

/** Aliyun marks node spans only by gen_ai.span.kind (aliyun_trace.py build_workflow_*_span). */
const aliyunKindToType: Readonly<Record<string, string>> = { LLM: 'llm', RETRIEVER: 'knowledge-retrieval', TOOL: 'tool', AGENT: 'agent' };

/** Drops undefined fields, so optional properties are absent rather than undefined. */
function node(fields: { readonly [K in keyof DifyNode]?: DifyNode[K] | undefined } & { readonly title: string }): DifyNode {
  // A plain loop: this runs once per node span, 100k times for a large run.
  const out: Record<string, unknown> = {};
  for (const key in fields) {
    const value = fields[key as keyof DifyNode];
    if (value !== undefined) out[key] = value;
  }
  return out as unknown as DifyNode;
}

/** Aliyun: node spans are the children of the `workflow` span, named by node title. */
function aliyunNode(span: Span, parent: Span | undefined): DifyNode | undefined {
  if (parent?.name !== aliyun.workflowSpan || !isAliyunAppSpan(parent)) return undefined;
  const kind = stringAttribute(span.attributes, genAi.spanKind) ?? '';
  // Every other node kind (TASK) is only known to be a node; the corpus rule names it `task`.
  const nodeType = aliyunKindToType[kind] ?? 'task';
  const toolInfo = nodeType === 'tool' ? jsonObjectAttribute(span.attributes, aliyun.toolDescriptionKey) : undefined;
  const plugin = pluginFromToolInfo(toolInfo);
  return node({ title: span.name, nodeType, plugin });
}

/**
 * Phoenix: node spans carry a `metadata` JSON with node_type; 1.x names them by node type,
 * newer releases `{node_type}_{title}` plus `dify.node.*` attributes (arize_phoenix_trace.py).
 */
function phoenixNode(span: Span): DifyNode | undefined {
  if (span.attributes[phoenix.wrapperSyntheticKey] === true || span.attributes[phoenix.wrapperSyntheticKey] === 'true') return undefined;
  const meta = jsonObjectAttribute(span.attributes, phoenix.metadataKey);
  const nodeType = stringField(meta, 'node_type');
  if (nodeType === undefined) return undefined;
  const prefixed = span.name.startsWith(`${nodeType}_`) ? span.name.slice(nodeType.length + 1) : undefined;
  // In 1.x `app_name` holds the node title and `node_id` the node execution id (misnamed in the exporter).
  const appName = meta?.['app_name'];
  const title = prefixed ?? (typeof appName === 'string' ? appName : span.name);
  const toolInfo = typeof meta?.['tool_info'] === 'object' && meta['tool_info'] !== null ? (meta['tool_info'] as Record<string, unknown>) : undefined;
  return node({
    title,
    nodeType,
    nodeExecutionId: stringAttribute(span.attributes, phoenix.nodeExecutionIdKey) ?? stringField(meta, 'node_id'),
    iterationIndex: numberAttribute(span.attributes, phoenix.nodeIterationIndexKey) ?? numberField(meta, 'iteration_index'),
    loopIndex: numberAttribute(span.attributes, phoenix.nodeLoopIndexKey) ?? numberField(meta, 'loop_index'),
    parallelId: stringField(meta, 'parallel_id'),
    plugin: pluginFromToolInfo(toolInfo),
  });
}

/**
 * Langfuse: node observations carry `node_type` in their metadata, with `dify.node.*` (native OTLP
 * export) or the node's execution metadata, `node_execution_id` included (ingestion API).
 */
function langfuseNode(span: Span): DifyNode | undefined {
  const nodeType = langfuseMeta(span, langfuse.metaKeys.nodeType);
  if (nodeType === undefined) return undefined;
  const ingestion = langfuseIngestion.metaKeys;
  const toolInfo = nodeType === 'tool' ? jsonObjectAttribute(span.attributes, langfuse.meta(ingestion.toolInfo)) : undefined;
  return node({
    title: span.name,
    nodeType,
    nodeId: langfuseMeta(span, langfuse.metaKeys.nodeId),
    nodeExecutionId: langfuseMeta(span, langfuse.metaKeys.nodeExecutionId) ?? langfuseMeta(span, ingestion.nodeExecutionId),
    iterationIndex: numberAttribute(span.attributes, langfuse.meta(ingestion.iterationIndex)),
    loopIndex: numberAttribute(span.attributes, langfuse.meta(ingestion.loopIndex)),
    plugin: pluginFromToolInfo(toolInfo),
  });
}

/** Dify's own per-node infrastructure spans (api/extensions/otel/parser/base.py). */
function infraNode(span: Span): DifyNode | undefined {
  const nodeType = stringAttribute(span.attributes, infra.nodeTypeKey);
  if (nodeType === undefined) return undefined;
  // Tool node spans of newer releases describe the tool like Aliyun does (api/extensions/otel/parser/tool.py).
  const toolInfo = nodeType === 'tool' ? jsonObjectAttribute(span.attributes, infra.toolDescriptionKey) : undefined;
  return node({
    title: span.name,
    nodeType,
    nodeId: stringAttribute(span.attributes, infra.nodeIdKey),
    nodeExecutionId: stringAttribute(span.attributes, infra.nodeExecutionIdKey),
    plugin: pluginFromToolInfo(toolInfo),
  });
}

/**
 * The Code node language, when a sandbox traceback shows it: Python frames from the prescript's
 * `<fd3>` (or `<string>` before dify-sandbox PR #242), Node's `eval` frames from sandbox-nodejs.
 */
export function sandboxLanguage(text: string): string | undefined {
  if (/File "<fd3>"|File "<string>"|\/var\/sandbox\/sandbox-python\//.test(text)) return 'python3';
  if (/\/var\/sandbox\/sandbox-nodejs\/|eval at <anonymous>/.test(text)) return 'javascript';
  return undefined;
}

/**
 * The only parents node detection asks for: Aliyun's `workflow` spans (its node spans are their
 * children). Indexing those alone, not every span, spares a map of 100k span ids per call.
 */
function workflowParentIndex(spans: readonly Span[]): (span: Span) => Span | undefined {
  return parentIndex(spans.filter((s) => s.name === aliyun.workflowSpan));
}

/** The Dify node each node span of a trace stands for. */
export function difyNodesOf(spans: readonly Span[], parentOf: (span: Span) => Span | undefined = workflowParentIndex(spans)): Map<Span, DifyNode> {
  const nodes = new Map<Span, DifyNode>();
  for (const span of spans) {
    const found = isAliyunAppSpan(span) ? aliyunNode(span, parentOf(span)) : isLangfuseSpan(span) ? langfuseNode(span) : isLangsmithSpan(span) ? langsmithNode(span) : isPhoenixSpan(span) ? phoenixNode(span) : infraNode(span);
    if (found === undefined) continue;
    const codeLanguage = span.status.code === 'error' || span.status.message ? sandboxLanguage(errorText(span)) : undefined;
    nodes.set(span, codeLanguage === undefined ? found : { ...found, codeLanguage });
  }
  return nodes;
}
