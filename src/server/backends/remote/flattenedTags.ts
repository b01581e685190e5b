import type { AttributeValue, Resource, StatusCode } from '../../../model/span';

/**
 * Tags that were resource attributes before an OpenTelemetry exporter flattened them into the span
 * (the Collector's Zipkin exporter adds a resource's attributes, service.name aside, to every
 * span's tags; stores that take Zipkin or Jaeger spans keep them so): OpenTelemetry's resource
 * namespaces, and the ones Dify's exporters set on theirs (Aliyun's `acs.arms.service.feature`,
 * Phoenix's `openinference.project.name`). Put back on the resource, where the run classifier reads them.
 */
const resourceKeyPrefixes = ['service.', 'host.', 'process.', 'telemetry.', 'os.', 'deployment.', 'container.', 'k8s.', 'cloud.', 'device.', 'faas.', 'acs.'];
const resourceKeys = new Set(['openinference.project.name', 'model_id']);
/** Tags an exporter adds for OpenTelemetry fields a flat span has no place for. */
const scopeKeys = ['otel.scope.name', 'otel.library.name'];
const statusKeys = { code: 'otel.status_code', description: 'otel.status_description', error: 'error' } as const;

export interface UnflattenedTags {
  readonly attributes: Record<string, AttributeValue>;
  readonly resourceAttributes: Record<string, AttributeValue>;
  readonly scopeName: string;
  readonly status: { readonly code: StatusCode; readonly message?: string };
}

/**
 * A span's string tags, as a store that flattens OpenTelemetry spans keeps them (Zipkin, Alibaba
 * Cloud's trace store), sorted back into what they were: the span's attributes, its resource's,
 * its scope, and its status (`otel.status_code`, the description in `error`).
 */
export function unflattenTags(tags: Readonly<Record<string, string>>): UnflattenedTags {
  const attributes: Record<string, AttributeValue> = {};
  const resourceAttributes: Record<string, AttributeValue> = {};
  let scopeName = '';
  for (const [key, value] of Object.entries(tags)) {
    if (scopeKeys.includes(key)) scopeName ||= value;
    else if (resourceKeys.has(key) || resourceKeyPrefixes.some((p) => key.startsWith(p))) resourceAttributes[key] = value;
    // `error` is the status's description (the exporter writes it over an attribute of that name).
    else if (key !== statusKeys.code && key !== statusKeys.description && key !== statusKeys.error) attributes[key] = value;
  }
  return { attributes, resourceAttributes, scopeName, status: statusOf(tags) };
}

function statusOf(tags: Readonly<Record<string, string>>): UnflattenedTags['status'] {
  const code = tags[statusKeys.code]?.toUpperCase();
  const message = tags[statusKeys.description] ?? tags[statusKeys.error];
  if (code === 'ERROR' || (code === undefined && statusKeys.error in tags)) return { code: 'error', ...(message ? { message } : {}) };
  return { code: code === 'OK' ? 'ok' : 'unset' };
}

/** The resource of a service with these resource attributes, shared by every span that has the same (as the receiver shares them). */
export function sharedResource(resources: Map<string, Resource>, serviceName: string, resourceAttributes: Record<string, AttributeValue>): Resource {
  const key = JSON.stringify([serviceName, resourceAttributes]);
  let resource = resources.get(key);
  if (resource === undefined) resources.set(key, (resource = { serviceName, attributes: { 'service.name': serviceName, ...resourceAttributes } }));
  return resource;
}
