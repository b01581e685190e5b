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

/**
 * Runs `work` with everything collected, one run at a time, and no sooner after the last run than
 * `factor` times what that run took: however often changes come, the work takes at most 1/factor of
 * the time (diagnostics and CodeLens over every run in the window, with hundreds of thousands of
 * spans stored, must not eat the trace server while traces pour in).
 */
export function dutyCycled<T>(factor: number, work: (items: T[]) => Promise<void>, now: () => number = () => performance.now()): { add(items: Iterable<T>): void; dispose(): void } {
  let pending = new Set<T>();
  let running = false;
  let queued = false;
  let earliestNext = 0;
  let timer: NodeJS.Timeout | undefined;
  const start = (): void => {
    timer = undefined;
    if (running) {
      queued = true;
      return;
    }
    const wait = earliestNext - now();
    if (wait > 0) {
      timer = setTimeout(start, wait);
      return;
    }
    running = true;
    queued = false;
    const batch = [...pending];
    pending = new Set();
    const began = now();
    void work(batch).finally(() => {
      const ended = now();
      earliestNext = ended + factor * (ended - began);
      running = false;
      if (queued || pending.size > 0) timer ??= setTimeout(start, 0);
    });
  };
  return {
    add(items) {
      for (const item of items) pending.add(item);
      if (running) queued = true;
      else timer ??= setTimeout(start, 0);
    },
    dispose() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
