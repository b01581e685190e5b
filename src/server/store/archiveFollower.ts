import { createHash } from 'node:crypto';
import type { LogRecord } from '../../model/logRecord';
import type { Span } from '../../model/span';
import { ownerPath, ownerService } from '../receiver/otlpHttpReceiver';
import type { SpanArchive } from './spanArchive';

/** A digest of the database path: two trace servers with the same one share their runs. */
export function archiveIdOf(path: string): string {
  return createHash('sha256').update(path).digest('hex').slice(0, 16);
}

/**
 * Whether the process on the port is another window's trace server writing the database with this
 * id (it answers `GET /dify-trace/owner`); anything else there is a foreign process.
 */
export async function ownerShares(host: string, port: number, archiveId: string, token: string | undefined): Promise<boolean> {
  // An unspecified bind address is asked on loopback, as a sender on this machine would.
  const probeHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  try {
    const res = await fetch(`http://${probeHost}:${port}${ownerPath}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(2_000) });
    if (res.status !== 200) return false;
    const owner = (await res.json()) as { service?: unknown; archive?: unknown };
    return owner.service === ownerService && owner.archive === archiveId;
  } catch {
    return false;
  }
}

/**
 * Reads what another process writes to the trace database: every `intervalMs`, the spans of the
 * traces changed since the last look and their log records (the owner writes them and change rows
 * in one transaction, before it answers the sender), handed to `onRead`. A read that fails (the file locked a moment
 * too long) is tried again at the next look.
 */
export class ArchiveFollower {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly archive: SpanArchive,
    private change: number,
    private readonly onRead: (spans: readonly Span[], records: readonly LogRecord[]) => void,
    private readonly log: (message: string) => void,
    intervalMs = 1_000,
  ) {
    this.timer = setInterval(() => this.read(), intervalMs);
    this.read();
  }

  /** One look now. */
  read(): void {
    let spans: Span[];
    let records: LogRecord[];
    try {
      const changed = this.archive.changedSince(this.change);
      spans = changed.traceIds.length > 0 ? this.archive.spansOf(changed.traceIds) : [];
      records = changed.traceIds.length > 0 ? this.archive.logsOf(changed.traceIds) : [];
      this.change = changed.latest;
      if (!changed.complete) this.log('This window fell behind the shared trace database; some older traces show only after a reload');
    } catch (e) {
      this.log(`Reading the trace database failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (spans.length > 0 || records.length > 0) this.onRead(spans, records);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
