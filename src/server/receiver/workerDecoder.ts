import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DecodeJob, DecodeResult } from './decodeWorker';
import type { OtlpEncoding } from './otlpBody';
import type { OtlpDecoder } from './otlpDecoder';
import type { MappedLogs } from './otlpLogsToModel';
import type { MappedSpans } from './otlpToModel';
import { ReceiverError } from './receiverError';

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
 * thread (LSP requests, Runs view, hovers) only copies the body out and takes back bounded spans.
 * A request that kills the worker (out of memory) is refused and a new worker started.
 */
export class WorkerDecoder implements OtlpDecoder {
  private worker: Worker | undefined;
  private current: Pending | undefined;
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private readonly maxHeapMiB: number;
  private readonly maxQueued: number;
  private readonly script: string;

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

  /** Requests queued or being decoded. */
  get backlog(): number {
    return this.queue.length + (this.current ? 1 : 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new ReceiverError('overloaded', 'The trace server is shutting down; retry later.'));
    this.current?.reject(new ReceiverError('overloaded', 'The trace server is shutting down; retry later.'));
    this.current = undefined;
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private submit(signal: DecodeJob['signal'], body: Buffer, encoding: OtlpEncoding): Promise<unknown> {
    if (this.closed) return Promise.reject(new ReceiverError('overloaded', 'The trace server is shutting down; retry later.'));
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(new ReceiverError('overloaded', `${this.queue.length} requests are waiting to be decoded; retry after a second.`));
    }
    // A copy the worker owns (transferred, not cloned again): the caller's buffer may be pooled.
    const copy = new Uint8Array(body.byteLength);
    copy.set(body);
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { id: this.nextId++, signal, encoding, body: copy }, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const next = this.queue.shift();
    if (!next) {
      // Idle: an idle worker does not keep the process alive.
      this.worker?.unref();
      return;
    }
    this.current = next;
    const worker = this.ensureWorker();
    // Busy: its answer (or its death) must arrive, so it holds the event loop open meanwhile.
    worker.ref();
    worker.postMessage(next.job, [next.job.body.buffer as ArrayBuffer]);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // Tests run the sources under tsx: the worker registers the same loader, then loads the entry.
    const underTsx = this.script.endsWith('.ts');
    const entry = underTsx ? `require('tsx/cjs'); require(${JSON.stringify(this.script)});` : this.script;
    const worker = new Worker(entry, { eval: underTsx, resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMiB } });
    worker.on('message', (result: DecodeResult) => this.settle(result));
    worker.on('error', (e) => this.workerDied(e));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.workerDied(new Error(`the decode thread exited with code ${code}`));
    });
    this.worker = worker;
    return worker;
  }

  private settle(result: DecodeResult): void {
    const pending = this.current;
    if (!pending || pending.job.id !== result.id) return;
    this.current = undefined;
    if (result.ok) pending.resolve(result.mapped);
    else pending.reject(result.kind ? new ReceiverError(result.kind, result.message) : new Error(result.message));
    this.pump();
  }

  /** The request being decoded killed the worker (its heap limit): refuse it, start afresh for the rest. */
  private workerDied(e: Error): void {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    const pending = this.current;
    this.current = undefined;
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
