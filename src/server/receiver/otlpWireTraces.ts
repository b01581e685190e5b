import { isUtf8 } from 'node:buffer';
import { type DescField, type DescMessage, fromBinary, ScalarType } from '@bufbuild/protobuf';
import { AnyValueSchema, ArrayValueSchema, InstrumentationScopeSchema, KeyValueListSchema, KeyValueSchema } from './gen/opentelemetry/proto/common/v1/common_pb';
import { ExportTraceServiceRequestSchema } from './gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import { ResourceSchema } from './gen/opentelemetry/proto/resource/v1/resource_pb';
import { ResourceSpansSchema, ScopeSpansSchema, Span_EventSchema, Span_LinkSchema, SpanSchema, StatusSchema } from './gen/opentelemetry/proto/trace/v1/trace_pb';
import type { AttributeValue, Resource, Span, SpanEvent, SpanKind, SpanLink, StatusCode } from '../../model/span';
import { asSpanId, asTraceId, type Microseconds, type SpanId, type TraceId } from '../../model/units';
import { decodeTraceRequest } from './otlpBody';
import { exportRequestToModel, limitedKey, type LimitCounts, type MappedSpans, resourceFromAttributes, spanLimits } from './otlpToModel';

/*
 * OTLP/protobuf `ExportTraceServiceRequest` straight to the store's model, for the receiver's hot
 * path. protobuf-es (`fromBinary` with the code generated from opentelemetry-proto) remains the
 * reference: it builds the whole message graph (bigint times, Uint8Array ids, one object per
 * KeyValue and AnyValue) that `exportRequestToModel` then walks again, and that graph is most of
 * what ingest spends (half of the CPU and most of the garbage in a profile of 512-span batches).
 * This reads the same wire format once, field by field, into the model, and gives exactly what
 * `exportRequestToModel(fromBinary(...))` gives (tested on every recorded request and on generated
 * and mutated ones), and refuses what it refuses: the fields it does not map are checked against
 * the generated descriptors (wire type, UTF-8 of strings, sub-messages read by protobuf-es at the
 * same recursion depth). Anything it cannot read is handed to the reference decoder, so malformed
 * input is refused with the same message as before.
 *
 * Field numbers: opentelemetry-proto v1.x, `collector/trace/v1/trace_service.proto`,
 * `trace/v1/trace.proto`, `common/v1/common.proto`, `resource/v1/resource.proto`.
 */

/** Protobuf's wire types (groups, 3 and 4, are in no OTLP message). */
const Wire = { Varint: 0, Fixed64: 1, Delimited: 2, Fixed32: 5 } as const;

/** Thrown for input the fast path does not take; the caller falls back to the reference decoder. */
export class NotFastPath extends Error {}

/** A cursor over one protobuf message (a range of the body). */
class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** A varint up to 2^53 as a number (tags, lengths, enums; larger never occurs in valid OTLP where read so). */
  varint(): number {
    const buf = this.buf;
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new NotFastPath();
      const byte = buf[this.pos++]!;
      result += (byte & 0x7f) * multiplier;
      if (byte < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) throw new NotFastPath();
        return result;
      }
      multiplier *= 128;
    }
    throw new NotFastPath();
  }

  /** A field's tag, as protobuf-es takes one: a uint32 of a field number from 1 and a wire type up to 5. */
  tag(): number {
    const tag = this.varint();
    if (tag > 0xffffffff || tag >>> 3 === 0 || (tag & 7) > 5) throw new NotFastPath();
    return tag;
  }

  /** The range of a length-delimited field's payload; the cursor moves past it. */
  delimited(): number {
    const length = this.varint();
    const start = this.pos;
    if (length > this.end - start) throw new NotFastPath();
    this.pos = start + length;
    return start;
  }

  /**
   * A string field. protobuf-es refuses invalid UTF-8 in one (proto3 strings are UTF-8), so a
   * replacement character in the text is checked against the bytes; the refusal is the reference's.
   */
  string(): string {
    const start = this.delimited();
    const text = this.buf.toString('utf8', start, this.pos);
    if (text.includes('\uFFFD') && !isUtf8(this.buf.subarray(start, this.pos))) throw new NotFastPath();
    return text;
  }

  hex(): string {
    const start = this.delimited();
    return this.buf.toString('hex', start, this.pos);
  }

  uint32le(): number {
    if (this.end - this.pos < 4) throw new NotFastPath();
    const value = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return value;
  }

  /** A fixed64 of nanoseconds as integer microseconds, exactly, without bigint: 2^32 = 4,294,967 × 1000 + 296. */
  nanosAsMicros(): Microseconds {
    const lo = this.uint32le();
    const hi = this.uint32le();
    // Exact while hi × 4,294,967 stays under 2^53 (until the year 2262); later times go the reference way.
    if (hi > 2_000_000_000) throw new NotFastPath();
    return (hi * 4_294_967 + Math.floor((hi * 296 + lo) / 1000)) as Microseconds;
  }

  double(): number {
    if (this.end - this.pos < 8) throw new NotFastPath();
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  /** An int64 varint as protobuf-es reads it, mapped as the model keeps it: a number when exact, else its decimal digits. */
  int64(): AttributeValue {
    const start = this.pos;
    const value = this.varint2();
    if (value !== undefined) return value;
    this.pos = start;
    let big = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new NotFastPath();
      const byte = this.buf[this.pos++]!;
      big |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) {
        const signed = BigInt.asIntN(64, big);
        return signed <= BigInt(Number.MAX_SAFE_INTEGER) && signed >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(signed) : signed.toString();
      }
      shift += 7n;
    }
    throw new NotFastPath();
  }

  /** A small non-negative varint (under 2^53), or undefined with the cursor anywhere. */
  private varint2(): number | undefined {
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) throw new NotFastPath();
      const byte = this.buf[this.pos++]!;
      result += (byte & 0x7f) * multiplier;
      if (byte < 0x80) return result <= Number.MAX_SAFE_INTEGER ? result : undefined;
      multiplier *= 128;
    }
    return undefined;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case Wire.Varint:
        for (let i = 0; i < 10; i++) {
          if (this.pos >= this.end) throw new NotFastPath();
          if (this.buf[this.pos++]! < 0x80) return;
        }
        throw new NotFastPath();
      case Wire.Fixed64:
        if (this.end - this.pos < 8) throw new NotFastPath();
        this.pos += 8;
        return;
      case Wire.Delimited:
        this.delimited();
        return;
      case Wire.Fixed32:
        if (this.end - this.pos < 4) throw new NotFastPath();
        this.pos += 4;
        return;
      default:
        // Groups are legal protobuf but no OTLP field is one; the reference decoder judges them.
        throw new NotFastPath();
    }
  }
}

/** protobuf-es's recursion limit (its default), and the depth of each message the fast path reads (the request is 1). */
const recursionLimit = 100;
const depthOf = { resourceSpans: 2, resource: 3, scopeSpans: 3, scope: 4, span: 4, event: 5, link: 5, status: 5 } as const;

const fieldTables = new Map<DescMessage, Map<number, DescField>>();
function fieldsOf(desc: DescMessage): Map<number, DescField> {
  let table = fieldTables.get(desc);
  if (table === undefined) fieldTables.set(desc, (table = new Map(desc.fields.map((f) => [f.number, f]))));
  return table;
}

function wireTypeOf(field: DescField): number {
  if (field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message') || field.fieldKind === 'map') return Wire.Delimited;
  if (field.fieldKind === 'enum' || (field.fieldKind === 'list' && field.listKind === 'enum')) return Wire.Varint;
  switch (field.scalar) {
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return Wire.Delimited;
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
    case ScalarType.DOUBLE:
      return Wire.Fixed64;
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
    case ScalarType.FLOAT:
      return Wire.Fixed32;
    default:
      return Wire.Varint;
  }
}

/**
 * A field of `desc` (a message at `depth`) that the fast path does not map: skipped as protobuf-es
 * would read it. Unknown fields are skipped by wire type; a known field in another wire type (which
 * protobuf-es would read as its own type), a string that is not UTF-8 or a sub-message protobuf-es
 * refuses (at the same remaining recursion depth) goes to the reference decoder.
 */
function skipField(r: Reader, desc: DescMessage, depth: number, tag: number): void {
  const field = fieldsOf(desc).get(tag >>> 3);
  const wireType = tag & 7;
  if (field === undefined) return r.skip(wireType);
  if (wireType !== wireTypeOf(field)) throw new NotFastPath();
  if (wireType !== Wire.Delimited) return r.skip(wireType);
  const start = r.delimited();
  const message = field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message') ? field.message : undefined;
  if (message !== undefined) checkMessage(message, r.buf, start, r.pos, depth);
  else if (field.scalar === ScalarType.STRING) {
    if (!isUtf8(r.buf.subarray(start, r.pos))) throw new NotFastPath();
  }
}

/** A sub-message the fast path does not map, read by protobuf-es as it would read it inside a message at `parentDepth`. */
function checkMessage(desc: DescMessage, buf: Buffer, start: number, end: number, parentDepth: number): void {
  try {
    fromBinary(desc, buf.subarray(start, end), { recursionLimit: recursionLimit - parentDepth, readUnknownFields: false });
  } catch {
    throw new NotFastPath();
  }
}

const kinds: readonly SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const statusCodes: readonly StatusCode[] = ['unset', 'ok', 'error'];

function cut(text: string, counts: LimitCounts): string {
  if (text.length <= spanLimits.valueChars) return text;
  counts.cutValues++;
  return `${text.slice(0, spanLimits.valueChars)}… [${text.length - spanLimits.valueChars} more characters dropped by the receiver]`;
}

/**
 * `AnyValue` (oneof: 1 string, 2 bool, 3 int64, 4 double, 5 array, 6 kvlist, 7 bytes), itself a
 * message at depth `at`; the last case present wins, as in protobuf. `depth` is the value's nesting
 * (the span limits'), `at` the message's (protobuf-es's recursion limit).
 */
function anyValue(buf: Buffer, start: number, end: number, counts: LimitCounts, depth: number, at: number): AttributeValue {
  const r = new Reader(buf, start, end);
  let value: AttributeValue = null;
  // Nested values are mapped when their case wins: one that a later case replaces is only checked.
  let nested: { readonly kind: 5 | 6; readonly start: number; readonly end: number } | undefined;
  const replaced = (): void => {
    if (nested !== undefined) checkMessage(nested.kind === 5 ? ArrayValueSchema : KeyValueListSchema, buf, nested.start, nested.end, at);
    nested = undefined;
  };
  while (r.pos < end) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 1 && wireType === Wire.Delimited) {
      value = r.string();
      replaced();
    } else if (field === 2 && wireType === Wire.Varint) {
      value = r.varint() !== 0;
      replaced();
    } else if (field === 3 && wireType === Wire.Varint) {
      value = r.int64();
      replaced();
    } else if (field === 4 && wireType === Wire.Fixed64) {
      value = r.double();
      replaced();
    } else if ((field === 5 || field === 6) && wireType === Wire.Delimited) {
      // Two messages of the same oneof case merge in protobuf; that is left to the reference decoder.
      if (nested !== undefined && nested.kind === field) throw new NotFastPath();
      replaced();
      const s = r.delimited();
      nested = { kind: field, start: s, end: r.pos };
      value = null;
    } else if (field === 7 && wireType === Wire.Delimited) {
      const s = r.delimited();
      value = buf.toString('base64', s, Math.min(r.pos, s + spanLimits.valueChars));
      replaced();
    } else if (field >= 1 && field <= 8) {
      // A known field with another wire type, or string_value_strindex: the reference decoder's case.
      throw new NotFastPath();
    } else r.skip(wireType);
  }
  if (nested !== undefined) {
    if (depth >= spanLimits.depth) {
      checkMessage(nested.kind === 5 ? ArrayValueSchema : KeyValueListSchema, buf, nested.start, nested.end, at);
      counts.cutValues++;
      return `[nested deeper than ${spanLimits.depth} levels: dropped by the receiver]`;
    }
    return nested.kind === 5 ? arrayValue(buf, nested.start, nested.end, counts, depth + 1, at + 1) : keyValues(buf, nested.start, nested.end, counts, spanLimits.items, depth + 1, 1, KeyValueListSchema, at + 1);
  }
  return typeof value === 'string' ? cut(value, counts) : value;
}

/** `ArrayValue.values` (field 1), the ArrayValue at depth `at`. */
function arrayValue(buf: Buffer, start: number, end: number, counts: LimitCounts, depth: number, at: number): AttributeValue[] {
  const r = new Reader(buf, start, end);
  const values: AttributeValue[] = [];
  let seen = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === (1 << 3) + Wire.Delimited) {
      const s = r.delimited();
      if (seen++ < spanLimits.items) values.push(anyValue(buf, s, r.pos, counts, depth, at + 1));
      else checkMessage(AnyValueSchema, buf, s, r.pos, at);
    } else skipField(r, ArrayValueSchema, at, tag);
  }
  if (seen > spanLimits.items) counts.cutValues++;
  return values;
}

/**
 * Repeated `KeyValue` (1 key, 2 value) in field `field` of the message `desc` at [start, end), at
 * depth `at`: the first `max` of them, later keys replacing earlier ones, the rest checked and
 * counted as dropped. The message's other fields are its caller's to read (or, for a KeyValueList,
 * checked here).
 */
function keyValues(buf: Buffer, start: number, end: number, counts: LimitCounts, max: number, depth: number, field: number, desc: DescMessage, at: number): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  const r = new Reader(buf, start, end);
  let seen = 0;
  const wanted = (field << 3) + Wire.Delimited;
  const ownFields = desc === KeyValueListSchema;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag !== wanted) {
      if (tag >>> 3 === field) throw new NotFastPath();
      if (ownFields) skipField(r, desc, at, tag);
      else r.skip(tag & 7);
      continue;
    }
    const s = r.delimited();
    if (seen++ >= max) checkMessage(KeyValueSchema, buf, s, r.pos, at);
    else keyValue(buf, s, r.pos, counts, depth, attributes, at + 1);
  }
  if (seen > max) counts.droppedAttributes += seen - max;
  return attributes;
}

/** One `KeyValue`, at depth `at`, into `into`. */
function keyValue(buf: Buffer, start: number, end: number, counts: LimitCounts, depth: number, into: Record<string, AttributeValue>, at: number): void {
  const r = new Reader(buf, start, end);
  let key = '';
  let valueStart = -1;
  let valueEnd = -1;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === (1 << 3) + Wire.Delimited) key = r.string();
    else if (tag === (2 << 3) + Wire.Delimited) {
      if (valueStart >= 0) throw new NotFastPath(); // two values merge: the reference decoder's case
      valueStart = r.delimited();
      valueEnd = r.pos;
    } else skipField(r, KeyValueSchema, at, tag);
  }
  into[key] = valueStart < 0 ? null : anyValue(buf, valueStart, valueEnd, counts, depth, at + 1);
}

/**
 * The ranges of the message-typed fields `fields` of the message `desc` at [start, end), depth `at`,
 * per field number; its other fields are checked as protobuf-es would read them.
 */
function ranges(buf: Buffer, start: number, end: number, fields: readonly number[], desc: DescMessage, at: number): Map<number, number[]> {
  const found = new Map<number, number[]>(fields.map((f) => [f, []]));
  const r = new Reader(buf, start, end);
  while (r.pos < end) {
    const tag = r.tag();
    const list = found.get(tag >>> 3);
    if (list === undefined) {
      skipField(r, desc, at, tag);
      continue;
    }
    if ((tag & 7) !== Wire.Delimited) throw new NotFastPath();
    const s = r.delimited();
    list.push(s, r.pos);
  }
  return found;
}

/** A singular message field seen more than once merges in protobuf: the reference decoder's case. */
function single(list: readonly number[] | undefined): [number, number] | undefined {
  if (list === undefined || list.length === 0) return undefined;
  if (list.length > 2) throw new NotFastPath();
  return [list[0]!, list[1]!];
}

const noCounts = (): LimitCounts => ({ droppedAttributes: 0, cutValues: 0, droppedEvents: 0, droppedLinks: 0 });

/** Resource: 1 attributes (its other fields checked). */
function resourceOf(buf: Buffer, range: [number, number] | undefined): Resource {
  if (range === undefined) return resourceFromAttributes({});
  const r = new Reader(buf, range[0], range[1]);
  while (r.pos < range[1]) {
    const tag = r.tag();
    if (tag >>> 3 === 1) r.skip(tag & 7);
    else skipField(r, ResourceSchema, depthOf.resource, tag);
  }
  return resourceFromAttributes(keyValues(buf, range[0], range[1], noCounts(), spanLimits.attributes, 0, 1, ResourceSchema, depthOf.resource));
}

/** InstrumentationScope: 1 name (its other fields checked). */
function scopeNameOf(buf: Buffer, range: [number, number] | undefined): string {
  if (range === undefined) return '';
  const r = new Reader(buf, range[0], range[1]);
  let name = '';
  while (r.pos < range[1]) {
    const tag = r.tag();
    if (tag === (1 << 3) + Wire.Delimited) name = r.string();
    else if (tag >>> 3 === 1) throw new NotFastPath();
    else skipField(r, InstrumentationScopeSchema, depthOf.scope, tag);
  }
  return name;
}

/** Span.Event: 1 time_unix_nano, 2 name, 3 attributes. */
function event(buf: Buffer, start: number, end: number, counts: LimitCounts): SpanEvent {
  const r = new Reader(buf, start, end);
  let name = '';
  let timeUs = 0 as Microseconds;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === (1 << 3) + Wire.Fixed64) timeUs = r.nanosAsMicros();
    else if (tag === (2 << 3) + Wire.Delimited) name = r.string();
    else if (tag >>> 3 === 1 || tag >>> 3 === 2) throw new NotFastPath();
    // Attributes (3) may be spread anywhere in the message: keyValues reads them in one more pass.
    else if (tag >>> 3 === 3) r.skip(tag & 7);
    else skipField(r, Span_EventSchema, depthOf.event, tag);
  }
  return { name: cut(name, counts), timeUs, attributes: keyValues(buf, start, end, counts, spanLimits.eventAttributes, 0, 3, Span_EventSchema, depthOf.event) };
}

/** Span.Link: 1 trace_id, 2 span_id, 4 attributes. */
function link(buf: Buffer, start: number, end: number, counts: LimitCounts): SpanLink | undefined {
  const r = new Reader(buf, start, end);
  let traceHex = '';
  let spanHex = '';
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === (1 << 3) + Wire.Delimited) traceHex = r.hex();
    else if (tag === (2 << 3) + Wire.Delimited) spanHex = r.hex();
    else if (tag >>> 3 === 1 || tag >>> 3 === 2) throw new NotFastPath();
    else if (tag >>> 3 === 4) r.skip(tag & 7);
    else skipField(r, Span_LinkSchema, depthOf.link, tag);
  }
  const attributes = keyValues(buf, start, end, counts, spanLimits.eventAttributes, 0, 4, Span_LinkSchema, depthOf.link);
  const traceId = asTraceId(traceHex);
  if (traceId === undefined) return undefined;
  const spanId = asSpanId(spanHex);
  return spanId === undefined ? { traceId, attributes } : { traceId, spanId, attributes };
}

/** Status: 2 message, 3 code. */
function status(buf: Buffer, start: number, end: number): { code: number; message: string } {
  const r = new Reader(buf, start, end);
  let code = 0;
  let message = '';
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === (2 << 3) + Wire.Delimited) message = r.string();
    else if (tag === (3 << 3) + Wire.Varint) code = r.varint();
    else if (tag >>> 3 === 2 || tag >>> 3 === 3) throw new NotFastPath();
    else skipField(r, StatusSchema, depthOf.status, tag);
  }
  return { code, message };
}

interface SpanOutcome {
  readonly span?: Span;
  /** A span without valid ids: its trace id when that one is valid. */
  readonly rejectedTraceId?: TraceId | undefined;
}

/**
 * Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 7 start, 8 end, 9 attributes,
 * 11 events, 13 links, 15 status. Mapped as `spanToModel` maps protobuf-es's message.
 */
function span(buf: Buffer, start: number, end: number, resource: Resource, scopeName: string): SpanOutcome {
  const r = new Reader(buf, start, end);
  let traceHex = '';
  let spanHex = '';
  let parentHex = '';
  let name = '';
  let kind = 0;
  let startUs = 0 as Microseconds;
  let endUs = 0 as Microseconds;
  let attributeCount = 0;
  const events: number[] = [];
  const links: number[] = [];
  let statusRange: [number, number] | undefined;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) + Wire.Delimited:
        traceHex = r.hex();
        break;
      case (2 << 3) + Wire.Delimited:
        spanHex = r.hex();
        break;
      case (4 << 3) + Wire.Delimited:
        parentHex = r.hex();
        break;
      case (5 << 3) + Wire.Delimited:
        name = r.string();
        break;
      case (6 << 3) + Wire.Varint:
        kind = r.varint();
        break;
      case (7 << 3) + Wire.Fixed64:
        startUs = r.nanosAsMicros();
        break;
      case (8 << 3) + Wire.Fixed64:
        endUs = r.nanosAsMicros();
        break;
      case (9 << 3) + Wire.Delimited:
        r.delimited();
        attributeCount++;
        break;
      case (11 << 3) + Wire.Delimited: {
        const s = r.delimited();
        events.push(s, r.pos);
        break;
      }
      case (13 << 3) + Wire.Delimited: {
        const s = r.delimited();
        links.push(s, r.pos);
        break;
      }
      case (15 << 3) + Wire.Delimited: {
        if (statusRange !== undefined) throw new NotFastPath();
        const s = r.delimited();
        statusRange = [s, r.pos];
        break;
      }
      default: {
        const field = tag >>> 3;
        // A mapped field in another wire type is the reference decoder's to read.
        if (field === 1 || field === 2 || field === 4 || field === 5 || field === 6 || field === 7 || field === 8 || field === 9 || field === 11 || field === 13 || field === 15) throw new NotFastPath();
        skipField(r, SpanSchema, depthOf.span, tag);
      }
    }
  }
  const traceId = asTraceId(traceHex);
  const spanId = asSpanId(spanHex);
  if (traceId === undefined || spanId === undefined) {
    // Not kept, but read by protobuf-es all the same: what it refuses in it refuses the request.
    checkMessage(SpanSchema, buf, start, end, depthOf.scopeSpans);
    return { rejectedTraceId: traceId };
  }
  const parentSpanId: SpanId | undefined = parentHex.length > 0 ? asSpanId(parentHex) : undefined;
  const counts: LimitCounts = { droppedAttributes: 0, cutValues: 0, droppedEvents: 0, droppedLinks: 0 };
  const st = statusRange === undefined ? undefined : status(buf, statusRange[0], statusRange[1]);
  const message = st === undefined ? undefined : cut(st.message, counts);
  const mappedLinks: SpanLink[] = [];
  const linkCount = links.length / 2;
  for (let i = 0; i < linkCount; i++) {
    if (i >= spanLimits.links) {
      checkMessage(Span_LinkSchema, buf, links[2 * i]!, links[2 * i + 1]!, depthOf.span);
      continue;
    }
    const mapped = link(buf, links[2 * i]!, links[2 * i + 1]!, counts);
    if (mapped) mappedLinks.push(mapped);
  }
  counts.droppedLinks = Math.max(0, linkCount - spanLimits.links);
  const eventCount = events.length / 2;
  counts.droppedEvents = Math.max(0, eventCount - spanLimits.events);
  const mappedEvents: SpanEvent[] = [];
  for (let i = 0; i < eventCount; i++) {
    if (i < spanLimits.events) mappedEvents.push(event(buf, events[2 * i]!, events[2 * i + 1]!, counts));
    else checkMessage(Span_EventSchema, buf, events[2 * i]!, events[2 * i + 1]!, depthOf.span);
  }
  const attributes = attributeCount === 0 ? {} : keyValues(buf, start, end, counts, spanLimits.attributes, 0, 9, SpanSchema, depthOf.span);
  const limited = counts.droppedAttributes + counts.cutValues + counts.droppedEvents + counts.droppedLinks > 0;
  if (kind >= 2 ** 31 || (st !== undefined && st.code >= 2 ** 31)) throw new NotFastPath();
  const code = st === undefined ? 'unset' : (statusCodes[st.code] ?? 'unset');
  const span: Span = {
    traceId,
    spanId,
    ...(parentSpanId === undefined ? {} : { parentSpanId }),
    name: cut(name, counts),
    kind: kinds[kind] ?? 'unspecified',
    startUs,
    endUs,
    status: message ? { code, message } : { code },
    attributes: limited ? { ...attributes, [limitedKey]: JSON.stringify(counts) } : attributes,
    events: mappedEvents,
    links: mappedLinks,
    resource,
    scopeName,
  };
  return { span };
}

/** The wire path alone: throws `NotFastPath` where it hands over to the reference decoder (tests check it is taken). */
export function wireTracesToModel(body: Buffer): MappedSpans {
  const spans: Span[] = [];
  let rejected = 0;
  const rejectedByTrace = new Map<TraceId, number>();
  // ExportTraceServiceRequest: 1 resource_spans.
  const resourceSpansList = ranges(body, 0, body.length, [1], ExportTraceServiceRequestSchema, 1).get(1)!;
  for (let i = 0; i < resourceSpansList.length; i += 2) {
    // ResourceSpans: 1 resource, 2 scope_spans (in any order on the wire).
    const fields = ranges(body, resourceSpansList[i]!, resourceSpansList[i + 1]!, [1, 2], ResourceSpansSchema, depthOf.resourceSpans);
    const resource = resourceOf(body, single(fields.get(1)));
    const scopeSpansList = fields.get(2)!;
    for (let j = 0; j < scopeSpansList.length; j += 2) {
      // ScopeSpans: 1 scope, 2 spans.
      const scopeFields = ranges(body, scopeSpansList[j]!, scopeSpansList[j + 1]!, [1, 2], ScopeSpansSchema, depthOf.scopeSpans);
      const scopeName = scopeNameOf(body, single(scopeFields.get(1)));
      const spanList = scopeFields.get(2)!;
      for (let k = 0; k < spanList.length; k += 2) {
        const outcome = span(body, spanList[k]!, spanList[k + 1]!, resource, scopeName);
        if (outcome.span !== undefined) {
          spans.push(outcome.span);
          continue;
        }
        rejected++;
        if (outcome.rejectedTraceId !== undefined) rejectedByTrace.set(outcome.rejectedTraceId, (rejectedByTrace.get(outcome.rejectedTraceId) ?? 0) + 1);
      }
    }
  }
  return rejected === 0
    ? { spans, rejected, rejectedByTrace }
    : { spans, rejected, rejectedByTrace, rejectionReason: `${rejected} span(s) had an empty or malformed trace id or span id (expected 16 and 8 bytes, not all zero).` };
}

/**
 * An OTLP/protobuf trace request as model spans: the wire read once, straight into the model; what
 * that path does not take (malformed input, merged messages, groups) goes through protobuf-es and
 * `exportRequestToModel`, which decide and word the answer as they always have.
 */
export function protobufTracesToModel(body: Buffer): MappedSpans {
  try {
    return wireTracesToModel(body);
  } catch (e) {
    if (!(e instanceof NotFastPath) && !(e instanceof RangeError)) throw e;
    return exportRequestToModel(decodeTraceRequest(body, 'protobuf'));
  }
}
