import { difyBatch, seeded } from './difyBatch';

/**
 * 512-span protobuf batches that never repeat a trace id, made cheaply enough that the sender is
 * not what is measured: a pool of generated batches (difyBatch, the Aliyun exporter's shape) whose
 * trace ids are rewritten in place before each send, 8 pseudo-random bytes per trace (every span of
 * a trace gets the same), so that ids arrive in no order, as real ones do. Neither store dedupes,
 * and no time goes into encoding protobuf on the sending side.
 */
export class FreshBatches {
  private readonly pool: { readonly body: Buffer; readonly traces: readonly (readonly number[])[] }[];
  private next = 0;
  private readonly random: () => number;

  constructor(
    readonly spansPerBatch = 512,
    poolSize = 16,
    /** Distinguishes senders (rounds, sides) so that no two send the same ids. */
    seed = 0,
  ) {
    this.random = seeded(0x5eed + seed * 7919);
    this.pool = Array.from({ length: poolSize }, (_, i) => {
      const body = Buffer.from(difyBatch(i, spansPerBatch));
      return { body, traces: traceIdOffsets(body) };
    });
  }

  /** The next batch, with trace ids no earlier batch of this sender had (2^64 choices each). */
  take(): Buffer {
    const entry = this.pool[this.next]!;
    this.next = (this.next + 1) % this.pool.length;
    for (const offsets of entry.traces) {
      const hi = Math.floor(this.random() * 2 ** 32) >>> 0;
      const lo = Math.floor(this.random() * 2 ** 32) >>> 0;
      for (const at of offsets) {
        entry.body.writeUInt32BE(hi, at);
        entry.body.writeUInt32BE(lo, at + 4);
      }
    }
    return entry.body;
  }
}

/**
 * Where bytes 4-11 of each trace id are in a difyBatch body, grouped by trace: its ids start
 * 00 00 d1 f7, then 8 zero bytes, then the trace number (difyBatch.ts), after the length prefix 0x10.
 */
function traceIdOffsets(body: Buffer): number[][] {
  const byTrace = new Map<number, number[]>();
  for (let i = 1; i + 16 <= body.length; i++) {
    if (body[i - 1] !== 0x10 || body[i] !== 0 || body[i + 1] !== 0 || body[i + 2] !== 0xd1 || body[i + 3] !== 0xf7) continue;
    if (body.readUInt32BE(i + 4) !== 0 || body.readUInt32BE(i + 8) !== 0) continue;
    const traceNo = body.readUInt32BE(i + 12);
    byTrace.set(traceNo, [...(byTrace.get(traceNo) ?? []), i + 4]);
  }
  if (byTrace.size === 0) throw new Error('difyBatch ids were not found: its id layout changed');
  return [...byTrace.values()];
}
