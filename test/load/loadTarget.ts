// Child process for the load runs: the real TraceService with the trace database (node:sqlite: run
// it on Node 22.13 or later), answering the parent's questions over IPC: its memory, and how long
// listing the runs takes while spans pour in (what the Runs view asks on every change).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { TraceService } from '../../src/server/traceService';
import { TraceViews } from '../../src/server/traceView/traceViews';
import { WorkerDecoder } from '../../src/server/receiver/workerDecoder';

const archivePath = process.argv[2];
// How long the main thread (the one answering the editor) kept a timer waiting: what a hover or a
// Runs view request waits on top of its own work. Reset by the parent when its measurement starts.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const decoder = new WorkerDecoder();
let announced = false;
const service = new TraceService(
  { receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 20 }, store: { maxSpans: Number(process.env['LOAD_MAX_SPANS'] ?? '500000'), ...(archivePath ? { archivePath } : {}) } },
  {
    runsChanged: () => {},
    statusChanged: (status) => {
      if (announced || status.receiver.state !== 'listening') return;
      announced = true;
      process.send?.({ ready: { url: status.receiver.url, persisted: status.storage?.persisted === true } });
    },
    // LOAD_LOG=1: the trace server's log on stderr (why a database write failed, say).
    log: (message) => {
      if (process.env['LOAD_LOG']) console.error(message);
    },
  },
  Date.now,
  decoder,
);

/** Spans in the trace database (what was acknowledged must be there), read from the file beside the service's connection. */
function archivedSpans(): number | undefined {
  if (archivePath === undefined) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- node:sqlite, a built-in of the Node this runs on
  const { DatabaseSync } = require('node:sqlite') as { DatabaseSync: new (path: string, options: { readOnly: boolean }) => { prepare(sql: string): { get(): Record<string, unknown> | undefined }; close(): void } };
  const db = new DatabaseSync(archivePath, { readOnly: true });
  try {
    return Number(db.prepare('SELECT count(*) AS n FROM spans').get()?.['n'] ?? 0);
  } finally {
    db.close();
  }
}

// The trace view's side of the trace server, as the editor's panel asks it (its layouts are kept while open).
const traceViews = new TraceViews({
  getTrace: (params) => service.backend.getTrace(params),
  traceSpans: (params) => service.backend.traceSpans(params),
  resolveSource: () => Promise.reject(new Error('no workspace in the load target')),
});

process.on('message', (message: { list?: true; stats?: true; resetLoopDelay?: true; open?: string }) => {
  if (message.open !== undefined) {
    // A run opened in the panel: laid out, its layout kept.
    void traceViews.outline(message.open).then((header) => process.send?.({ opened: { spans: header?.spanCount ?? 0 } }));
  } else if (message.resetLoopDelay) {
    loopDelay.reset();
    process.send?.({ reset: true });
  } else if (message.list) {
    const started = performance.now();
    void service.backend.listRuns({ filter: {}, limit: 100 }).then((page) => process.send?.({ listed: { ms: performance.now() - started, runs: page.totalMatching } }));
  } else if (message.stats) {
    const status = service.status();
    const ms = (ns: number) => Math.round(ns / 1e5) / 10;
    const eventLoopDelayMs = { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
    process.send?.({ stats: { rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed, spans: status.spans, rejected: status.rejectedRequests, archived: archivedSpans(), eventLoopDelayMs } });
  }
});
process.on('disconnect', () => {
  void service.stop().then(() => {
    service.close();
    return decoder.close();
  }).then(() => process.exit(0));
});
void service.start();
