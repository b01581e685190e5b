/**
 * HTTP span attributes as opentelemetry-python-contrib v0.61b0 (the version langgenius/dify:api/pyproject.toml
 * pins) sets them. Which keys appear depends on OTEL_SEMCONV_STABILITY_OPT_IN, which Dify does not set:
 * unset ('default') gives the old keys (http.method, http.url, ...), 'http' the stable ones
 * (http.request.method, url.full, ...), 'http/dup' both
 * (opentelemetry-instrumentation/src/opentelemetry/instrumentation/_semconv.py _set_http_* helpers).
 */
import type { Attributes } from '@opentelemetry/api';
import type { Scope } from './emitter';

export type HttpSemconv = 'default' | 'http' | 'http/dup';

const old = (mode: HttpSemconv): boolean => mode !== 'http';
const stable = (mode: HttpSemconv): boolean => mode !== 'default';
const pick = (mode: HttpSemconv, oldAttrs: Attributes, stableAttrs: Attributes): Attributes => ({
  ...(old(mode) ? oldAttrs : {}),
  ...(stable(mode) ? stableAttrs : {}),
});

/** _get_schema_url: 1.11.0 in default mode, 1.21.0 otherwise. */
export function httpScope(name: 'flask' | 'httpx', mode: HttpSemconv): Scope {
  return {
    name: `opentelemetry.instrumentation.${name}`,
    version: '0.61b0',
    schemaUrl: mode === 'default' ? 'https://opentelemetry.io/schemas/1.11.0' : 'https://opentelemetry.io/schemas/1.21.0',
  };
}

export interface FlaskRequest {
  readonly method: string;
  readonly route: string;
  readonly host: string;
  readonly clientIp: string;
  readonly clientPort: number;
  readonly userAgent: string;
  readonly status: number;
}

/**
 * Flask server span: name `{METHOD} {url_rule}` (instrumentation/flask get_default_span_name), attributes from
 * wsgi collect_request_attributes + http.route, behind Dify's nginx (gunicorn on 0.0.0.0:5001).
 */
export function flaskServerAttributes(r: FlaskRequest, mode: HttpSemconv): Attributes {
  return {
    ...pick(
      mode,
      {
        'http.method': r.method,
        'http.server_name': '0.0.0.0',
        'http.scheme': 'http',
        'net.host.name': r.host,
        'http.host': r.host,
        'net.host.port': 5001,
        'http.target': r.route,
        'net.peer.ip': r.clientIp,
        'net.peer.port': r.clientPort,
        'http.user_agent': r.userAgent,
        'http.flavor': '1.1',
        'http.status_code': r.status,
      },
      {
        'http.request.method': r.method,
        'url.scheme': 'http',
        'server.address': r.host,
        'server.port': 5001,
        'url.path': r.route,
        'client.address': r.clientIp,
        'client.port': r.clientPort,
        'user_agent.original': r.userAgent,
        'network.protocol.version': '1.1',
        'http.response.status_code': r.status,
      },
    ),
    'http.route': r.route,
  };
}

/**
 * HTTPX client span: name is the method alone (instrumentation/httpx _get_default_span_name), attributes from
 * _apply_request_client_attributes_to_span / _apply_response_client_attributes_to_span.
 */
export function httpxClientAttributes(method: string, url: string, status: number, mode: HttpSemconv): Attributes {
  const u = new URL(url);
  return pick(
    mode,
    { 'http.method': method, 'http.url': url, 'http.status_code': status },
    {
      'http.request.method': method,
      'url.full': url,
      'server.address': u.hostname,
      'network.peer.address': u.hostname,
      'server.port': Number(u.port),
      'network.peer.port': Number(u.port),
      'http.response.status_code': status,
      'network.protocol.version': '1.1',
    },
  );
}
