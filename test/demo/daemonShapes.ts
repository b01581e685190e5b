/**
 * The callee side of the API's plugin-daemon calls: the daemon's gin server span (child of the API's
 * HTTPX span through the propagated traceparent) and, for the tool call, a span inside the plugin process.
 */
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { APP, infraSpanId, PLUGIN_RUNTIME_SPAN } from './demoRuns';
import type { DemoService } from './emitter';
import type { OutboundCall } from './outboundCalls';
import { PLUGIN, PLUGIN_EXCEPTION, PLUGIN_TRACEBACK } from './plugin';
import { pyJson } from './pyJson';
import type { RunRecord } from './runRecords';
import { SCOPES } from './services';

/**
 * otelgin v0.64.0 server span attributes (instrumentation/github.com/gin-gonic/gin/otelgin/gin.go Middleware,
 * internal/semconv/server.go RequestTraceAttrs/ResponseTraceAttrs). The daemon passes its service name
 * "dify-plugin-daemon" as the server name, so server.address is that name, not the Host header.
 * tenant_id comes from the daemon's tenantIDSpanProcessor (langgenius/dify-plugin-daemon:internal/server/otel.go),
 * filled by log.TraceMiddleware from the :tenant_id route param before the otelgin middleware runs.
 */
export function ginAttributes(httpxSpanId: string, path: string, route: string, responseBytes: number): Attributes {
  const clientPort = 32768 + (Number.parseInt(httpxSpanId.slice(0, 4), 16) % 28000); // ephemeral port of the pooled connection
  return {
    'server.address': 'dify-plugin-daemon',
    'http.request.method': 'POST',
    'url.scheme': 'http',
    'server.port': 5002,
    'network.peer.address': '172.19.0.7',
    'network.peer.port': clientPort,
    'user_agent.original': 'python-httpx/0.28.1',
    'client.address': '172.19.0.7',
    'url.path': path,
    'network.protocol.version': '1.1',
    'http.route': route,
    'http.response.status_code': 200,
    'http.response.body_size': responseBytes,
    tenant_id: APP.tenantId,
  };
}

export function emitDaemonRun(daemon: DemoService, runtime: DemoService, record: RunRecord, calls: readonly OutboundCall[]): void {
  const traceId = record.run.infraTraceId;
  for (const call of calls) {
    if (call.daemonRoute === null) continue; // dify-sandbox has no OpenTelemetry: only the API's HTTPX span exists
    const ginSpanId = infraSpanId(traceId, `gin:${call.node.key}`);
    // A streamed response (SSE) keeps the gin span open after the API's HTTPX span ended at the headers:
    // for LLM calls the daemon span outlasts its parent until the last token.
    const ginEnd = call.node.key === 'llm' ? call.node.endMs - 4 : call.endMs - 2;
    daemon.emit(SCOPES.otelgin, {
      // otelgin defaultSpanNameFormatter: "{METHOD} {gin route template}"
      name: `POST ${call.daemonRoute}`,
      kind: SpanKind.SERVER,
      traceId,
      spanId: ginSpanId,
      parent: { spanId: call.spanId, remote: true },
      startMs: call.startMs + 2,
      endMs: ginEnd,
      // HTTP 200 -> semconv Status() returns Unset; plugin errors travel inside the stream
      attributes: ginAttributes(call.spanId, new URL(call.url).pathname, call.daemonRoute, call.node.key === 'llm' ? 4821 : 1187),
    });
    if (call.node.key !== 'tool') continue;
    const failed = call.node.status === 'failed';
    const end = ginEnd - 5;
    // ASSUMPTION: a span from an Alibaba Cloud Python probe inside the plugin process (the dify_plugin SDK has no
    // OpenTelemetry, and stdin/stdout carries no traceparent). Named and attributed per OTel GenAI semconv
    // (execute_tool {gen_ai.tool.name}); its exception event is what the SDK's record_exception produces.
    runtime.emit(SCOPES.pluginProbe, {
      name: PLUGIN_RUNTIME_SPAN,
      kind: SpanKind.INTERNAL,
      traceId,
      spanId: infraSpanId(traceId, 'plugin-runtime:tool'),
      parent: { spanId: ginSpanId, remote: true },
      startMs: call.startMs + 8,
      endMs: end,
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': PLUGIN.tool,
        'gen_ai.tool.call.arguments': pyJson(call.node.inputs),
        ...(failed || call.node.outputs === null ? {} : { 'gen_ai.tool.call.result': pyJson(call.node.outputs['json'] ?? null) }),
      },
      // opentelemetry-sdk (Python) Span.__exit__: ERROR with "{type}: {message}", record_exception event
      status: failed ? { code: SpanStatusCode.ERROR, message: `${PLUGIN_EXCEPTION.type}: ${PLUGIN_EXCEPTION.message}` } : undefined,
      events: failed
        ? [
            {
              name: 'exception',
              timeMs: end - 1,
              attributes: {
                'exception.type': PLUGIN_EXCEPTION.type,
                'exception.message': PLUGIN_EXCEPTION.message,
                'exception.stacktrace': PLUGIN_TRACEBACK,
                'exception.escaped': 'False',
              },
            },
          ]
        : undefined,
    });
  }
}
