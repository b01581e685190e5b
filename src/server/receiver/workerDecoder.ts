import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { announcingTurn, writeTurnCounter, type WriteTurn } from '../store/writeTurn';
import type { DecodeJob, DecodeResult, DecodeWorkerData } from './decodeWorker';
import type { OtlpEncoding } from './otlpBody';
import type { OtlpDecoder } from './otlpDecoder';
import type { MappedLogs } from './otlpLogsToModel';
import type { MappedSpans } from './otlpToModel';
import { ReceiverError } from './receiverError';

/** Requests posted to the worker before it answers the oldest. */
const postedAhead = 2;

interface Pending {
  readonly job: DecodeJob;
  readonly resolve: (mapped: unknown) => void;
  readonly reject: (e: Error) => void;
}

export interface WorkerDecoderOptions {
  /** Heap of the decode thread: a request that needs more is refused, the trace server lives on. */
  readonly maxHeapMiB?: number;
  /** Requests waiting for the decode thread; past it a request is refused with "retry later". */
  readonly maxQueued?: number;
  /** The worker script; default dist/decodeWorker.js beside the bundle, or the source under tsx. */
  readonly script?: string;
}

/**
 * Decodes on one worker thread, one request at a time, in arrival order: the trace server's main
 * thread (LSP requests, Runs view, hovers) only copies the body out and takes back bounded spans,
 * already in the trace database when one is named (`writeSpansTo`).
 * A request that kills the worker (out of memory) is refused and a new worker started.
 */
export class WorkerDecoder implements OtlpDecoder {
  private worker: Worker | undefined;
  /**
   * Posted to the worker, oldest first (it answers in order). More than one: the next body waits in
   * the worker while the main thread takes the last answer, so the worker is never idle waiting
   * for the main thread to post it (it decodes and writes to the database, the larger share).
   */
  private readonly posted: Pending[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private readonly maxHeapMiB: number;
  private readonly maxQueued: number;
  private readonly script: string;
  private writeTo: string | undefined;
  /** Shared with every worker this starts: the main thread's announced writes to the trace database (WriteTurn). */
  private readonly writeTurns = writeTurnCounter();
  /** The main thread's turn at writing the database the worker writes spans to. */
  readonly mainWriteTurn: WriteTurn = announcingTurn(this.writeTurns);

  constructor(options: WorkerDecoderOptions = {}) {
    this.maxHeapMiB = options.maxHeapMiB ?? 512;
    this.maxQueued = options.maxQueued ?? 16;
    this.script = options.script ?? defaultScript();
  }

  traces(body: Buffer, encoding: OtlpEncoding): Promise<MappedSpans> {
    return this.submit('traces', body, encoding) as Promise<MappedSpans>;
  }

  logs(body: Buffer, encoding: OtlpEncoding): Promise<MappedLogs> {
    return this.submit('logs', body, encoding) as Promise<MappedLogs>;
  }

  /** The decode thread writes the spans it decodes to this trace database from the next request on. */
  writeSpansTo(path: string | undefined): void {
    this.writeTo = path;
  }

  /** Requests queued or being decoded. */
  get backlog(): number {
    return this.queue.length + this.posted.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new ReceiverError('overloaded', 'The trace server is shutting down; retry later.'));
    for (const p of this.posted.splice(0)) p.reject(new ReceiverError('overloaded', 'The trace server is shutting down; retry later.'));
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private submit(signal: DecodeJob['signal'], body: Buffer, encoding: OtlpEncoding): Promise<unknown> {
    if (this.closed) return Promise.reject(new ReceiverError('overloaded', 'The trace server is shutting down; retry later.'));
    // Waiting: queued here, or posted behind the one the worker is decoding.
    const waiting = this.queue.length + Math.max(0, this.posted.length - 1);
    if (waiting >= this.maxQueued) {
      return Promise.reject(new ReceiverError('overloaded', `${waiting} requests are waiting to be decoded; retry after a second.`));
    }
    // A copy of its own: the caller's buffer may be a slice of a pooled one (posting that would copy the whole pool).
    const copy = new Uint8Array(body.byteLength);
    copy.set(body);
    return new Promise((resolve, reject) => {
      const writeTo = signal === 'traces' ? this.writeTo : undefined;
      this.queue.push({ job: { id: this.nextId++, signal, encoding, body: copy, ...(writeTo === undefined ? {} : { writeTo }) }, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.closed) return;
    if (this.queue.length === 0 && this.posted.length === 0) {
      // Idle: an idle worker does not keep the process alive.
      this.worker?.unref();
      return;
    }
    while (this.posted.length < postedAhead) {
      const next = this.queue.shift();
      if (!next) return;
      this.posted.push(next);
      const worker = this.ensureWorker();
      // Busy: its answer (or its death) must arrive, so it holds the event loop open meanwhile.
      worker.ref();
      // Copied, not transferred: a body posted behind one that kills the worker is posted again to the next.
      worker.postMessage(next.job);
    }
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // Tests run the sources under tsx: the worker registers the same loader, then loads the entry.
    const underTsx = this.script.endsWith('.ts');
    const entry = underTsx ? `require('tsx/cjs'); require(${JSON.stringify(this.script)});` : this.script;
    const worker = new Worker(entry, { eval: underTsx, workerData: { writeTurns: this.writeTurns } satisfies DecodeWorkerData, resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMiB } });
    worker.on('message', (result: DecodeResult) => this.settle(result));
    worker.on('error', (e) => this.workerDied(e));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.workerDied(new Error(`the decode thread exited with code ${code}`));
    });
    this.worker = worker;
    return worker;
  }

  private settle(result: DecodeResult): void {
    const pending = this.posted[0];
    if (!pending || pending.job.id !== result.id) return;
    this.posted.shift();
    if (result.ok) pending.resolve(result.mapped);
    else pending.reject(result.kind ? new ReceiverError(result.kind, result.message) : new Error(result.message));
    this.pump();
  }

  /** The request being decoded (the oldest posted) killed the worker (its heap limit): refuse it, start afresh for the rest. */
  private workerDied(e: Error): void {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    const pending = this.posted.shift();
    this.queue.unshift(...this.posted.splice(0));
    const outOfMemory = /ERR_WORKER_OUT_OF_MEMORY|heap/i.test(`${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`);
    pending?.reject(
      outOfMemory
        ? new ReceiverError('tooLarge', `Decoding the request needed more than ${this.maxHeapMiB} MiB; it was refused and nothing else was affected.`)
        : new ReceiverError('overloaded', `The decode thread failed (${e.message}); retry later.`),
    );
    if (!this.closed) this.pump();
  }
}

function defaultScript(): string {
  const bundled = join(__dirname, 'decodeWorker.js');
  return existsSync(bundled) ? bundled : join(__dirname, 'decodeWorker.ts');
}
