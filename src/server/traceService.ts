import type { LogRecord } from '../model/logRecord';
import type { Span } from '../model/span';
import type { TraceId } from '../model/units';
import type { ReceiverState, ReceiverStatus, ServerSettings } from '../shared/lspProtocol';
import { defaultServerSettings } from '../shared/defaultSettings';
import { EmbeddedBackend } from './backends/embeddedBackend';
import { OtlpHttpReceiver } from './receiver/otlpHttpReceiver';
import { LogStore } from './store/logStore';
import { MemoryTraceStore } from './store/memoryTraceStore';
import { RunIndex } from './store/runIndex';

export interface TraceServiceEvents {
  readonly runsChanged: (traceIds: readonly TraceId[]) => void;
  readonly statusChanged: (status: ReceiverStatus) => void;
  readonly log: (message: string) => void;
}

const maxTracesWithRejections = 10_000;

/** Owns the stores, the run index and the receiver; knows nothing of LSP or VS Code. */
export class TraceService {
  readonly store: MemoryTraceStore;
  readonly logs: LogStore;
  /** Spans the receiver rejected (bad span id) per trace, so the trace can say it is incomplete. */
  private readonly rejectedSpans = new Map<TraceId, number>();
  readonly runs: RunIndex;
  readonly backend: EmbeddedBackend;
  private receiver: OtlpHttpReceiver | undefined;
  private receiverState: ReceiverState = { state: 'starting' };
  private rejectedRequests = 0;
  private lastError: string | undefined;
  private settings: ServerSettings;

  constructor(settings: ServerSettings, private readonly events: TraceServiceEvents) {
    this.settings = settings;
    this.store = new MemoryTraceStore(settings.store.maxSpans);
    this.logs = new LogStore(maxLogRecordsOf(settings));
    this.runs = new RunIndex(this.store, (traceId, needle) => this.logs.traceMatchesText(traceId, needle));
    this.backend = new EmbeddedBackend(this.store, this.runs, this.logs, (traceId) => this.rejectedSpans.get(traceId) ?? 0);
  }

  /** Adds spans from any source (receiver, file import, tests), and counts rejected ones per trace. */
  ingest(spans: readonly Span[], rejectedByTrace: ReadonlyMap<TraceId, number> = new Map()): void {
    const { touched, evicted } = this.store.add(spans);
    this.forget(evicted);
    for (const [traceId, count] of rejectedByTrace) this.rejectedSpans.set(traceId, (this.rejectedSpans.get(traceId) ?? 0) + count);
    // Traces whose every span was refused are never evicted with the store: keep the count bounded.
    for (const oldest of this.rejectedSpans.keys()) {
      if (this.rejectedSpans.size <= maxTracesWithRejections) break;
      this.rejectedSpans.delete(oldest);
    }
    const changed = this.runs.markChanged(touched);
    this.events.runsChanged([...changed, ...evicted, ...rejectedByTrace.keys()]);
    this.emitStatus();
  }

  private forget(evicted: readonly TraceId[]): void {
    this.runs.remove(evicted);
    this.logs.removeTraces(evicted);
    for (const id of evicted) this.rejectedSpans.delete(id);
  }

  /** Adds log records; their traces count as changed, so the panels showing them refresh. */
  ingestLogs(records: readonly LogRecord[]): void {
    const { touched, evicted } = this.logs.add(records);
    if (touched.length > 0 || evicted.length > 0) this.events.runsChanged([...touched, ...evicted]);
    this.emitStatus();
  }

  async start(): Promise<void> {
    const { enabled, host, port, maxBodyMiB } = this.settings.receiver;
    if (!enabled) {
      this.setState({ state: 'disabled' });
      return;
    }
    this.setState({ state: 'starting' });
    const receiver = new OtlpHttpReceiver({
      host,
      port,
      maxBodyBytes: Math.round(maxBodyMiB * 1024 * 1024),
      onSpans: (spans, rejectedByTrace) => this.ingest(spans, rejectedByTrace),
      onLogs: (records) => this.ingestLogs(records),
      onRejected: (reason) => {
        this.rejectedRequests++;
        this.lastError = reason;
        this.events.log(`Receiver refused a request: ${reason}`);
        this.emitStatus();
      },
    });
    const result = await receiver.listen();
    if (result.ok) {
      this.receiver = receiver;
      this.events.log(`OTLP/HTTP receiver listening on ${result.url}`);
      this.setState({ state: 'listening', url: result.url });
    } else if (result.code === 'EADDRINUSE') {
      this.events.log(`Port ${port} on ${host} is in use: ${result.message}`);
      this.setState({ state: 'portInUse', host, port });
    } else {
      this.events.log(`The receiver could not start: ${result.message}`);
      this.setState({ state: 'failed', message: result.message });
    }
  }

  async stop(): Promise<void> {
    await this.receiver?.close();
    this.receiver = undefined;
  }

  async configure(settings: ServerSettings): Promise<void> {
    const before = this.settings.receiver;
    this.settings = settings;
    const evicted = this.store.setMaxSpans(settings.store.maxSpans);
    if (evicted.length > 0) {
      this.forget(evicted);
      this.events.runsChanged(evicted);
    }
    const logsEvicted = this.logs.setMaxRecords(maxLogRecordsOf(settings));
    if (logsEvicted.length > 0) this.events.runsChanged(logsEvicted);
    const after = settings.receiver;
    const restart = before.enabled !== after.enabled || before.host !== after.host || before.port !== after.port || before.maxBodyMiB !== after.maxBodyMiB;
    if (restart || this.receiverState.state === 'portInUse' || this.receiverState.state === 'failed') {
      await this.stop();
      await this.start();
    }
    this.emitStatus();
  }

  status(): ReceiverStatus {
    const { spans, traces } = this.store.stats();
    const logRecords = this.logs.stats().records;
    return { receiver: this.receiverState, spans, traces, logRecords, rejectedRequests: this.rejectedRequests, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  private setState(state: ReceiverState): void {
    this.receiverState = state;
    this.emitStatus();
  }

  private emitStatus(): void {
    this.events.statusChanged(this.status());
  }
}

function maxLogRecordsOf(settings: ServerSettings): number {
  return settings.store.maxLogRecords ?? defaultServerSettings.store.maxLogRecords;
}
