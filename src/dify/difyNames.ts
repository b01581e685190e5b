/**
 * Span names, attribute keys and resource keys that Dify, its plugin daemon and its trace
 * exporters really emit, with the source each comes from, read in langgenius/dify (api/) and
 * langgenius/dify-plugin-daemon and checked against the recordings in test/recorded/.
 */

/** Alibaba Cloud Monitoring exporter: api/providers/trace/trace-aliyun/src/dify_trace_aliyun/ (older: api/core/ops/aliyun_trace/). */
export const aliyun = {
  /** Resource attribute set by data_exporter/traceclient.py. */
  featureKey: 'acs.arms.service.feature',
  featureValue: 'genai_app',
  /** Instrumentation scope: the traceclient module name, new and old layout. */
  scopeMarker: 'aliyun_trace',
  /** Root span of a workflow run without a message (aliyun_trace.py, workflow_trace). */
  workflowSpan: 'workflow',
  /** Root span of a chat message / chatflow run (aliyun_trace.py, message_trace). */
  messageSpan: 'message',
  llmSpan: 'llm',
  appIdKey: 'dify.app_id',
  /** Tool node spans: JSON of the node's tool_info (build_workflow_tool_span). */
  toolDescriptionKey: 'tool.description',
} as const;

/** Common attributes on every Aliyun app span (utils.py create_common_span_attributes) and on newer infra node spans. */
export const genAi = {
  framework: 'gen_ai.framework',
  frameworkValue: 'dify',
  spanKind: 'gen_ai.span.kind',
  sessionId: 'gen_ai.session.id',
  userId: 'gen_ai.user.id',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  totalTokens: 'gen_ai.usage.total_tokens',
} as const;

/** Arize Phoenix / OpenInference exporter: api/providers/trace/trace-arize-phoenix/src/dify_trace_arize_phoenix/arize_phoenix_trace.py (older: api/core/ops/arize_phoenix_trace/). */
export const phoenix = {
  /** Synthetic root span of every Dify trace. */
  rootSpan: 'Dify',
  /**
   * Saving a Phoenix tracing config makes Dify export one connection-check span (`api_check`,
   * attribute `test: "true"`; arize_phoenix_trace.py api_check; seen on a recorded Dify 1.13.3): not a run.
   */
  apiCheckSpan: 'api_check',
  apiCheckKey: 'test',
  difyTraceIdKey: 'dify_trace_id',
  projectNameKey: 'dify_project_name',
  /** `workflow` in 1.x, `workflow_{workflow_run_id}` in newer releases. */
  workflowSpanPrefix: 'workflow',
  messageSpan: 'message',
  /** JSON string with workflow_run_id, app_name, status, ... */
  metadataKey: 'metadata',
  spanKindKey: 'openinference.span.kind',
  projectResourceKey: 'openinference.project.name',
  sessionIdKey: 'session.id',
  llmTotalTokensKey: 'llm.token_count.total',
  /** Newer releases: node attributes beside the metadata JSON, and synthetic iteration/loop wrappers. */
  nodeExecutionIdKey: 'dify.node.execution_id',
  nodeIterationIndexKey: 'dify.node.iteration_index',
  nodeLoopIndexKey: 'dify.node.loop_index',
  wrapperSyntheticKey: 'dify.wrapper.synthetic',
} as const;

/**
 * Langfuse's native OTLP export (newer dify_trace_langfuse with api/core/ops/provider_export.py):
 * langfuse-python's attribute names, Dify's fields as `langfuse.observation.metadata.*`.
 */
export const langfuse = {
  scopeName: 'langfuse-sdk',
  /** Set on every observation (span, generation, event) by langfuse-python. */
  observationTypeKey: 'langfuse.observation.type',
  tracePrefix: 'langfuse.trace.',
  appRootKey: 'langfuse.internal.is_app_root',
  usageKey: 'langfuse.observation.usage_details',
  costKey: 'langfuse.observation.cost_details',
  statusMessageKey: 'langfuse.observation.status_message',
  userIdKey: 'user.id',
  sessionIdKey: 'session.id',
  meta: (key: string): string => `langfuse.observation.metadata.${key}`,
  /** Keys inside the metadata, as Dify's trace_data.py names them. */
  metaKeys: {
    spanStatus: 'dify.span.status',
    workflowRunId: 'dify.workflow.run_id',
    messageId: 'dify.message.id',
    appId: 'dify.app_id',
    appName: 'app_name',
    nodeType: 'node_type',
    nodeId: 'dify.node.id',
    nodeExecutionId: 'dify.node.execution_id',
  },
} as const;

/** Dify's own infrastructure OpenTelemetry: api/extensions/otel/ (semconv/dify.py, parser/base.py). */
export const infra = {
  appIdKey: 'dify.app_id',
  workflowIdKey: 'dify.workflow_id',
  /** Newer tool node spans describe the tool like Aliyun's tool.description (parser/tool.py). */
  toolDescriptionKey: 'gen_ai.tool.description',
  nodeIdKey: 'node.id',
  nodeExecutionIdKey: 'node.execution_id',
  nodeTypeKey: 'node.type',
  /** Default APPLICATION_NAME of the API and Celery worker. */
  apiServiceName: 'langgenius/dify',
} as const;

/** dify-plugin-daemon: internal/server/otel.go (service name), internal/server/otel_gin.go (gin spans). */
export const pluginDaemon = {
  serviceName: 'dify-plugin-daemon',
  tenantIdKey: 'tenant_id',
} as const;

/** Workflow run statuses (WorkflowExecutionStatus, graphon/enums.py). */
export const runStatuses = ['scheduled', 'running', 'succeeded', 'failed', 'stopped', 'partial-succeeded', 'paused'] as const;

/** Exception records: OTel's `exception` event, and the `log.exception` event of Dify's ExceptionLoggingHandler (ext_otel.py). */
export const exceptionEvents = {
  names: ['exception', 'log.exception'],
  keys: ['exception.type', 'exception.message', 'log.message'],
  typeKey: 'exception.type',
} as const;

/** HTTP client spans (opentelemetry-instrumentation-httpx: new and old semantic conventions). */
export const httpClient = {
  urlKeys: ['url.full', 'http.url'],
  statusKeys: ['http.response.status_code', 'http.status_code'],
} as const;

/**
 * Langfuse's ingestion API (langfuse-python 2.51.x / 4.x), which Dify's Langfuse exporter posts to
 * (api/core/ops/langfuse_trace/langfuse_trace.py up to 1.13.x, api/providers/trace/trace-langfuse
 * from 1.14): the receiver maps each event to a span under this scope, keeping the body's fields as
 * `langfuse.*` attributes; the trace itself becomes a span of type `trace`.
 */
export const langfuseIngestion = {
  scopeName: 'langfuse-ingestion',
  traceType: 'trace',
  traceMeta: (key: string): string => `langfuse.trace.metadata.${key}`,
  traceIdKey: 'langfuse.trace.id',
  traceNameKey: 'langfuse.trace.name',
  traceTagsKey: 'langfuse.trace.tags',
  observationIdKey: 'langfuse.observation.id',
  levelKey: 'langfuse.observation.level',
  modelKey: 'gen_ai.request.model',
  publicKeyKey: 'langfuse.public_key',
  /** Dify's node metadata (execution metadata plus these) and the run's trace metadata (ops_trace_manager.py workflow_trace). */
  metaKeys: {
    workflowRunId: 'workflow_run_id',
    messageId: 'message_id',
    conversationId: 'conversation_id',
    status: 'status',
    appId: 'app_id',
    appName: 'app_name',
    totalTokens: 'total_tokens',
    nodeExecutionId: 'node_execution_id',
    nodeType: 'node_type',
    iterationIndex: 'iteration_index',
    loopIndex: 'loop_index',
    toolInfo: 'tool_info',
    conversationMode: 'conversation_mode',
  },
} as const;

/**
 * LangSmith, as this extension maps the runs Dify's LangSmith exporter sends
 * (api/core/ops/langsmith_trace/langsmith_trace.py up to 1.13.x, api/providers/trace/trace-langsmith
 * later) and LangSmith's runs query API answers: one span per run, the run's own fields under
 * `langsmith.*`, its `extra.metadata` (Dify's run and node metadata) under `langsmith.metadata.*`.
 */
export const langsmith = {
  scopeName: 'langsmith',
  runIdKey: 'langsmith.run_id',
  runNameKey: 'langsmith.run_name',
  runTypeKey: 'langsmith.run_type',
  tagsKey: 'langsmith.tags',
  projectKey: 'langsmith.project',
  meta: (key: string): string => `langsmith.metadata.${key}`,
  /** Root runs Dify creates: `workflow` (run_type tool, tag workflow) and, for messages, `message` (chain). */
  workflowName: 'workflow',
  messageName: 'message',
  nodeTag: 'node_execution',
} as const;
