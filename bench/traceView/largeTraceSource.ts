/**
 * The trace both sides open: test/largeTrace/largeTrace.ts (the project's 100k-span Dify trace)
 * when it is there, else the stand-in of standInTrace.ts (said in the result).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { standInTrace } from './standInTrace';

export interface LargeTrace {
  readonly source: string;
  readonly appTraceId: string;
  readonly infraTraceId: string | undefined;
  readonly spanCount: number;
  readonly batches: readonly Uint8Array[];
}

interface GeneratorModule {
  largeDifyTrace(opts: { spanTarget: number }): { appTraceId: string; infraTraceId?: string; spanCount: number; batches: readonly Uint8Array[] };
}

export async function loadLargeTrace(spanTarget: number): Promise<LargeTrace> {
  const path = join(import.meta.dirname, '..', '..', 'test', 'largeTrace', 'largeTrace.ts');
  if (existsSync(path)) {
    const generator = (await import(path)) as GeneratorModule;
    const t = generator.largeDifyTrace({ spanTarget });
    return { source: 'test/largeTrace/largeTrace.ts largeDifyTrace', appTraceId: t.appTraceId, infraTraceId: t.infraTraceId, spanCount: t.spanCount, batches: t.batches };
  }
  return { source: 'stand-in (bench/traceView/standInTrace.ts; test/largeTrace/largeTrace.ts absent)', ...standInTrace(spanTarget) };
}
