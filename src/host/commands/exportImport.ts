/** Pure parts of export and import: the command's argument, the file name, the summary message. */
import type { ImportTracesRequest } from '../../shared/lspProtocol';

const hex32 = /^[0-9a-f]{32}$/i;
/** Reserved on Windows, or a path separator somewhere. */
const unsafeInFileNames = '<>:"/\\|?*';

/** A trace id from the Runs view's run node (`{ kind: 'run', run }`) or a 32-hex string; else undefined. */
export function traceIdOfRunArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return hex32.test(arg) ? arg.toLowerCase() : undefined;
  if (typeof arg !== 'object' || arg === null) return undefined;
  const { kind, run } = arg as { kind?: unknown; run?: { traceId?: unknown } };
  const traceId = kind === 'run' && typeof run === 'object' && run !== null ? run.traceId : undefined;
  return typeof traceId === 'string' && hex32.test(traceId) ? traceId.toLowerCase() : undefined;
}

/**
 * The server's suggested name made safe for any file system: no separators, no reserved or
 * control characters, no leading dots, at most 120 characters, ending in `.jsonl` or `.json`.
 */
export function exportFileName(suggested: string, traceId: string): string {
  const safe = [...suggested].map((c) => (c.charCodeAt(0) < 0x20 || c === '\u007f' || unsafeInFileNames.includes(c) ? '-' : c)).join('');
  const cleaned = safe
    .replace(/-{2,}/g, '-')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.-]+/, '')
    .trim()
    .slice(0, 120);
  const name = cleaned === '' ? `dify-trace-${traceId.slice(0, 8)}.jsonl` : cleaned;
  return /\.jsonl?$/i.test(name) ? name : `${name}.jsonl`;
}

/** "Imported 42 spans and 3 log records (2 traces) from run.jsonl; 1 refused; 2 lines could not be read: line 3: …". */
export function importSummary(fileName: string, result: ImportTracesRequest.Result): string {
  const { spans, logRecords, traceIds, rejected, errors } = result;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (spans === 0 && logRecords === 0) {
    const why = errors.length > 0 ? `: ${errors.slice(0, 2).join('; ')}${errors.length > 2 ? ` (and ${errors.length - 2} more in the log)` : ''}` : '. The file holds no OTLP spans or log records.';
    return `Nothing was imported from ${fileName}${why}`;
  }
  const parts = [`Imported ${plural(spans, 'span')}${logRecords > 0 ? ` and ${plural(logRecords, 'log record')}` : ''} (${plural(traceIds.length, 'trace')}) from ${fileName}`];
  if (rejected > 0) parts.push(`${rejected} refused (bad ids)`);
  if (errors.length > 0) parts.push(`${plural(errors.length, 'line')} could not be read: ${errors[0]}${errors.length > 1 ? ' …' : ''}`);
  return `${parts.join('; ')}.`;
}
