import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Span } from '../../../model/span';
import type { TraceId } from '../../../model/units';
import { readImport } from '../../exchange/traceImport';
import { SourceError, type SearchWindow, type TraceSource } from './traceSource';

export interface OtlpFileOptions {
  /** A file, or a folder of files, written by the OpenTelemetry Collector's file exporter (OTLP/JSON Lines); a path or a file:// URL. */
  readonly path: string;
  /** Largest total read (the files are held as spans while listed). */
  readonly maxBytes?: number;
}

interface ReadFile {
  readonly mtimeMs: number;
  readonly size: number;
  readonly spans: readonly Span[];
  readonly errors: readonly string[];
}

/** The file exporter's names: `traces.json`, `traces.jsonl`, rotated `traces-2026-12-01T10-00-00.000.json`, gzip too. */
const tracesFile = /\.(json|jsonl|ndjson)(\.gz)?$/i;

/**
 * Traces in files: the OpenTelemetry Collector's `file` exporter (one OTLP/JSON export request per
 * line, its rotation leaving more files beside the first), or this extension's own exports. Read
 * through the receiver's OTLP/JSON path (`readImport`), so a run reads the same as if received.
 * Files are read again when they change (the Collector appends to them).
 */
export class OtlpFileSource implements TraceSource {
  readonly kind = 'otlpFile';
  readonly label: string;
  private readonly path: string;
  private readonly files = new Map<string, ReadFile>();

  constructor(private readonly options: OtlpFileOptions) {
    this.path = options.path.startsWith('file:') ? fileURLToPath(options.path) : options.path;
    this.label = `OTLP files at ${this.path}`;
  }

  async search(window: SearchWindow): Promise<readonly Span[]> {
    const spans = await this.load();
    const starts = new Map<string, number>();
    for (const s of spans) starts.set(s.traceId, Math.min(starts.get(s.traceId) ?? Infinity, s.startUs / 1000));
    const chosen = new Set([...starts].filter(([, t]) => t >= window.sinceMs && t <= window.untilMs).sort((a, b) => b[1] - a[1]).slice(0, window.limit).map(([id]) => id));
    return spans.filter((s) => chosen.has(s.traceId));
  }

  async trace(traceId: TraceId): Promise<readonly Span[] | undefined> {
    const spans = (await this.load()).filter((s) => s.traceId === traceId);
    return spans.length === 0 ? undefined : spans;
  }

  uiUrl(): string {
    return pathToFileURL(this.path).toString();
  }

  /** Every span in the files, each file read again only when its size or time changed. */
  private async load(): Promise<Span[]> {
    const names = await this.fileNames();
    const maxBytes = this.options.maxBytes ?? 1024 * 2 ** 20;
    let total = 0;
    const all: Span[] = [];
    const errors: string[] = [];
    for (const name of names) {
      const info = await stat(name);
      total += info.size;
      if (total > maxBytes) throw new SourceError(`${this.label} holds more than ${Math.round(maxBytes / 2 ** 20)} MiB of traces; point the backend at fewer files (the Collector's rotation keeps them apart).`, 'tooLarge');
      let read = this.files.get(name);
      if (read === undefined || read.mtimeMs !== info.mtimeMs || read.size !== info.size) {
        const bytes = await readFile(name);
        const text = (name.toLowerCase().endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
        const imported = readImport(text);
        read = { mtimeMs: info.mtimeMs, size: info.size, spans: imported.spans, errors: imported.errors.map((e) => `${name} ${e}`) };
        this.files.set(name, read);
      }
      for (const s of read.spans) all.push(s);
      errors.push(...read.errors);
    }
    for (const known of [...this.files.keys()]) if (!names.includes(known)) this.files.delete(known);
    // A file being appended to ends in a partial line now and then: only nothing readable at all is an error.
    if (all.length === 0 && errors.length > 0) throw new SourceError(`${this.label}: no trace could be read (${errors.slice(0, 3).join('; ')}).`, 'badResponse');
    return all;
  }

  private async fileNames(): Promise<string[]> {
    let info;
    try {
      info = await stat(this.path);
    } catch (e) {
      throw new SourceError(`${this.label} cannot be read: ${e instanceof Error ? e.message : String(e)}.`, 'notFound');
    }
    if (!info.isDirectory()) return [this.path];
    const entries = await readdir(this.path, { withFileTypes: true });
    return entries.filter((e) => e.isFile() && tracesFile.test(e.name)).map((e) => join(this.path, e.name)).sort();
  }
}
