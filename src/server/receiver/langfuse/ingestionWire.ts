/**
 * Langfuse's ingestion API as Dify's Langfuse exporter calls it (`POST {host}/api/public/ingestion`,
 * JSON `{batch: [{id, type, timestamp, body}], metadata?}`; langfuse-python 2.51.x for Dify up to
 * 1.13.x, 4.x for 1.14; langfuse/langfuse-python api/resources/ingestion). Validated once here; the
 * mapper trusts these types. Unknown event types and keys are kept out, `null` means absent (the
 * 4.x SDK sends explicit nulls), and one bad event does not refuse the others.
 */
import { ReceiverError } from '../receiverError';

export type IngestionEventType = 'trace-create' | 'span-create' | 'span-update' | 'generation-create' | 'generation-update' | 'event-create';

const mapped: ReadonlySet<string> = new Set<IngestionEventType>(['trace-create', 'span-create', 'span-update', 'generation-create', 'generation-update', 'event-create']);

export interface IngestionEvent {
  /** The envelope id: what the response's successes and errors name. */
  readonly id: string;
  readonly type: IngestionEventType;
  /** When the SDK queued it (ISO 8601). */
  readonly timestamp: string | undefined;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface IngestionBatch {
  readonly events: readonly IngestionEvent[];
  /** Envelopes refused, with the reason (the response's `errors`). */
  readonly refused: readonly { readonly id: string; readonly message: string }[];
  /** Envelopes of types that carry no trace data here (`score-create`, `sdk-log`): acknowledged, not stored. */
  readonly ignored: readonly string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseIngestionBatch(body: Buffer): IngestionBatch {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new ReceiverError('badRequest', `The Langfuse ingestion body is not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!isRecord(parsed) || !Array.isArray(parsed['batch'])) throw new ReceiverError('badRequest', 'The Langfuse ingestion body has no "batch" array.');
  const events: IngestionEvent[] = [];
  const refused: { id: string; message: string }[] = [];
  const ignored: string[] = [];
  for (const [i, raw] of (parsed['batch'] as unknown[]).entries()) {
    const id = isRecord(raw) && typeof raw['id'] === 'string' && raw['id'] !== '' ? raw['id'] : `#${i}`;
    if (!isRecord(raw) || typeof raw['type'] !== 'string' || !isRecord(raw['body'])) {
      refused.push({ id, message: 'An event needs a "type" and a "body" object.' });
      continue;
    }
    if (!mapped.has(raw['type'])) {
      ignored.push(id);
      continue;
    }
    events.push({ id, type: raw['type'] as IngestionEventType, timestamp: typeof raw['timestamp'] === 'string' ? raw['timestamp'] : undefined, body: raw['body'] });
  }
  return { events, refused, ignored };
}

/** A string field, with `null` and `""` as absent. */
export function textField(body: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function objectField(body: Readonly<Record<string, unknown>>, key: string): Readonly<Record<string, unknown>> | undefined {
  const value = body[key];
  return isRecord(value) ? value : undefined;
}

/**
 * ISO 8601 with or without a zone, 0–9 fractional digits, to epoch microseconds. The 2.51 SDK
 * stamps Dify's naive UTC times with the worker's zone (`Z` in Dify's image, `+08:00` elsewhere).
 */
export function isoToMicros(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (m === null) return undefined;
  const zone = (m[3] ?? 'Z').replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${m[1]}${zone}`);
  if (!Number.isFinite(ms)) return undefined;
  const fraction = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return ms * 1000 + Number(fraction);
}
