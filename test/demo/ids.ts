/**
 * Id arithmetic for the demo traces: the exact ids Dify's Aliyun exporter derives from Dify UUIDs,
 * deterministic stand-ins for everything Dify generates at random, and an IdGenerator that hands
 * the OpenTelemetry SDK the id we chose for the next span.
 */
import { createHash } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** `uuid.UUID(s).hex`: 32 lowercase hex digits, dashes removed. */
export function uuidHex(uuid: string): string {
  const hex = uuid.replaceAll('-', '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not a UUID: ${uuid}`);
  return hex;
}

/**
 * App-level trace id: `uuid.UUID(workflow_run_id).int`, i.e. the run UUID without dashes.
 * langgenius/dify:api/providers/trace/trace-aliyun/src/dify_trace_aliyun/data_exporter/traceclient.py convert_to_trace_id
 */
export const aliyunTraceId = (uuid: string): string => uuidHex(uuid);

/**
 * App-level span id: first 8 bytes (big-endian) of SHA-256(f"{uuid.hex}-{span_type}"); span_type is
 * `workflow` (workflow_run_id), `message`, `llm` (message_id) or `node` (node_execution.id).
 * langgenius/dify:api/providers/trace/trace-aliyun/src/dify_trace_aliyun/data_exporter/traceclient.py convert_to_span_id / convert_string_to_id
 */
export function aliyunSpanId(uuid: string, spanType: 'workflow' | 'message' | 'llm' | 'node'): string {
  return sha256(`${uuidHex(uuid)}-${spanType}`).subarray(0, 8).toString('hex');
}

/** Deterministic stand-in for a random id: `bytes` bytes of SHA-256(seed) as hex. */
export function seededHex(seed: string, bytes: 8 | 16 | 32): string {
  return sha256(seed).subarray(0, bytes).toString('hex');
}

/** Deterministic stand-in for `uuid.uuid4()`: SHA-256(seed) with the version-4 and RFC 4122 variant bits set. */
export function seededUuid(seed: string): string {
  const b = sha256(`uuid:${seed}`).subarray(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface PrimedIds {
  readonly traceId: string;
  readonly spanId: string;
}

/**
 * An IdGenerator that returns the ids primed for the next span. The SDK's Tracer asks for a span id
 * for every span and then for a trace id only for root spans (no valid parent in the context), so
 * one priming covers either case. Call `release()` once the span is started: it checks the primed
 * span id was used and clears it, so a span started without priming throws instead of reusing ids.
 */
export class ScriptedIdGenerator implements IdGenerator {
  #next: PrimedIds | undefined;
  #spanIdUsed = false;

  prime(ids: PrimedIds): void {
    if (!/^[0-9a-f]{32}$/.test(ids.traceId) || !/^[0-9a-f]{16}$/.test(ids.spanId)) {
      throw new Error(`bad ids ${ids.traceId}/${ids.spanId}`);
    }
    this.#next = ids;
    this.#spanIdUsed = false;
  }

  generateTraceId(): string {
    return this.#primed().traceId;
  }

  generateSpanId(): string {
    this.#spanIdUsed = true;
    return this.#primed().spanId;
  }

  release(): void {
    if (!this.#spanIdUsed) throw new Error('ScriptedIdGenerator: primed ids were not used');
    this.#next = undefined;
  }

  #primed(): PrimedIds {
    if (this.#next === undefined) throw new Error('ScriptedIdGenerator: no ids primed for this span');
    return this.#next;
  }
}
