/**
 * A stand-in for test/largeTrace/largeTrace.ts while it is being written: one Aliyun-shaped Dify
 * workflow trace of about `spanTarget` spans (a `workflow` root, top-level nodes, some of them
 * iterations of ~12.5k spans each), as OTLP protobuf batches. Only the fields the benchmark reads.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import type { KeyValue } from '../../src/server/receiver/gen/opentelemetry/proto/common/v1/common_pb';
import { ExportTraceServiceRequestSchema } from '../../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import { seeded } from '../difyBatch';

export interface StandInTrace {
  readonly appTraceId: string;
  readonly infraTraceId: string | undefined;
  readonly spanCount: number;
  readonly batches: Uint8Array[];
}

const str = (key: string, value: string): KeyValue => ({ key, value: { value: { case: 'stringValue', value } } }) as KeyValue;
const ITEMS_PER_ITERATION = 2500;
const NODES_PER_ITEM = 4;
const BATCH_SPANS = 2000;

export function standInTrace(spanTarget: number): StandInTrace {
  const rand = seeded(42);
  const traceId = Buffer.from('d1f1000000000000000000000000a001', 'hex');
  const t0 = 1_764_000_000_000_000_000n;
  let nextId = 1;
  type Out = { spanId: Buffer; parent: Buffer | undefined; name: string; kind: string; start: bigint; end: bigint };
  const spans: Out[] = [];
  const id = (): Buffer => {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(nextId++, 4);
    return b;
  };
  const add = (parent: Buffer | undefined, name: string, kind: string, start: bigint, durNs: bigint): Out => {
    const s = { spanId: id(), parent, name, kind, start, end: start + durNs };
    spans.push(s);
    return s;
  };
  const perIteration = 1 + ITEMS_PER_ITERATION * (1 + NODES_PER_ITEM);
  const iterations = Math.max(1, Math.floor((spanTarget - 1) / (perIteration + 3)));
  const root = add(undefined, 'workflow', 'CHAIN', t0, 0n);
  let at = t0;
  for (let n = 0; spans.length < spanTarget; n++) {
    const isIteration = n % 4 === 1 && Math.floor(n / 4) < iterations;
    if (!isIteration) {
      const kind = n % 2 === 0 ? 'LLM' : 'TASK';
      add(root.spanId, kind === 'LLM' ? `LLM ${n}` : `Code ${n}`, kind, at, 2_000_000_000n);
      at += 2_000_000_000n;
      continue;
    }
    const node = add(root.spanId, `Iteration ${n}`, 'TASK', at, 0n);
    for (let i = 0; i < ITEMS_PER_ITERATION; i++) {
      const item = add(node.spanId, `Iteration ${n} item ${i}`, 'TASK', at, 0n);
      for (let k = 0; k < NODES_PER_ITEM; k++) {
        add(item.spanId, k === 1 ? 'LLM' : `Tool ${k}`, k === 1 ? 'LLM' : 'TASK', at, 5_000_000n);
        at += 5_000_000n;
      }
      item.end = at;
    }
    node.end = at;
  }
  root.end = at;
  const batches: Uint8Array[] = [];
  for (let first = 0; first < spans.length; first += BATCH_SPANS) {
    const otlp = spans.slice(first, first + BATCH_SPANS).map((s) => {
      const text = 'lorem ipsum '.repeat(20 + Math.floor(rand() * 60));
      return {
        traceId, spanId: s.spanId, parentSpanId: s.parent ?? new Uint8Array(0), name: s.name, kind: s.parent ? 1 : 2,
        startTimeUnixNano: s.start, endTimeUnixNano: s.end, status: { code: 1 },
        attributes: [
          str('gen_ai.framework', 'dify'), str('gen_ai.span.kind', s.kind), str('gen_ai.user.id', 'user-1'),
          str('input.value', JSON.stringify({ query: text })), str('output.value', JSON.stringify({ text })),
        ],
      };
    });
    batches.push(toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, {
      resourceSpans: [{
        resource: { attributes: [str('service.name', 'Large Workflow'), str('acs.arms.service.feature', 'genai_app'), str('service.version', 'dify-1.11.0')] },
        scopeSpans: [{ scope: { name: 'dify_trace_aliyun.data_exporter.traceclient' }, spans: otlp }],
      }],
    })));
  }
  return { appTraceId: traceId.toString('hex'), infraTraceId: undefined, spanCount: spans.length, batches };
}
