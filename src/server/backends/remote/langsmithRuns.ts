import type { AttributeValue, Resource, Span, SpanEvent } from '../../../model/span';
import { asSpanId, asTraceId, type Microseconds, type SpanId, type TraceId } from '../../../model/units';
import { langsmith } from '../../../dify/difyNames';

/**
 * A run as LangSmith's runs query API answers it (`POST /api/v1/runs/query`, the SDK's
 * `langsmith.schemas.Run`): ids as UUIDs, times as ISO strings in UTC (naive, or with an offset).
 */
export interface LangsmithRun {
  readonly id?: string;
  readonly name?: string;
  readonly run_type?: string;
  readonly start_time?: string | null;
  readonly end_time?: string | null;
  readonly status?: string | null;
  readonly error?: string | null;
  readonly inputs?: unknown;
  readonly outputs?: unknown;
  readonly extra?: { readonly metadata?: Record<string, unknown> | null } | null;
  readonly tags?: readonly string[] | null;
  readonly events?: readonly { readonly name?: string; readonly time?: string; readonly kwargs?: unknown }[] | null;
  readonly trace_id?: string | null;
  readonly parent_run_id?: string | null;
  readonly session_id?: string | null;
  readonly prompt_tokens?: number | null;
  readonly completion_tokens?: number | null;
  readonly total_tokens?: number | null;
}

const hexOf = (uuid: string | null | undefined): string => (uuid ?? '').replaceAll('-', '').toLowerCase();
/** A run id as a span id: the UUID's last 64 bits (random in the UUIDs Dify and the SDK make). */
export const runSpanId = (uuid: string | null | undefined): SpanId | undefined => asSpanId(hexOf(uuid).slice(16));
export const runTraceId = (uuid: string | null | undefined): TraceId | undefined => asTraceId(hexOf(uuid));

/** An ISO time in UTC (naive, as LangSmith writes them, or with an offset) as integer microseconds. */
export function isoMicros(text: string | null | undefined): Microseconds | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)?$/.exec(text ?? '');
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]!}${m[3] ?? 'Z'}`);
  if (Number.isNaN(ms)) return undefined;
  return (ms * 1000 + Number((m[2] ?? '').padEnd(6, '0').slice(0, 6))) as Microseconds;
}

function attributeOf(value: unknown): AttributeValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

const failedStatuses: ReadonlySet<string> = new Set(['failed', 'exception']);

/**
 * The runs of one or more traces as spans. Each run keeps its own fields under `langsmith.*` and
 * Dify's metadata under `langsmith.metadata.*`; a node run is named by its title (Dify sends the
 * node type as the run's name, the title as `app_name`). Dify sends node runs without an error:
 * a node whose metadata says it failed is marked failed here, and when it is the only failed node
 * of its workflow run, its message is that run's error (Dify records the failing node's error as
 * the run's). What LangSmith does not hold is not made up: no span kinds, no links.
 */
export function langsmithRunsToModel(runs: readonly LangsmithRun[], projectOf: (sessionId: string | undefined) => string): Span[] {
  const resources = new Map<string, Resource>();
  const out: Span[] = [];
  const failedNodes = new Map<string, Span[]>();
  const runErrors = new Map<string, string>();
  for (const run of runs) {
    const spanId = runSpanId(run.id);
    const traceId = runTraceId(run.trace_id ?? run.id);
    const startUs = isoMicros(run.start_time);
    if (spanId === undefined || traceId === undefined || startUs === undefined) continue;
    const parentSpanId = run.parent_run_id ? runSpanId(run.parent_run_id) : undefined;
    const metadata = run.extra?.metadata ?? {};
    const tags = run.tags ?? [];
    const attributes: Record<string, AttributeValue> = {
      [langsmith.runIdKey]: run.id!,
      [langsmith.runNameKey]: run.name ?? '',
      [langsmith.runTypeKey]: run.run_type ?? '',
      [langsmith.tagsKey]: JSON.stringify(tags),
    };
    for (const [key, value] of Object.entries(metadata)) {
      const mapped = attributeOf(value);
      if (mapped !== undefined) attributes[langsmith.meta(key)] = mapped;
    }
    const inputs = attributeOf(run.inputs);
    const outputs = attributeOf(run.outputs);
    if (inputs !== undefined) attributes['input.value'] = inputs;
    if (outputs !== undefined) attributes['output.value'] = outputs;
    if (typeof run.prompt_tokens === 'number') attributes['gen_ai.usage.input_tokens'] = run.prompt_tokens;
    if (typeof run.completion_tokens === 'number') attributes['gen_ai.usage.output_tokens'] = run.completion_tokens;
    if (typeof run.total_tokens === 'number') attributes['gen_ai.usage.total_tokens'] = run.total_tokens;
    if (typeof metadata['ls_model_name'] === 'string' && metadata['ls_model_name'] !== '') attributes['gen_ai.request.model'] = metadata['ls_model_name'];
    const isNode = tags.includes(langsmith.nodeTag) || typeof metadata['node_type'] === 'string';
    const title = isNode && typeof metadata['app_name'] === 'string' && metadata['app_name'] !== '' ? metadata['app_name'] : (run.name ?? '');
    const error = typeof run.error === 'string' && run.error !== '' ? run.error : undefined;
    const nodeFailed = isNode && typeof metadata['status'] === 'string' && failedStatuses.has(metadata['status']);
    const project = projectOf(run.session_id ?? undefined);
    let resource = resources.get(project);
    if (resource === undefined) resources.set(project, (resource = { serviceName: project, attributes: { 'service.name': project, [langsmith.projectKey]: project } }));
    const events: SpanEvent[] = [];
    for (const e of run.events ?? []) {
      const timeUs = isoMicros(e.time);
      if (timeUs === undefined) continue;
      const kwargs = typeof e.kwargs === 'object' && e.kwargs !== null ? (e.kwargs as Record<string, unknown>) : {};
      const eventAttributes: Record<string, AttributeValue> = {};
      for (const [k, v] of Object.entries(kwargs)) {
        const mapped = attributeOf(v);
        if (mapped !== undefined) eventAttributes[k] = mapped;
      }
      events.push({ name: e.name ?? 'event', timeUs, attributes: eventAttributes });
    }
    const span: Span = {
      traceId,
      spanId,
      ...(parentSpanId === undefined ? {} : { parentSpanId }),
      name: title,
      kind: 'internal',
      startUs,
      endUs: isoMicros(run.end_time) ?? startUs,
      status: error !== undefined || run.status === 'error' || nodeFailed ? { code: 'error', ...(error === undefined ? {} : { message: error }) } : { code: run.end_time ? 'ok' : 'unset' },
      attributes,
      events,
      links: [],
      resource,
      scopeName: langsmith.scopeName,
    };
    out.push(span);
    if (nodeFailed && error === undefined && parentSpanId !== undefined) failedNodes.set(`${traceId}/${parentSpanId}`, [...(failedNodes.get(`${traceId}/${parentSpanId}`) ?? []), span]);
    if (error !== undefined) runErrors.set(`${traceId}/${spanId}`, error);
  }
  // The workflow run's error, on its only failed node.
  return out.map((span) => {
    if (span.status.code !== 'error' || span.status.message !== undefined || span.parentSpanId === undefined) return span;
    const key = `${span.traceId}/${span.parentSpanId}`;
    const message = runErrors.get(key);
    return message !== undefined && failedNodes.get(key)?.length === 1 ? { ...span, status: { code: 'error', message } } : span;
  });
}
