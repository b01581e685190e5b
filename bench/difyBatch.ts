import { create, toBinary } from '@bufbuild/protobuf';
import type { KeyValue } from '../src/server/receiver/gen/opentelemetry/proto/common/v1/common_pb';
import { ExportTraceServiceRequestSchema } from '../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';

/** Deterministic pseudo-random numbers, so every run benchmarks the same bytes. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const str = (key: string, value: string): KeyValue => ({ key, value: { value: { case: 'stringValue', value } } }) as KeyValue;
const nodeTitles = ['Start', 'LLM', 'Knowledge Retrieval', 'Get Weather', 'Code', 'IF/ELSE', 'HTTP Request', 'Template', 'Answer', 'End'];

/**
 * One OTLP export of `spanCount` spans in the Aliyun exporter's shape: traces of 16 spans (a
 * `workflow` root and 15 node spans named by title) with prompt-sized input/output values.
 */
export function difyBatch(batchIndex: number, spanCount = 512, tracesOffset = 0): Uint8Array {
  const rand = seeded(batchIndex + 1);
  const spans = [];
  const t0 = 1_764_000_000_000_000_000n + BigInt(batchIndex) * 60_000_000_000n;
  for (let i = 0; i < spanCount; i++) {
    const traceNo = tracesOffset + batchIndex * Math.ceil(spanCount / 16) + Math.floor(i / 16);
    const traceId = Buffer.alloc(16);
    traceId.writeUInt32BE(traceNo, 12);
    traceId.writeUInt32BE(0xd1f7, 0);
    const spanId = Buffer.alloc(8);
    spanId.writeUInt32BE((i % 16) + 1, 4);
    spanId.writeUInt32BE(traceNo, 0);
    const isRoot = i % 16 === 0;
    const parent = Buffer.alloc(8);
    parent.writeUInt32BE(1, 4);
    parent.writeUInt32BE(traceNo, 0);
    const text = 'x'.repeat(300 + Math.floor(rand() * 1700));
    const error = rand() < 0.05;
    spans.push({
      traceId, spanId, parentSpanId: isRoot ? new Uint8Array(0) : parent,
      name: isRoot ? 'workflow' : nodeTitles[i % nodeTitles.length]!,
      kind: isRoot ? 2 : 1,
      startTimeUnixNano: t0 + BigInt(i) * 1_000_000n,
      endTimeUnixNano: t0 + BigInt(i) * 1_000_000n + BigInt(Math.floor(rand() * 5e8)),
      status: error ? { code: 2, message: 'Failed to invoke tool: KeyError' } : { code: 1 },
      attributes: [
        str('gen_ai.framework', 'dify'), str('gen_ai.span.kind', isRoot ? 'CHAIN' : 'TASK'), str('gen_ai.session.id', ''),
        str('gen_ai.user.id', 'user-1'), str('input.value', JSON.stringify({ query: text })), str('output.value', JSON.stringify({ text })),
      ],
      links: [{ traceId: Buffer.alloc(16, 7), spanId: new Uint8Array(8) }],
    });
  }
  return toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, {
    resourceSpans: [{
      resource: { attributes: [str('service.name', 'Travel Assistant'), str('acs.arms.service.feature', 'genai_app'), str('service.version', 'dify-1.11.0')] },
      scopeSpans: [{ scope: { name: 'dify_trace_aliyun.data_exporter.traceclient' }, spans }],
    }],
  }));
}
