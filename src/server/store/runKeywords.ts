import type { LogRecord } from '../../model/logRecord';
import type { Span } from '../../model/span';
import { KeywordIndex, type KeywordIndexStats } from './keywordIndex';
import type { RunEntry } from './runEntry';
import type { EntryPredicate } from './runFilter';
import { SummaryScan } from './summaryScan';
import { parseKeyword } from './textTokens';

/**
 * The keyword half of the run filter: which traces' text changed since the keyword index read
 * them, the runs' summaries for substring matches of ids and errors, and the predicate a query
 * tests each run with. The index is brought up to date only when a keyword is asked, so ingest and
 * plain listings never pay for it (the first keyword query reads every trace once).
 */
export class RunKeywords {
  private readonly index = new KeywordIndex();
  private readonly summaries = new SummaryScan();
  /** Traces whose spans or log records changed since the index last read them. */
  private readonly textDirty = new Set<string>();

  constructor(
    private readonly spansOf: (traceId: string) => readonly Span[] | undefined,
    private readonly logsOf: (traceId: string) => readonly LogRecord[] | undefined,
  ) {}

  textChanged(traceId: string): void {
    this.textDirty.add(traceId);
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
    for (const id of this.textDirty) this.index.update(id, this.spansOf(id), this.logsOf(id));
    this.textDirty.clear();
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
