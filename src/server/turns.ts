/**
 * Long work on the trace server's one thread, written as a generator that yields where it may
 * pause: run at once (`runToEnd`), or a step per turn of the event loop (`runInTurns`) so requests
 * that arrive meanwhile (a run listing, a lookup) are answered between the steps instead of after
 * the whole of it.
 */
export type Steps<T> = Generator<void, T, void>;

/** The next turn of the event loop, after the I/O that is already waiting (incoming requests). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

export async function runInTurns<T>(steps: Steps<T>, pause: () => Promise<void> = nextTurn): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}
