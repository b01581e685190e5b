/**
 * Turns at writing the trace database between the trace server's main thread and the decode
 * thread, each on its own connection. SQLite lets one writer in at a time and is not fair: a decode
 * thread that commits a batch and starts the next within microseconds kept the main thread's
 * writes (runs, log records, pruning) waiting past their busy timeout, which then failed as
 * "database is locked". So the main thread announces its writes in a shared counter, and the
 * decode thread does not begin a transaction while one is announced: the main thread waits at
 * most for the batch being written.
 */
export interface WriteTurn {
  /** Before the transaction: returns once this side may begin. */
  begin(): void;
  /** After its commit or rollback. */
  end(): void;
}

/** The side that goes first: its writes are announced, and it waits only for the other's transaction in progress (SQLite's busy timeout). */
export function announcingTurn(shared: SharedArrayBuffer): WriteTurn {
  const waiting = new Int32Array(shared);
  return {
    begin: () => void Atomics.add(waiting, 0, 1),
    end: () => {
      Atomics.sub(waiting, 0, 1);
      Atomics.notify(waiting, 0);
    },
  };
}

/** The side that yields: it begins once no write of the other side is announced. */
export function yieldingTurn(shared: SharedArrayBuffer): WriteTurn {
  const waiting = new Int32Array(shared);
  return {
    begin: () => {
      for (let announced = Atomics.load(waiting, 0); announced > 0; announced = Atomics.load(waiting, 0)) Atomics.wait(waiting, 0, announced, 100);
    },
    end: () => {},
  };
}

/** A write with no other writer in this process (the inline decoder, tests). */
export const soleWriter: WriteTurn = { begin: () => {}, end: () => {} };

/** The shared counter both sides use. */
export function writeTurnCounter(): SharedArrayBuffer {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
}
