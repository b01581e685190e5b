/**
 * Calls `flush` at most once per `delayMs` with everything collected since the last call: a
 * burst of OTLP batches becomes one notification.
 */
export function collectAndFlush<T>(delayMs: number, flush: (items: T[]) => void): { add(items: Iterable<T>): void; dispose(): void } {
  let pending = new Set<T>();
  let timer: NodeJS.Timeout | undefined;
  return {
    add(items) {
      for (const item of items) pending.add(item);
      timer ??= setTimeout(() => {
        timer = undefined;
        const batch = [...pending];
        pending = new Set();
        flush(batch);
      }, delayMs);
    },
    dispose() {
      if (timer) clearTimeout(timer);
    },
  };
}
