import type { LogRecord } from '../../model/logRecord';
import type { Span } from '../../model/span';
import { KeywordIndex, type KeywordIndexStats } from './keywordIndex';
import type { RunEntry } from './runEntry';
import type { EntryPredicate } from './runFilter';
import { SummaryScan } from './summaryScan';
import { parseKeyword } from './textTokens';

/** One background slice of indexing, and the pause after it while spans are arriving (a third of the thread at most). */
const backgroundSliceMs = 10;
const busyGapMs = 20;

/**
 * The keyword half of the run filter: which traces' text changed since the keyword index read
 * them, the runs' summaries for substring matches of ids and errors, and the predicate a query
 * tests each run with. A keyword query brings the index up to date; with `indexInBackground`, the
 * traces that changed are also read between requests, a slice at a time, so the first keyword query
 * after a flood or a restart does not read a million spans first. While spans pour in, the slices
 * leave most of the thread to them; when none arrive, they follow one another (yielding to I/O).
 */
export class RunKeywords {
  private readonly index = new KeywordIndex();
  private readonly summaries = new SummaryScan();
  /** Traces whose spans or log records changed since the index last read them. */
  private readonly textDirty = new Set<string>();
  private background: { readonly busy: () => boolean } | undefined;
  private pending: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly spansOf: (traceId: string) => readonly Span[] | undefined,
    private readonly logsOf: (traceId: string) => readonly LogRecord[] | undefined,
  ) {}

  textChanged(traceId: string): void {
    this.textDirty.add(traceId);
    this.schedule();
  }

  /** Reads changed traces between requests from now on; `busy`: spans are arriving (then the slices are spaced out). */
  indexInBackground(busy: () => boolean): void {
    this.background = { busy };
    this.schedule();
  }

  stopBackground(): void {
    this.background = undefined;
    if (this.pending === undefined) return;
    clearTimeout(this.pending as NodeJS.Timeout);
    clearImmediate(this.pending as NodeJS.Immediate);
    this.pending = undefined;
  }

  /** Resolves once no changed trace waits to be indexed (at once when none does). */
  whenIndexed(): Promise<void> {
    if (this.textDirty.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Indexes changed traces for about `budgetMs`; whether some are left. */
  indexSome(budgetMs: number): boolean {
    const deadline = performance.now() + budgetMs;
    for (const id of this.textDirty) {
      this.index.update(id, this.spansOf(id), this.logsOf(id));
      this.textDirty.delete(id);
      if (performance.now() >= deadline) break;
    }
    if (this.textDirty.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    return this.textDirty.size > 0;
  }

  private schedule(): void {
    if (this.background === undefined || this.pending !== undefined || this.textDirty.size === 0) return;
    const slice = (): void => {
      this.pending = undefined;
      if (this.background === undefined) return;
      try {
        this.indexSome(backgroundSliceMs);
      } catch {
        // A trace that cannot be read now (the database closing) is read by the next keyword query.
        return;
      }
      this.schedule();
    };
    // Not unref'd: a process with traces left to index finishes them (bounded work) unless stopped.
    this.pending = this.background.busy() ? setTimeout(slice, busyGapMs) : setImmediate(slice);
  }

  traceRemoved(traceId: string): void {
    this.textDirty.delete(traceId);
    this.index.remove(traceId);
  }

  runAdded(entry: RunEntry): void {
    this.summaries.add(entry);
  }

  runRemoved(entry: RunEntry): void {
    this.summaries.remove(entry);
  }

  /** Every term must occur in the run's ids, app or error (substring), or in one of its traces (keyword index). */
  predicate(keyword: string): EntryPredicate | undefined {
    const terms = parseKeyword(keyword);
    if (terms.length === 0) return undefined;
    this.catchUp();
    const index = this.index;
    const prepared = terms.map((term) => ({ term: index.prepare(term), inSummary: this.summaries.hits(term.text) }));
    // Plain loops over typed arrays: this runs for every run in the time range.
    return (entry) => {
      const slots = this.slotsOf(entry);
      for (const p of prepared) {
        if (p.inSummary[entry.cache.serial] === 1) continue;
        let found = false;
        for (let k = 0; k < slots.length && !found; k++) found = slots[k]! >= 0 && index.matchesSlot(slots[k]!, p.term);
        if (!found) return false;
      }
      return true;
    };
  }

  stats(): KeywordIndexStats {
    this.catchUp();
    return this.index.stats();
  }

  private catchUp(): void {
    this.indexSome(Number.POSITIVE_INFINITY);
  }

  /** The run's traces' slots, cached on the entry; a slot of a trace not indexed yet, or dropped since, is looked up again. */
  private slotsOf(entry: RunEntry): Int32Array {
    const cache = entry.cache;
    const index = this.index;
    if (cache.slots === undefined || cache.slotsEpoch !== index.epoch) {
      cache.slots = Int32Array.from(entry.traceIds, (id) => index.slotOf(id));
      cache.slotsEpoch = index.epoch;
      return cache.slots;
    }
    const slots = cache.slots;
    for (let k = 0; k < slots.length; k++) if (slots[k]! < 0 || !index.isLive(slots[k]!)) slots[k] = index.slotOf(entry.traceIds[k]!);
    return slots;
  }
}
