/**
 * What the benchmark needs to know about the generated trace, read back from its OTLP batches: spans
 * per trace id, and the way to the smallest subtree of at least `minSpans` spans in the trace panel,
 * which shows the run's trace and the traces it links to, each from its own root (children ordered
 * by start time, as src/model/buildTrace.ts orders them).
 */
import { fromBinary } from '@bufbuild/protobuf';
import { ExportTraceServiceRequestSchema } from '../../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';

export interface SubtreeTarget {
  /** Span names from a trace's root down to the subtree's root. */
  readonly names: readonly string[];
  /** At each step (the trace root first), how many earlier siblings (start order) have the same name. */
  readonly sameNameBefore: readonly number[];
  /** Spans in the subtree, its root included. */
  readonly spans: number;
}

export interface TraceShape {
  readonly spansPerTrace: ReadonlyMap<string, number>;
  readonly subtree: SubtreeTarget | undefined;
}

interface Node { readonly id: string; readonly parent: string; readonly name: string; readonly start: bigint; size: number; children: Node[] }

export function traceShape(batches: readonly Uint8Array[], traceIds: readonly string[], minSpans: number): TraceShape {
  const spansPerTrace = new Map<string, number>();
  const nodes = new Map<string, Node>();
  for (const bytes of batches) {
    for (const rs of fromBinary(ExportTraceServiceRequestSchema, bytes).resourceSpans) {
      for (const ss of rs.scopeSpans) {
        for (const s of ss.spans) {
          const tid = Buffer.from(s.traceId).toString('hex');
          spansPerTrace.set(tid, (spansPerTrace.get(tid) ?? 0) + 1);
          if (!traceIds.includes(tid)) continue;
          const id = Buffer.from(s.spanId).toString('hex');
          nodes.set(id, { id, parent: Buffer.from(s.parentSpanId).toString('hex'), name: s.name, start: s.startTimeUnixNano, size: 1, children: [] });
        }
      }
    }
  }
  const roots: Node[] = [];
  for (const n of nodes.values()) {
    const parent = nodes.get(n.parent);
    if (parent) parent.children.push(n);
    else roots.push(n);
  }
  const byStart = (a: Node, b: Node): number => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0);
  // Sizes bottom-up without recursion (traces can be deep); postorder from an explicit stack.
  const order: Node[] = [];
  const stack = [...roots];
  while (stack.length > 0) {
    const n = stack.pop()!;
    order.push(n);
    n.children.sort(byStart);
    stack.push(...n.children);
  }
  for (let i = order.length - 1; i >= 0; i--) for (const c of order[i]!.children) order[i]!.size += c.size;
  let best: Node | undefined;
  for (const n of order) if (n.size >= minSpans && n.children.length > 0 && roots.indexOf(n) < 0 && (!best || n.size < best.size)) best = n;
  if (!best) return { spansPerTrace, subtree: undefined };
  const path: Node[] = [];
  for (let n: Node | undefined = best; n; n = nodes.get(n.parent)) path.unshift(n);
  roots.sort(byStart);
  const sameNameBefore = path.map((n, i) => {
    const siblings = i === 0 ? roots : path[i - 1]!.children;
    return siblings.slice(0, siblings.indexOf(n)).filter((s) => s.name === n.name).length;
  });
  return { spansPerTrace, subtree: { names: path.map((n) => n.name), sameNameBefore, spans: best.size } };
}
