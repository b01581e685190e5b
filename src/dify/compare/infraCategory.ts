import { stringAttribute, type Span } from '../../model/span';
import type { InfraCategory } from '../../shared/workflowPerformance';
import { httpClient, pluginDaemon } from '../difyNames';
import { isPluginRuntimeSpan } from '../errorTaxonomy';

/**
 * The plugin daemon's model dispatch routes (dify-plugin-daemon internal/server/http_server.go,
 * generated `dispatch/<model type>/...`): a call there waits on a model provider, whatever plugin serves it.
 */
const modelDispatch = /\/dispatch\/(?:llm|text_embedding|rerank|tts|speech2text|moderation)\//;
/** Vector stores Dify supports (api/core/rag/datasource/vdb/), by `db.system` or the URL or name of the call. */
const vectorStore = /weaviate|qdrant|milvus|pgvecto|pgvector|chroma|opensearch|elasticsearch|tidb|analyticdb|oceanbase|couchbase|lindorm|myscale|tencent|baidu|upstash|vikingdb|vastbase|matrixone|Vector_index_/i;
const dbSystemKeys = ['db.system', 'db.system.name'];
const routeKeys = ['http.route', 'url.path'];

const firstOf = (span: Span, keys: readonly string[]): string | undefined => {
  for (const key of keys) {
    const value = stringAttribute(span.attributes, key);
    if (value !== undefined) return value;
  }
  return undefined;
};

/**
 * What kind of infrastructure a span is, or undefined for a node's own work (the API's node span,
 * its SQL and Redis calls). `within` is the category of the nearest classified span above it, so
 * the daemon and plugin spans of a model call count as the model provider's time.
 */
export function infraCategoryOf(span: Span, within: InfraCategory | undefined): InfraCategory | undefined {
  const url = firstOf(span, httpClient.urlKeys) ?? '';
  const route = firstOf(span, routeKeys) ?? '';
  if (modelDispatch.test(url) || modelDispatch.test(route) || modelDispatch.test(span.name)) return 'modelProvider';
  if (within === 'modelProvider') return within;
  if (isPluginRuntimeSpan(span)) return 'pluginRuntime';
  if (span.resource.serviceName === pluginDaemon.serviceName) return 'pluginDaemon';
  if (/\/plugin\/[^/]+\/(?:dispatch|management)\//.test(url) || /plugin_daemon|plugin-daemon/.test(url)) return 'pluginDaemon';
  if (/\/v1\/sandbox\/run/.test(url)) return 'sandbox';
  const dbSystem = firstOf(span, dbSystemKeys);
  if ((dbSystem !== undefined && vectorStore.test(dbSystem)) || vectorStore.test(url) || (span.kind === 'client' && vectorStore.test(span.name))) return 'vectorDatabase';
  if (within !== undefined) return within;
  if (url !== '' && span.kind === 'client') return 'otherHttp';
  return undefined;
}
