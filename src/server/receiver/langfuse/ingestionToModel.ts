/**
 * Langfuse ingestion events to spans. Each observation (span, generation, event) becomes a span; the
 * trace becomes a span of type `trace` that the root observations hang under. Ids: a Langfuse trace
 * id that is 32 hex is kept (that is how Dify's Trace Link works: with an external or OpenTelemetry
 * trace id, Dify uses the infrastructure trace id as the Langfuse trace id), a UUID loses its dashes
 * (the run or message id, as Dify's Aliyun exporter also writes it), anything else is hashed; the
 * original ids are kept as attributes. Body fields become `langfuse.*` attributes.
 */
import { createHash } from 'node:crypto';
import type { AttributeValue, Resource, Span, SpanStatus } from '../../../model/span';
import { asSpanId, asTraceId, type Microseconds, type SpanId, type TraceId } from '../../../model/units';
import { langfuse, langfuseIngestion } from '../../../dify/difyNames';
import { isoToMicros, objectField, textField, type IngestionEvent } from './ingestionWire';

export interface MappedIngestion {
  readonly spans: Span[];
  /** Envelope ids that could not be mapped (no usable trace id), with the reason. */
  readonly refused: readonly { readonly id: string; readonly message: string }[];
}

const hashHex = (text: string, length: number): string => createHash('sha256').update(text).digest('hex').slice(0, length);

export function langfuseTraceId(id: string): TraceId {
  const plain = id.replaceAll('-', '');
  return asTraceId(/^[0-9a-fA-F]{32}$/.test(plain) ? plain : hashHex(`langfuse-trace:${id}`, 32)) ?? (hashHex(`langfuse-trace:${id}:`, 32) as TraceId);
}

export function langfuseSpanId(id: string): SpanId {
  return asSpanId(/^[0-9a-fA-F]{16}$/.test(id) ? id : hashHex(`langfuse-observation:${id}`, 16)) ?? (hashHex(`langfuse-observation:${id}:`, 16) as SpanId);
}

/** The span standing for the trace itself. */
export const traceSpanId = (traceId: TraceId): SpanId => langfuseSpanId(`trace:${traceId}`);

function attributeValue(value: unknown): AttributeValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  return JSON.stringify(value);
}

function flatten(into: Record<string, AttributeValue>, prefix: string, record: Readonly<Record<string, unknown>> | undefined): void {
  for (const [key, value] of Object.entries(record ?? {})) {
    const v = attributeValue(value);
    if (v !== undefined) into[`${prefix}${key}`] = v;
  }
}

function put(into: Record<string, AttributeValue>, key: string, value: unknown): void {
  const v = attributeValue(value);
  if (v !== undefined) into[key] = v;
}

function statusOf(level: string | undefined, message: string | undefined): SpanStatus {
  if (level === 'ERROR') return { code: 'error', ...(message === undefined ? {} : { message }) };
  return message === undefined ? { code: 'unset' } : { code: 'unset', message };
}

/** Observation bodies: span/generation/event create and update (an update of an unseen id is taken as a create). */
function observationSpan(event: IngestionEvent, resource: Resource, envelopeUs: number): Span | { readonly refused: string } {
  const { body } = event;
  const rawTraceId = textField(body, 'traceId');
  if (rawTraceId === undefined) return { refused: 'The observation has no traceId.' };
  const traceId = langfuseTraceId(rawTraceId);
  const observationId = textField(body, 'id') ?? event.id;
  const startUs = isoToMicros(textField(body, 'startTime')) ?? envelopeUs;
  const endUs = Math.max(startUs, isoToMicros(textField(body, 'endTime')) ?? startUs);
  const parent = textField(body, 'parentObservationId');
  const type = event.type.startsWith('generation') ? 'generation' : event.type.startsWith('event') ? 'event' : 'span';
  const attributes: Record<string, AttributeValue> = { [langfuse.observationTypeKey]: type, [langfuseIngestion.observationIdKey]: observationId, [langfuseIngestion.traceIdKey]: rawTraceId };
  const level = textField(body, 'level');
  const statusMessage = textField(body, 'statusMessage');
  put(attributes, langfuseIngestion.levelKey, level);
  put(attributes, langfuse.statusMessageKey, statusMessage);
  put(attributes, 'langfuse.observation.input', body['input']);
  put(attributes, 'langfuse.observation.output', body['output']);
  put(attributes, 'langfuse.observation.version', body['version']);
  flatten(attributes, langfuse.meta(''), objectField(body, 'metadata'));
  if (type === 'generation') {
    put(attributes, langfuseIngestion.modelKey, body['model']);
    put(attributes, 'langfuse.observation.model.parameters', body['modelParameters']);
    put(attributes, 'langfuse.observation.completion_start_time', body['completionStartTime']);
    const usage = objectField(body, 'usage');
    if (usage !== undefined) {
      const details = { input: usage['input'] ?? usage['promptTokens'], output: usage['output'] ?? usage['completionTokens'], total: usage['total'] ?? usage['totalTokens'] };
      put(attributes, langfuse.usageKey, Object.fromEntries(Object.entries(details).filter(([, v]) => typeof v === 'number')));
      if (typeof usage['totalCost'] === 'number') put(attributes, langfuse.costKey, { total: usage['totalCost'] });
    }
  }
  return {
    traceId,
    spanId: langfuseSpanId(observationId),
    parentSpanId: parent === undefined ? traceSpanId(traceId) : langfuseSpanId(parent),
    name: textField(body, 'name') ?? type,
    kind: 'internal',
    startUs: startUs as Microseconds,
    endUs: endUs as Microseconds,
    status: statusOf(level, statusMessage),
    attributes,
    events: [],
    links: [],
    resource,
    scopeName: langfuseIngestion.scopeName,
  };
}

/**
 * The trace as a span. Langfuse traces carry no time of their own (the 2.51 SDK stamps the export
 * time): the run starts with its first observation sent in the same request (Dify queues the trace
 * and then its nodes in order), else at its inputs' `sys.timestamp`, and lasts the metadata's
 * elapsed_time (seconds).
 */
function traceSpan(event: IngestionEvent, resource: Resource, envelopeUs: number, observations: readonly Span[]): Span {
  const { body } = event;
  // langfuse-python 4.x sends `"id": null` for traces Dify creates without one (generate_conversation_name): one is minted.
  const rawId = textField(body, 'id') ?? `minted:${event.id}`;
  const traceId = langfuseTraceId(rawId);
  const metadata = objectField(body, 'metadata');
  const own = observations.filter((s) => s.traceId === traceId);
  const elapsed = typeof metadata?.['elapsed_time'] === 'number' ? Math.round(metadata['elapsed_time'] * 1_000_000) : undefined;
  const firstStart = own.reduce<number | undefined>((min, s) => (min === undefined || s.startUs < min ? s.startUs : min), undefined);
  const lastEnd = own.reduce<number | undefined>((max, s) => (max === undefined || s.endUs > max ? s.endUs : max), undefined);
  // Without observations in the same request (langfuse-python 4.x posts one event per request), the
  // run's start is its inputs' `sys.timestamp` (epoch seconds, Dify's system variable), else export time − elapsed.
  const input = objectField(body, 'input');
  const sysTimestamp = typeof input?.['sys.timestamp'] === 'number' ? input['sys.timestamp'] * 1_000_000 : undefined;
  const startUs = firstStart ?? sysTimestamp ?? (elapsed === undefined ? envelopeUs : envelopeUs - elapsed);
  const endUs = Math.max(startUs, elapsed === undefined ? (lastEnd ?? startUs) : startUs + elapsed, lastEnd ?? startUs);
  const attributes: Record<string, AttributeValue> = { [langfuse.observationTypeKey]: langfuseIngestion.traceType, [langfuseIngestion.traceIdKey]: rawId };
  put(attributes, langfuseIngestion.traceNameKey, body['name']);
  put(attributes, langfuseIngestion.traceTagsKey, body['tags']);
  put(attributes, langfuse.userIdKey, body['userId']);
  put(attributes, langfuse.sessionIdKey, body['sessionId']);
  put(attributes, 'langfuse.trace.input', body['input']);
  put(attributes, 'langfuse.trace.output', body['output']);
  put(attributes, 'langfuse.trace.version', body['version']);
  flatten(attributes, langfuseIngestion.traceMeta(''), metadata);
  return {
    traceId,
    spanId: traceSpanId(traceId),
    name: textField(body, 'name') ?? 'trace',
    kind: 'server',
    startUs: startUs as Microseconds,
    endUs: endUs as Microseconds,
    status: { code: 'unset' },
    attributes,
    events: [],
    links: [],
    resource,
    scopeName: langfuseIngestion.scopeName,
  };
}

/** The events of one request as spans; `publicKey` (from Basic auth) names who sent them. */
export function ingestionToModel(events: readonly IngestionEvent[], publicKey: string | undefined, receivedUs: number): MappedIngestion {
  const resource: Resource = { serviceName: 'Langfuse export', attributes: publicKey === undefined ? {} : { [langfuseIngestion.publicKeyKey]: publicKey } };
  const refused: { id: string; message: string }[] = [];
  const observations: Span[] = [];
  const envelopeTime = (event: IngestionEvent): number => isoToMicros(event.timestamp) ?? receivedUs;
  for (const event of events) {
    if (event.type === 'trace-create') continue;
    const span = observationSpan(event, resource, envelopeTime(event));
    if ('refused' in span) refused.push({ id: event.id, message: span.refused });
    else observations.push(span);
  }
  const traces: Span[] = [];
  for (const event of events) {
    if (event.type !== 'trace-create') continue;
    traces.push(traceSpan(event, resource, envelopeTime(event), observations));
  }
  return { spans: [...traces, ...observations], refused };
}
