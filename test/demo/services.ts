/**
 * The four emitting services of the demo and their instrumentation scopes, as each really
 * identifies itself. Values that depend on a deployment (host names, pids, commit) are fixed
 * realistic stand-ins.
 */
import type { Attributes } from '@opentelemetry/api';
import type { Scope } from './emitter';
import { PLUGIN } from './plugin';

export const DIFY_VERSION = '1.13.3';
export const COMMIT_SHA = '0055b983dc32deacc31351c13a555055ffc9b844';
/** `{DEPLOY_ENV}-{EDITION}` with Dify's defaults. */
const DEPLOYMENT = 'PRODUCTION-SELF_HOSTED';

/** The app name configured in the app's Aliyun tracing config; becomes service.name of the app half. */
export const ALIYUN_APP_NAME = 'Travel Assistant';

/** ASSUMPTION (see RESOURCES.pluginRuntime): `{daemon}_plugin_{plugin_name}_{plugin_version}`. */
export const PLUGIN_RUNTIME_SERVICE = `dify-plugin-daemon_plugin_${PLUGIN.name}_${PLUGIN.version}`;

export type ServiceKey = 'aliyunApp' | 'difyApi' | 'pluginDaemon' | 'pluginRuntime';

export const RESOURCES: Readonly<Record<ServiceKey, Attributes>> = {
  // langgenius/dify:api/providers/trace/trace-aliyun/src/dify_trace_aliyun/data_exporter/traceclient.py TraceClient.__init__
  // (Resource(...) constructor: no telemetry.sdk.* attributes; host.name is the Celery worker's)
  aliyunApp: {
    'service.name': ALIYUN_APP_NAME,
    'service.version': `dify-${DIFY_VERSION}-${COMMIT_SHA}`,
    'deployment.environment': DEPLOYMENT,
    'host.name': 'docker-worker-1',
    'acs.arms.service.feature': 'genai_app',
  },
  // langgenius/dify:api/extensions/ext_otel.py init_app (most stored versions write deployment.environment; one
  // variant writes deployment.environment.name via DEPLOYMENT_ENVIRONMENT_NAME)
  difyApi: {
    'service.name': 'langgenius/dify',
    'service.version': `dify-${DIFY_VERSION}-${COMMIT_SHA}`,
    'process.pid': 41,
    'deployment.environment': DEPLOYMENT,
    'host.name': 'docker-api-1',
    'host.arch': 'x86_64',
    'custom.deployment.git_commit': COMMIT_SHA,
    'host.id': 'docker-api-1',
    'os.type': 'linux',
    'os.description': 'Linux-6.8.0-60-generic-x86_64-with-glibc2.41',
    'os.version': '#63-Ubuntu SMP PREEMPT_DYNAMIC Tue Apr 15 19:04:15 UTC 2026',
  },
  // langgenius/dify-plugin-daemon:internal/server/otel.go InitTelemetry (resource.New with only these two attributes)
  pluginDaemon: {
    'service.name': 'dify-plugin-daemon',
    'service.version': 'unknown',
  },
  // ASSUMPTION (not in any Dify repo): the plugin process as an Alibaba Cloud Python probe would report it,
  // service named `{daemon}_plugin_{plugin_name}_{plugin_version}`. The dify_plugin SDK itself has no OpenTelemetry.
  pluginRuntime: {
    'service.name': PLUGIN_RUNTIME_SERVICE,
    'service.version': PLUGIN.version,
    'process.pid': 187,
    'host.name': 'docker-plugin_daemon-1',
    'telemetry.sdk.language': 'python',
  },
};

export const SCOPES = {
  // Module name given to InstrumentationScope(__name__, "", None, None) in traceclient.py SpanBuilder
  aliyun: { name: 'dify_trace_aliyun.data_exporter.traceclient' },
  // get_tracer(__name__) in langgenius/dify:api/extensions/otel/decorators/base.py trace_span
  decorators: { name: 'extensions.otel.decorators.base' },
  // get_tracer(__name__) in langgenius/dify:api/core/app/workflow/layers/observability.py ObservabilityLayer._init_tracer
  nodeLayer: { name: 'core.app.workflow.layers.observability' },
  // open-telemetry/opentelemetry-go-contrib instrumentation/github.com/gin-gonic/gin/otelgin/v0.64.0 gin.go ScopeName + Version()
  otelgin: { name: 'go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin', version: '0.64.0' },
  // ASSUMPTION: scope of the probe span inside the plugin process (see RESOURCES.pluginRuntime)
  pluginProbe: { name: 'dify_plugin.core.plugin_executor' },
} as const satisfies Record<string, Scope>;
