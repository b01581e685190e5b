import { Worker } from 'node:worker_threads';

/**
 * Copies the trace database's write-ahead log into the database file from a thread of its own, a
 * few times a second. SQLite otherwise does it inside the commit that fills the log past
 * `wal_autocheckpoint` pages: with the received spans committed by the decode thread, that was two
 * thirds of its time per batch (the copy and the fsync that ends it), and the main thread's rare
 * commits sometimes drew the whole copy. A passive checkpoint waits for no one, so writers and
 * readers go on meanwhile. The connections keep a high `wal_autocheckpoint` (SpanArchive) as a
 * safety net should this thread stop.
 *
 * The thread's code is a few lines over Node's built-in node:sqlite, so it is evaluated from this
 * string rather than shipped as another bundle.
 */
const threadCode = `
const { DatabaseSync } = require('node:sqlite');
const { parentPort, workerData } = require('node:worker_threads');
const db = new DatabaseSync(workerData.path, { timeout: 1000 });
const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const truncate = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)');
const run = () => {
  try {
    // Under a steady flood the log is never all copied when the next batch begins, so it is never
    // begun afresh and grows: past maxFrames, TRUNCATE waits for the batch being written (the only
    // moment writers wait), copies the rest and starts the log over, empty.
    const row = passive.get();
    if (row !== undefined && Number(row.log) > workerData.maxFrames) truncate.get();
  } catch {
    // Busy (another connection's safety-net checkpoint) or closing: the next tick tries again.
  }
};
const timer = setInterval(run, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  // The trace server waits for this: once it returns, no file of the database is touched from here.
  const closed = new Int32Array(workerData.closed);
  Atomics.store(closed, 0, 1);
  Atomics.notify(closed, 0);
  parentPort.close();
});
`;

export class WalCheckpointer {
  private constructor(
    private readonly worker: Worker,
    /** Set by the thread once its connection is closed. */
    private readonly closed: Int32Array,
  ) {}

  /**
   * Starts checkpointing the database at `path` every `everyMs`, starting the log over once it holds
   * more than `maxFrames` pages (128 MiB of 16 KiB pages); undefined when no thread could start
   * (SQLite's own checkpoints then do).
   */
  static start(path: string, everyMs = 100, maxFrames = 8192): WalCheckpointer | undefined {
    try {
      const closed = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
      const worker = new Worker(threadCode, { eval: true, workerData: { path, everyMs, maxFrames, closed: closed.buffer } });
      // A failure (a database removed under it) leaves the safety net in charge; nothing to report.
      worker.on('error', () => {});
      // It must not keep the trace server (or a test) alive on its own.
      worker.unref();
      return new WalCheckpointer(worker, closed);
    } catch {
      return undefined;
    }
  }

  /**
   * Stops it after the checkpoint in progress and returns once its connection is closed (at most
   * `waitMs`): a checkpoint still running after the trace server closed the database would write
   * its log files again, under a folder being removed or a database being moved aside.
   */
  stop(waitMs = 2_000): void {
    this.worker.postMessage('stop');
    Atomics.wait(this.closed, 0, 0, waitMs);
  }
}
