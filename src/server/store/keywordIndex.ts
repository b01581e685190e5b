import type { LogRecord } from '../../model/logRecord';
import type { Resource, Span } from '../../model/span';
import { TokenHashSet, mergeSorted, sortedHas } from './tokenHashSet';
import { forEachLogText, forEachResourceText, forEachSpanText } from './searchableText';
import { normaliseForPhrase, scanTokens, TokenKind, type KeywordTerm, type TokenSink } from './textTokens';
import { forEachTextContaining } from './concatenatedText';

/** The indexed text of one trace: what was read of it, and its tokens. */
interface TraceText {
  slot: number;
  /** Distinct token hashes, sorted: exact token matches by binary search. */
  hashes: Uint32Array;
  /** Whether it has letters-only tokens the vocabulary does not hold (escaped, over 32 letters, vocabulary full). */
  unlisted: boolean;
  spans: readonly Span[] | undefined;
  spanCount: number;
  logs: readonly LogRecord[] | undefined;
  logCount: number;
  firstLog: LogRecord | undefined;
  /** Bumped on every update, so a cached phrase check goes stale. */
  version: number;
}

/** One token of a term, with the traces (by slot) having a word that contains it (or is it) when it is a word. */
interface PreparedToken {
  readonly hash: number;
  readonly inWords: Uint8Array | undefined;
  /** A vocabulary word: outside `inWords`, only a trace with unlisted letters can hold it. */
  readonly listed: boolean;
}

/** A keyword term looked up in the vocabulary once per query, then tested against many traces. */
export interface PreparedTerm {
  readonly term: KeywordTerm;
  readonly tokens: readonly PreparedToken[];
}

export interface KeywordIndexStats {
  readonly traces: number;
  readonly tokenHashes: number;
  readonly words: number;
  readonly wordPostings: number;
  /** Rough bytes held: hashes, postings, vocabulary text and per-word overhead. */
  readonly approxBytes: number;
}

const alive = 1;
const unlisted = 2;
/** Words past this many are not added to the vocabulary: they still match whole, not from inside. */
const maxVocabulary = 2_000_000;
/** Cached phrase checks, per phrase; the least recently used phrase goes first. */
const maxCachedPhrases = 32;

/**
 * The keyword index of the Runs view: per trace, the sorted 32-bit hashes of its distinct tokens
 * (exact matches of any token, ids and numbers included, by binary search), plus a vocabulary of
 * words (letters only) with the traces that contain each. A query word becomes, once per query, a
 * byte per trace for the traces having it or a word containing it ("weav" finds "Weaviate"), so
 * most traces are decided without reading their hashes. Ids and numbers are kept out of the
 * vocabulary: each run has new ones, and a vocabulary of them would grow with every run.
 *
 * Traces are indexed incrementally (the store only appends spans and log records), so a trace that
 * keeps receiving spans is never re-read from the start. A term of several tokens (`get_weather.py`,
 * a quoted phrase) uses the tokens to find candidates, then looks for the term itself in the
 * candidate's texts; the answer is cached per trace version.
 */
export class KeywordIndex {
  private readonly traces = new Map<string, TraceText>();
  private readonly bySlot: (TraceText | undefined)[] = [];
  /** Per slot: `alive` (1) and `unlisted` (2), so the common case of a query reads typed arrays only. */
  private slotFlags = new Uint8Array(1024);
  private deadSlots = 0;
  /** Bumped when slots are renumbered: callers that cached slots look them all up again. */
  private compactions = 0;
  private readonly wordIds = new Map<string, number>();
  private readonly postings: number[][] = [];
  /** Every word followed by '\n', after a leading '\n': one string to search fragments in. */
  private vocabText = '\n';
  private readonly wordStarts: number[] = [];
  private pendingWords: string[] = [];
  private readonly phraseCache = new Map<string, WeakMap<TraceText, { version: number; found: boolean }>>();
  private readonly batch = new TokenHashSet();
  private pendingHashes: number[] = [];
  private pendingWordText: string[] = [];
  private batchUnlisted = false;
  private readonly sink: TokenSink = {
    token: (hash, kind, source, start, end) => {
      if (!this.batch.add(hash)) return;
      if (kind === TokenKind.word) {
        this.pendingHashes.push(hash);
        this.pendingWordText.push(source.slice(start, end).toLowerCase());
      } else if (kind === TokenKind.unlistedLetters) {
        this.batchUnlisted = true;
      }
    },
  };
  private readonly visit = (text: string): void => scanTokens(text, this.sink);

  /** Reads what is new in a trace's spans and log records (all of it when they were replaced or trimmed). */
  update(traceId: string, spans: readonly Span[] | undefined, logs: readonly LogRecord[] | undefined): void {
    let entry = this.traces.get(traceId);
    if (entry !== undefined && !appendedTo(entry, spans, logs)) {
      this.remove(traceId);
      entry = undefined;
    }
    if (spans === undefined && logs === undefined) return;
    if (entry === undefined) {
      entry = { slot: this.bySlot.length, hashes: new Uint32Array(0), unlisted: false, spans, spanCount: 0, logs, logCount: 0, firstLog: undefined, version: 0 };
      this.bySlot.push(entry);
      this.traces.set(traceId, entry);
      if (entry.slot >= this.slotFlags.length) {
        const grown = new Uint8Array(this.slotFlags.length * 2);
        grown.set(this.slotFlags);
        this.slotFlags = grown;
      }
      this.slotFlags[entry.slot] = alive;
    }
    entry.spans = spans;
    entry.logs = logs;
    const spanCount = spans?.length ?? 0;
    const logCount = logs?.length ?? 0;
    if (spanCount === entry.spanCount && logCount === entry.logCount) return;
    this.batch.reset();
    this.pendingHashes = [];
    this.pendingWordText = [];
    this.batchUnlisted = false;
    const resources = new Set<Resource>();
    for (let i = entry.spanCount; i < spanCount; i++) {
      const span = spans![i]!;
      forEachSpanText(span, this.visit);
      resources.add(span.resource);
    }
    for (let i = entry.logCount; i < logCount; i++) {
      const record = logs![i]!;
      forEachLogText(record, this.visit);
      resources.add(record.resource);
    }
    for (const resource of resources) forEachResourceText(resource, this.visit);
    const old = entry.hashes;
    for (let i = 0; i < this.pendingHashes.length; i++) {
      if (!sortedHas(old, this.pendingHashes[i]!) && !this.addPosting(this.pendingWordText[i]!, entry.slot)) this.batchUnlisted = true;
    }
    if (this.batchUnlisted) {
      entry.unlisted = true;
      this.slotFlags[entry.slot] = alive | unlisted;
    }
    entry.hashes = mergeSorted(old, this.batch.values());
    entry.spanCount = spanCount;
    entry.logCount = logCount;
    entry.firstLog = logs?.[0];
    entry.version++;
  }

  remove(traceId: string): void {
    const entry = this.traces.get(traceId);
    if (entry === undefined) return;
    this.traces.delete(traceId);
    this.bySlot[entry.slot] = undefined;
    this.slotFlags[entry.slot] = 0;
    this.deadSlots++;
    if (this.deadSlots > 10_000 && this.deadSlots > this.traces.size) this.compact();
  }

  /** The trace's slot, -1 when it is not indexed. Valid while `epoch` stays the same and `isLive` says so (a slot is never reused before). */
  slotOf(traceId: string): number {
    return this.traces.get(traceId)?.slot ?? -1;
  }

  get epoch(): number {
    return this.compactions;
  }

  isLive(slot: number): boolean {
    return (this.slotFlags[slot]! & alive) !== 0;
  }

  prepare(term: KeywordTerm): PreparedTerm {
    this.flushVocabulary();
    const last = term.tokens.length - 1;
    // Inside a term of several tokens, only the first may end and only the last may start inside a word.
    const tokens = term.tokens.map((token, i) => ({
      hash: token.hash,
      inWords: token.word === undefined ? undefined : i === 0 || i === last ? this.slotsWithWordsContaining(token.word) : this.slotsWithWord(token.word),
      listed: token.listed,
    }));
    return { term, tokens };
  }

  /**
   * Whether the term occurs in the trace in this slot (case-insensitive, inside one value). Most traces
   * are decided by two typed-array reads, without touching the trace's hashes.
   */
  matchesSlot(slot: number, prepared: PreparedTerm): boolean {
    const tokens = prepared.tokens;
    const flags = this.slotFlags[slot]!;
    // A dead slot keeps its postings (and so its bits in `inWords`) until the next compaction.
    if ((flags & alive) === 0) return false;
    for (let k = 0; k < tokens.length; k++) {
      const token = tokens[k]!;
      const inWords = token.inWords;
      if (inWords !== undefined && inWords[slot] === 1) continue;
      // A word equal to the token would be in the vocabulary, hence in `inWords`, unless the trace has unlisted letters.
      if (token.listed && (flags & unlisted) === 0) return false;
      const entry = this.bySlot[slot];
      if (entry === undefined || !sortedHas(entry.hashes, token.hash)) return false;
    }
    return prepared.term.exact || this.containsPhrase(this.bySlot[slot]!, prepared.term);
  }

  stats(): KeywordIndexStats {
    let tokenHashes = 0;
    for (const entry of this.traces.values()) tokenHashes += entry.hashes.length;
    let wordPostings = 0;
    for (const list of this.postings) wordPostings += list.length;
    const words = this.postings.length;
    // Uint32 hashes; SMI array slots of 8 bytes; a one-byte string per word; ~80 bytes per word for its array and map entry.
    const approxBytes = tokenHashes * 4 + wordPostings * 8 + this.vocabText.length + words * 80 + this.traces.size * 120;
    return { traces: this.traces.size, tokenHashes, words, wordPostings, approxBytes };
  }

  /** False when the vocabulary is full and the word is new to it. */
  private addPosting(word: string, slot: number): boolean {
    let id = this.wordIds.get(word);
    if (id === undefined) {
      if (this.postings.length >= maxVocabulary) return false;
      id = this.postings.length;
      this.wordIds.set(word, id);
      this.postings.push([]);
      this.pendingWords.push(word);
    }
    this.postings[id]!.push(slot);
    return true;
  }

  private flushVocabulary(): void {
    if (this.pendingWords.length === 0) return;
    let offset = this.vocabText.length;
    for (const word of this.pendingWords) {
      this.wordStarts.push(offset);
      offset += word.length + 1;
    }
    this.vocabText += `${this.pendingWords.join('\n')}\n`;
    this.pendingWords = [];
  }

  /** Slots of the traces that have this very word, as a byte per slot; undefined when none has. */
  private slotsWithWord(word: string): Uint8Array | undefined {
    const id = this.wordIds.get(word);
    if (id === undefined) return undefined;
    const bits = new Uint8Array(this.bySlot.length);
    for (const slot of this.postings[id]!) bits[slot] = 1;
    return bits;
  }

  /** Slots of the traces that have a word containing `fragment`, as a byte per slot; undefined when none has. */
  private slotsWithWordsContaining(fragment: string): Uint8Array | undefined {
    let bits: Uint8Array | undefined;
    forEachTextContaining(this.vocabText, this.wordStarts, fragment, (word) => {
      bits ??= new Uint8Array(this.bySlot.length);
      for (const slot of this.postings[word]!) bits[slot] = 1;
    });
    return bits;
  }

  private containsPhrase(entry: TraceText, term: KeywordTerm): boolean {
    const phrase = term.text;
    let cache = this.phraseCache.get(phrase);
    if (cache === undefined) {
      cache = new WeakMap();
      if (this.phraseCache.size >= maxCachedPhrases) this.phraseCache.delete(this.phraseCache.keys().next().value!);
    } else {
      this.phraseCache.delete(phrase);
    }
    this.phraseCache.set(phrase, cache);
    const cached = cache.get(entry);
    if (cached !== undefined && cached.version === entry.version) return cached.found;
    let found = false;
    const probe = term.probe;
    const check = (text: string): void => {
      if (found) return;
      if (probe !== '' && !text.toLowerCase().includes(probe)) return;
      if (normaliseForPhrase(text).includes(phrase)) found = true;
    };
    const resources = new Set<Resource>();
    for (const span of entry.spans ?? []) {
      if (found) break;
      forEachSpanText(span, check);
      resources.add(span.resource);
    }
    for (const record of entry.logs ?? []) {
      if (found) break;
      forEachLogText(record, check);
      resources.add(record.resource);
    }
    for (const resource of resources) if (!found) forEachResourceText(resource, check);
    cache.set(entry, { version: entry.version, found });
    return found;
  }

  /** Renumbers the live traces' slots and drops the dead ones from the postings. */
  private compact(): void {
    const renumber = new Int32Array(this.bySlot.length).fill(-1);
    const live: TraceText[] = [];
    this.slotFlags.fill(0);
    for (const entry of this.bySlot) {
      if (entry === undefined) continue;
      renumber[entry.slot] = live.length;
      entry.slot = live.length;
      this.slotFlags[entry.slot] = entry.unlisted ? alive | unlisted : alive;
      live.push(entry);
    }
    for (let id = 0; id < this.postings.length; id++) {
      const kept: number[] = [];
      for (const slot of this.postings[id]!) {
        const next = renumber[slot]!;
        if (next >= 0) kept.push(next);
      }
      this.postings[id] = kept;
    }
    this.bySlot.length = 0;
    for (const entry of live) this.bySlot.push(entry);
    this.deadSlots = 0;
    this.compactions++;
  }
}

/** Whether the trace's spans and records only grew since they were read (the stores append; eviction replaces or trims). */
function appendedTo(entry: TraceText, spans: readonly Span[] | undefined, logs: readonly LogRecord[] | undefined): boolean {
  const spansOk = entry.spanCount === 0 || (spans === entry.spans && spans !== undefined && spans.length >= entry.spanCount);
  const logsOk = entry.logCount === 0 || (logs === entry.logs && logs !== undefined && logs.length >= entry.logCount && logs[0] === entry.firstLog);
  return spansOk && logsOk;
}
