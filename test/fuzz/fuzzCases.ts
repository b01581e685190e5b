// Malformed (and some valid) OTLP requests for the receiver fuzzer, from a seeded generator so a
// failure can be replayed: truncated and bit-flipped protobuf, random bytes, nesting tens of
// thousands deep, gzip bombs, bodies over the limit, JSON of the wrong types, wrong paths and
// content types, spans with a hundred thousand attributes. Valid requests carry the span ids the
// receiver must keep once it answers 200.
import { gzipSync } from 'node:zlib';
import { create, toBinary, toJsonString } from '@bufbuild/protobuf';
import { ExportTraceServiceRequestSchema } from '../../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';

export interface FuzzCase {
  readonly kind: string;
  readonly transport: 'http' | 'grpc';
  /** HTTP only. */
  readonly path: string;
  readonly method: 'POST' | 'GET' | 'PUT';
  readonly contentType: string;
  /** Compressed with gzip before sending (HTTP) or by the gRPC client. */
  readonly gzip: boolean;
  /** HTTP: a Content-Encoding that says otherwise than the body. */
  readonly contentEncoding?: string;
  readonly body: Buffer;
  /** Spans a 200 (gRPC OK) must have stored: [trace id, span id] in hex. */
  readonly spans: readonly (readonly [string, string])[];
}

/** mulberry32: small, fast, good enough to pick cases reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const int = (r: Random, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const bytes = (r: Random, n: number): Buffer => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 0, 255);
  return b;
};
const hex = (r: Random, n: number): string => {
  let b = bytes(r, n);
  while (b.every((x) => x === 0)) b = bytes(r, n);
  return b.toString('hex');
};

const texts = ['POST /v1/workflows/run', 'llm', '<script>alert(1)</script>', '工作流', 'Traceback (most recent call last):\n  File "tools/x.py", line 3', '', 'x'.repeat(300)];

function validRequest(r: Random): { message: ReturnType<typeof create<typeof ExportTraceServiceRequestSchema>>; spans: [string, string][] } {
  const spans: [string, string][] = [];
  const traceCount = int(r, 1, 3);
  const resourceSpans = Array.from({ length: traceCount }, () => {
    const traceId = hex(r, 16);
    const count = int(r, 1, 12);
    return {
      resource: { attributes: [{ key: 'service.name', value: { value: { case: 'stringValue' as const, value: texts[int(r, 0, texts.length - 1)]! } } }] },
      scopeSpans: [{
        scope: { name: 'fuzz' },
        spans: Array.from({ length: count }, () => {
          const spanId = hex(r, 8);
          spans.push([traceId, spanId]);
          const start = 1_732_540_800_000_000_000n + BigInt(int(r, 0, 1e9));
          return {
            traceId: Buffer.from(traceId, 'hex'),
            spanId: Buffer.from(spanId, 'hex'),
            name: texts[int(r, 0, texts.length - 1)]!,
            kind: int(r, 0, 5),
            startTimeUnixNano: start,
            endTimeUnixNano: start + BigInt(int(r, 0, 1e9)),
            status: { code: int(r, 0, 2), message: texts[int(r, 0, texts.length - 1)]! },
            attributes: Array.from({ length: int(r, 0, 8) }, (_, i) => ({ key: `k${i}`, value: { value: { case: 'stringValue' as const, value: texts[int(r, 0, texts.length - 1)]! } } })),
          };
        }),
      }],
    };
  });
  return { message: create(ExportTraceServiceRequestSchema, { resourceSpans }), spans };
}

/** An ExportTraceServiceRequest whose one attribute value nests kvlists `depth` deep (protobuf wire format). */
export function deeplyNested(depth: number): Buffer {
  const varint = (n: number): number[] => {
    const out: number[] = [];
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return out;
  };
  const field = (tag: number, body: number[] | Buffer): Buffer => Buffer.concat([Buffer.from([tag, ...varint(body.length)]), Buffer.from(body)]);
  // Level i: AnyValue{kvlist_value(6): KeyValueList{values(1): KeyValue{key(1):"k", value(2): level i-1}}}.
  // Every level is a prefix of the one inside it, so the lengths are computed inside out and the
  // prefixes written outside in: linear, where concatenating level by level would be quadratic.
  const innermost = Buffer.from([0x0a, 0x01, 0x78]); // AnyValue{string_value:"x"}
  const prefixes: Buffer[] = [];
  let inner = innermost.length;
  for (let i = 0; i < depth; i++) {
    const keyValue = 3 + 1 + varint(inner).length + inner;
    const list = 1 + varint(keyValue).length + keyValue;
    prefixes.push(Buffer.from([0x32, ...varint(list), 0x0a, ...varint(keyValue), 0x0a, 0x01, 0x6b, 0x12, ...varint(inner)]));
    inner = 1 + varint(list).length + list;
  }
  const value = Buffer.concat([...prefixes.reverse(), innermost]);
  const attribute = field(0x4a, Buffer.concat([field(0x0a, Buffer.from('a')), field(0x12, value)]));
  const span = Buffer.concat([field(0x0a, Buffer.alloc(16, 1)), field(0x12, Buffer.alloc(8, 2)), field(0x2a, Buffer.from('deep')), attribute]);
  return field(0x0a, field(0x12, field(0x12, span)));
}

const wrongJson = [
  '{"resourceSpans":"x"}',
  '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":12,"spanId":true}]}]}]}',
  '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"00","startTimeUnixNano":"-5"}]}]}]}',
  '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":{"a":1},"attributes":[{"key":1,"value":{"intValue":"1e400"}}]}]}]}]}',
  '[]',
  'null',
  '{"resourceSpans":[' + '['.repeat(5000) + ']'.repeat(5000) + ']}',
  '{"__proto__":{"polluted":true},"resourceSpans":[]}',
];

/** The `index`-th case of the run seeded with `seed`; `maxBody` is the receiver's limit in bytes. */
export function fuzzCase(seed: number, index: number, maxBody: number): FuzzCase {
  const r = seededRandom(seed * 1_000_003 + index);
  const transport = r() < 0.5 ? 'http' : 'grpc';
  const base = { transport, path: '/v1/traces', method: 'POST', contentType: 'application/x-protobuf', gzip: false, spans: [] } as const;
  const roll = r();
  const valid = (): Buffer => Buffer.from(toBinary(ExportTraceServiceRequestSchema, validRequest(r).message));
  if (roll < 0.2) {
    const { message, spans } = validRequest(r);
    const json = transport === 'http' && r() < 0.3;
    const body = json ? Buffer.from(toJsonString(ExportTraceServiceRequestSchema, message)) : Buffer.from(toBinary(ExportTraceServiceRequestSchema, message));
    return { ...base, kind: json ? 'valid json' : 'valid protobuf', contentType: json ? 'application/json' : base.contentType, gzip: r() < 0.5, body, spans };
  }
  if (roll < 0.3) {
    const body = valid();
    return { ...base, kind: 'truncated', body: body.subarray(0, int(r, 0, Math.max(0, body.length - 1))) };
  }
  if (roll < 0.45) {
    const body = valid();
    for (let i = int(r, 1, 10); i > 0; i--) body[int(r, 0, body.length - 1)] = int(r, 0, 255);
    return { ...base, kind: 'bit-flipped', body };
  }
  if (roll < 0.55) return { ...base, kind: 'random bytes', body: bytes(r, int(r, 0, 4096)) };
  // Shallow enough to decode (protobuf-es stops at 100 levels), or far past it.
  if (roll < 0.6) return { ...base, kind: 'deep nesting', body: deeplyNested(r() < 0.3 ? int(r, 5, 95) : int(r, 100, 60_000)) };
  if (roll < 0.65) {
    // A gzip bomb: a few KiB that inflate past the limit.
    return { ...base, kind: 'gzip bomb', gzip: true, body: Buffer.alloc(maxBody * int(r, 2, 5), int(r, 0, 1) === 0 ? 0 : 0x0a) };
  }
  if (roll < 0.7) return { ...base, transport: 'http', kind: 'not gzip', contentEncoding: r() < 0.5 ? 'gzip' : 'br', body: valid() };
  if (roll < 0.72) return { ...base, kind: 'over the limit', body: Buffer.alloc(maxBody + int(r, 1, 1024), 7) };
  if (roll < 0.77) {
    const choice = int(r, 0, 3);
    if (choice === 0) return { ...base, transport: 'http', kind: 'wrong content type', contentType: 'text/html; charset=' + 'x'.repeat(int(r, 0, 2000)), body: valid() };
    if (choice === 1) return { ...base, transport: 'http', kind: 'wrong path', path: `/adapt_${hex(r, 8)}/api/otlp/tracez`, body: valid() };
    if (choice === 2) return { ...base, transport: 'http', kind: 'wrong method', method: 'PUT', body: valid() };
    return { ...base, transport: 'http', kind: 'get', method: 'GET', body: Buffer.alloc(0) };
  }
  if (roll < 0.85) return { ...base, transport: 'http', kind: 'json of wrong types', contentType: 'application/json', body: Buffer.from(wrongJson[int(r, 0, wrongJson.length - 1)]!) };
  if (roll < 0.88) {
    const count = int(r, 2_000, 50_000);
    const message = create(ExportTraceServiceRequestSchema, {
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.from(hex(r, 16), 'hex'), spanId: Buffer.from(hex(r, 8), 'hex'), name: 'many attributes', attributes: Array.from({ length: count }, (_, i) => ({ key: `a${i}`, value: { value: { case: 'intValue' as const, value: BigInt(i) } } })) }] }] }],
    });
    return { ...base, kind: 'many attributes', body: Buffer.from(toBinary(ExportTraceServiceRequestSchema, message)) };
  }
  if (roll < 0.9) return { ...base, kind: 'empty', body: Buffer.alloc(0) };
  // Mutated but well-formed: valid spans with ids of the wrong length mixed in.
  const { message, spans } = validRequest(r);
  const first = message.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
  first.spanId = bytes(r, int(r, 0, 7));
  return { ...base, kind: 'bad span id', body: Buffer.from(toBinary(ExportTraceServiceRequestSchema, message)), spans: spans.slice(1) };
}

const compressed = new Map<string, Buffer>();

/** The body as it goes on the wire (HTTP gzips here; gRPC compresses in the client). Bombs are compressed once per size. */
export function wireBody(c: FuzzCase): Buffer {
  if (!c.gzip || c.transport !== 'http') return c.body;
  if (c.kind !== 'gzip bomb') return gzipSync(c.body);
  const key = `${c.body.length}:${c.body[0]}`;
  let body = compressed.get(key);
  if (!body) compressed.set(key, (body = gzipSync(c.body)));
  return body;
}
