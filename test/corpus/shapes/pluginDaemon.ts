/**
 * dify-plugin-daemon spans: otelgin server span per request, child of the API's HTTPX span through the propagated
 * traceparent ("{METHOD} {gin route}", tenant_id from the daemon's span processor), and the Python environment
 * setup spans of tracer "dify-plugin-daemon/python". Sources: langgenius/dify-plugin-daemon:internal/server/otel.go,
 * internal/server/otel_gin.go, internal/server/http_server.go, internal/core/local_runtime/setup_python_environment.go.
 */
import { seededHex } from '../../demo/ids';
import { PLUGIN, PLUGIN_UNIQUE_IDENTIFIER, PLUGIN_WORKING_DIR } from '../../demo/plugin';
import { RESOURCES, SCOPES } from '../../demo/services';
import { SpanKind, type Batch, type SpanSpec } from '../otlpJson';
import type { InfraCall } from './infrastructure';

export const DAEMON_SOURCES = [
  'langgenius/dify-plugin-daemon:internal/server/otel.go',
  'langgenius/dify-plugin-daemon:internal/server/otel_gin.go',
  'langgenius/dify-plugin-daemon:internal/server/http_server.go',
] as const;
export const PYTHON_ENV_SOURCE = 'langgenius/dify-plugin-daemon:internal/core/local_runtime/setup_python_environment.go';

const RESOURCE = RESOURCES.pluginDaemon as Record<string, string>;

/** otelgin v0.64 server span attributes (same keys as test/demo/daemonShapes.ts). */
export function ginSpan(traceId: string, call: InfraCall, tenantId: string): SpanSpec {
  const path = new URL(call.url).pathname;
  return {
    traceId, spanId: seededHex(`${traceId}:gin:${call.spanId}`, 8), parentSpanId: call.spanId, name: `POST ${call.daemonRoute}`, kind: SpanKind.SERVER,
    startMs: call.startMs + 2, endMs: call.endMs - 1,
    attributes: {
      'server.address': 'dify-plugin-daemon', 'http.request.method': 'POST', 'url.scheme': 'http', 'server.port': 5002,
      'network.peer.address': '172.19.0.7', 'network.peer.port': 39712, 'user_agent.original': 'python-httpx/0.28.1',
      'client.address': '172.19.0.7', 'url.path': path, 'network.protocol.version': '1.1', 'http.route': call.daemonRoute!,
      'http.response.status_code': call.status, 'http.response.body_size': call.status >= 500 ? 96 : 1187, tenant_id: tenantId,
    },
    // otelgin: 5xx on a server span -> Error (no description), 4xx -> Unset
    status: call.status >= 500 ? { code: 'error' } : undefined,
  };
}

export function daemonBatch(traceId: string, calls: readonly InfraCall[], tenantId: string): Batch[] {
  const spans = calls.filter((c) => c.daemonRoute !== null).map((c) => ginSpan(traceId, c, tenantId));
  return spans.length === 0 ? [] : [{ resource: RESOURCE, scope: SCOPES.otelgin, spans }];
}

/**
 * Plugin install / first launch: python.init_env root with its steps. `failStep` marks the step that returned an error
 * (span.RecordError + SetStatus(Error, err.Error()) as the Go SDK writes it: an `exception` event with exception.type/message).
 */
export function pythonEnvSetup(seed: string, atMs: number, failStep?: { step: string; message: string }): Batch[] {
  const traceId = seededHex(`${seed}:python-env`, 16);
  const root = seededHex(`${seed}:python.init_env`, 8);
  const steps = ['python.prepare_uv', 'python.detect_dependency_file', 'python.check_venv', 'python.create_venv', 'python.install_deps', 'python.precompile'];
  const spans: SpanSpec[] = [];
  let t = atMs + 1;
  let end = atMs;
  for (const step of steps) {
    const ms = step === 'python.install_deps' ? 8400 : step === 'python.create_venv' ? 640 : step === 'python.precompile' ? 1200 : 30;
    const failed = failStep?.step === step;
    spans.push({
      traceId, spanId: seededHex(`${seed}:${step}`, 8), parentSpanId: root, name: step, kind: SpanKind.INTERNAL, startMs: t, endMs: t + ms,
      attributes: step === 'python.prepare_uv' ? { workdir: PLUGIN_WORKING_DIR } : step === 'python.install_deps' ? { 'plugin.identity': PLUGIN_UNIQUE_IDENTIFIER } : {},
      ...(failed
        ? { status: { code: 'error' as const, message: failStep.message }, events: [{ name: 'exception', timeMs: t + ms, attributes: { 'exception.type': '*errors.errorString', 'exception.message': failStep.message } }] }
        : {}),
    });
    t += ms + 2;
    end = t;
    if (failed) break;
  }
  spans.unshift({
    traceId, spanId: root, name: 'python.init_env', kind: SpanKind.INTERNAL, startMs: atMs, endMs: end,
    attributes: { 'plugin.identity': `${PLUGIN.author}/${PLUGIN.name}:${PLUGIN.version}@${PLUGIN_UNIQUE_IDENTIFIER.split('@')[1]}` },
    ...(failStep ? { status: { code: 'error' as const, message: failStep.message } } : {}),
  });
  return [{ resource: RESOURCE, scope: { name: 'dify-plugin-daemon/python' }, spans }];
}
