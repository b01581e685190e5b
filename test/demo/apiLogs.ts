/**
 * The Dify API's log records the demo sends to /v1/logs. Run 2 has the one that matters: the error
 * line api/core/plugin/impl/base.py (`_request_with_plugin_daemon_response_stream`) writes when the
 * plugin daemon streams a PluginInvokeError,
 *   logger.error("Error in stream response for plugin %s", rep.__dict__)
 * which is the only place in the API where the plugin's Python traceback (args.traceback) survives:
 * the node error built afterwards keeps only the error type and message (plugin.ts TOOL_NODE_ERROR).
 *
 * ASSUMPTION (not in any Dify repo): Dify exports no logs over OTLP itself (api/extensions/ext_logging.py
 * writes to stdout and a file). The record is what the OpenTelemetry Python SDK's LoggingHandler
 * (opentelemetry-sdk _logs LoggingHandler._translate) makes of that call when a deployment adds it to
 * the API's root logger after Dify's handlers, with the API's resource: scope = logger name, body =
 * record.getMessage(), severity ERROR/17, trace context from the active span, attributes = the extra
 * fields Dify's filters put on the record (core/logging/filters.py TraceContextFilter and
 * IdentityContextFilter, run first by Dify's stdout handler) plus code.file.path/function.name/line.number.
 */
import type { Attributes } from '@opentelemetry/api';
import { APP, infraSpanId } from './demoRuns';
import { seededHex } from './ids';
import type { OutboundCall } from './outboundCalls';
import { PLUGIN_EXCEPTION, PLUGIN_TRACEBACK } from './plugin';
import { pyRepr } from './pyJson';
import type { RunRecord } from './runRecords';

export interface ApiLogRecord {
  /** Logger name, which the Python handler uses as the instrumentation scope. */
  readonly scope: string;
  /** `record.created` (when the API read the error line) and the handler's `time_ns()` just after, epoch ms. */
  readonly timeMs: number;
  readonly observedMs: number;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: string;
  readonly attributes: Attributes;
  /** The active span: the tool node's ObservabilityLayer span, which `node_run_context` attaches while the node runs. */
  readonly traceId: string;
  readonly spanId: string;
}

/** Where the API process runs base.py in Dify's docker image (WORKDIR /app/api). */
const BASE_PY = '/app/api/core/plugin/impl/base.py';
/** Line of the logger.error call, counted by hand in the stored langgenius/dify base.py (commit 01254dcd). */
const BASE_PY_ERROR_LINE = 333;

/**
 * The `message` of the daemon's stream line `{"code": -500, "message": ..., "data": null}`:
 * - dify_plugin's IOServer sends `{"error_type", "message", "args": {"traceback"}}` as the session error;
 * - the daemon parses it into plugin_entities.ErrorResponse, whose Error() marshals a Go map (keys sorted:
 *   args, error_type, message), and wraps that with exception.InvokePluginError: genericError
 *   `{"message", "error_type": "PluginInvokeError", "args": null}` (package internal/types/exception).
 * JSON.stringify writes what Go's encoding/json writes for this text (no <, >, & or U+2028 to escape).
 */
export function pluginInvokeErrorMessage(): string {
  const inner = JSON.stringify({ args: { traceback: PLUGIN_TRACEBACK }, error_type: PLUGIN_EXCEPTION.type, message: PLUGIN_EXCEPTION.message });
  return JSON.stringify({ message: inner, error_type: 'PluginInvokeError', args: null });
}

/** `rep.__dict__` of PluginDaemonBasicResponse (fields code, message, data), formatted by %s. */
export function pluginErrorLogBody(): string {
  return `Error in stream response for plugin ${pyRepr({ code: -500, message: pluginInvokeErrorMessage(), data: null })}`;
}

/** The API's log records of one run: the plugin error line for a failed plugin tool call, nothing else. */
export function apiLogRecords(record: RunRecord, calls: readonly OutboundCall[]): ApiLogRecord[] {
  const traceId = record.run.infraTraceId;
  return calls
    .filter((call) => call.daemonRoute !== null && call.node.key === 'tool' && call.node.status === 'failed')
    .map((call) => {
      const spanId = infraSpanId(traceId, `node:${call.node.key}`);
      // The daemon's gin span ends at call.endMs - 2 after writing the error line; the API reads it just after.
      const timeMs = call.endMs + 1.284;
      return {
        scope: 'core.plugin.impl.base',
        timeMs,
        observedMs: timeMs + 0.061,
        severityNumber: 17,
        severityText: 'ERROR',
        body: pluginErrorLogBody(),
        attributes: {
          trace_id: traceId,
          span_id: spanId,
          req_id: seededHex(`run${record.run.index}:req_id`, 8).slice(0, 10),
          tenant_id: APP.tenantId,
          user_id: APP.endUserId,
          // EndUser.type of a Service API caller (controllers/service_api/wraps.py create_or_update_end_user_for_user_id)
          user_type: 'service_api',
          'code.file.path': BASE_PY,
          'code.function.name': '_request_with_plugin_daemon_response_stream',
          'code.line.number': BASE_PY_ERROR_LINE,
        },
        traceId,
        spanId,
      };
    });
}
