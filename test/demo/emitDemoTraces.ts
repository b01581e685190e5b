/**
 * Sends the demo's three "Travel Assistant" workflow runs (and, with `history`, nineteen older succeeded
 * runs of the same app, one of them slow in the plugin) to an OTLP/HTTP receiver with the real
 * OpenTelemetry JS SDK and OTLP protobuf exporters, one provider per emitting service: the spans, then
 * the API's log records (run 2's plugin error line with the traceback, apiLogs.ts). Resolves only once
 * every service's spans and the log records were accepted (rejects otherwise).
 *
 * With `exporters`, the app-level half of each run is also (or only) sent in the Arize Phoenix and Langfuse
 * native shapes (appShapes.ts); the infrastructure half is sent once whatever the exporters.
 *
 *   node --import tsx test/demo/emitDemoTraces.ts --endpoint http://127.0.0.1:4318 [--http-semconv default|http|http/dup]
 *     [--exporters aliyun,phoenix,langfuse] [--history]
 */
import { inspect } from 'node:util';
import { emitAliyunRun } from './aliyunShapes';
import { apiLogRecords } from './apiLogs';
import { emitLangfuseRun, emitPhoenixRun, type AppExporter, type AppTrace } from './appShapes';
import { emitDaemonRun } from './daemonShapes';
import { DEMO_RUNS, HISTORY_RUNS, type DemoRun } from './demoRuns';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { DemoService } from './emitter';
import type { HttpSemconv } from './httpSemconv';
import { emitApiRun } from './infraShapes';
import { DemoLogService } from './logEmitter';
import { BatchReplayer } from './replayBatch';
import { buildRunRecord } from './runRecords';
import { RESOURCES, type ServiceKey } from './services';

export interface EmitDemoOptions {
  /** Receiver base URL; spans go to `${endpoint}/v1/traces`, log records to `${endpoint}/v1/logs`. */
  readonly endpoint: string;
  /** Epoch ms the runs are placed before (default Date.now()). */
  readonly now?: number;
  /**
   * OTEL_SEMCONV_STABILITY_OPT_IN the simulated Dify API runs with, deciding the HTTP attribute keys
   * (see httpSemconv.ts). Default 'http/dup': old and stable keys both. Dify's own default is 'default'.
   */
  readonly httpSemconv?: HttpSemconv;
  /**
   * Exporters whose app-level shape each run is sent in (default ['aliyun']). Phoenix spans go to
   * `${endpoint}/v1/traces`, Langfuse's to `${endpoint}/api/public/otel/v1/traces` (its native OTLP path).
   */
  readonly exporters?: ReadonlyArray<AppExporter>;
  /**
   * Send the infrastructure half (API, plugin daemon and runtime spans, the API's logs) over OTLP/gRPC
   * to this address, as Dify does with OTEL_EXPORTER_OTLP_PROTOCOL=grpc; the app-level exporters
   * still use OTLP/HTTP, as Dify's do.
   */
  readonly grpcEndpoint?: string;
  /**
   * Also send HISTORY_RUNS, older than the three runs (55 to 12 minutes before `now`), in the same
   * exporters and with their infrastructure half: a history for views that compare runs of one app.
   */
  readonly history?: boolean;
}

export interface DemoRunSummary extends DemoRun {
  /** workflow_run.created_at / finished_at, epoch ms. */
  readonly startMs: number;
  readonly endMs: number;
}

export interface DemoSummary {
  readonly tracesUrl: string;
  readonly runs: readonly DemoRunSummary[];
  /** The HISTORY_RUNS sent with `history`, oldest first; empty without it. */
  readonly history: readonly DemoRunSummary[];
  /** Spans per service.name; each service sent them in one OTLP request. */
  readonly spansByService: Readonly<Record<string, number>>;
  readonly totalSpans: number;
  /** Trace export requests (one per service that had spans). */
  readonly exportRequests: number;
  readonly logsUrl: string;
  /** Log records the API sent, in `logExportRequests` requests (0 or 1). */
  readonly logRecords: number;
  readonly logExportRequests: number;
  /** The app-level trace of every run per exporter, in `exporters` order then run order. */
  readonly appTraces: readonly AppTrace[];
}

/** How long before `now` each run started: a few minutes ago, oldest first. */
const RUN_AGE_MS = [542_000, 347_000, 153_000] as const;
/** The same for HISTORY_RUNS: 55 to 12 minutes ago, before run 1, at uneven intervals as real use is. */
const HISTORY_AGE_MS: readonly number[] = HISTORY_RUNS.map((_, i) => 3_300_000 - i * 143_000 - ((i * 37) % 5) * 9_000);

function ageOf(ages: readonly number[], i: number): number {
  const age = ages[i];
  if (age === undefined) throw new Error(`no start time for demo run #${i}`);
  return age;
}

export async function emitDemoTraces(opts: EmitDemoOptions): Promise<DemoSummary> {
  const now = opts.now ?? Date.now();
  const mode = opts.httpSemconv ?? 'http/dup';
  const base = opts.endpoint.replace(/\/+$/, '');
  const tracesUrl = `${base}/v1/traces`;
  const logsUrl = `${base}/v1/logs`;
  const keys = Object.keys(RESOURCES) as ServiceKey[];
  const grpc = opts.grpcEndpoint;
  // The Aliyun app-level half is an ops-trace exporter: OTLP/HTTP whatever the infrastructure uses.
  const spanExporter = (k: ServiceKey) => (grpc === undefined || k === 'aliyunApp' ? undefined : new GrpcTraceExporter({ url: grpc }));
  const services = Object.fromEntries(keys.map((k) => [k, new DemoService(RESOURCES[k], tracesUrl, undefined, spanExporter(k))])) as Record<ServiceKey, DemoService>;
  const apiLogs = new DemoLogService(RESOURCES.difyApi, logsUrl, grpc === undefined ? undefined : new GrpcLogExporter({ url: grpc }));
  const exporters = [...new Set(opts.exporters ?? ['aliyun'])];
  const replayer = new BatchReplayer();
  const appTraces: AppTrace[] = [];
  try {
    const emitRun = (run: DemoRun, ageMs: number): DemoRunSummary => {
      const record = buildRunRecord(run, now - ageMs);
      const calls = emitApiRun(services.difyApi, record, mode);
      for (const log of apiLogRecords(record, calls)) apiLogs.emit(log);
      emitDaemonRun(services.pluginDaemon, services.pluginRuntime, record, calls);
      // Exported later by the Celery ops_trace worker, but stamped with the run's own times.
      if (exporters.includes('aliyun')) emitAliyunRun(services.aliyunApp, record);
      if (exporters.includes('phoenix')) appTraces.push(emitPhoenixRun(replayer, tracesUrl, record));
      if (exporters.includes('langfuse')) appTraces.push(emitLangfuseRun(replayer, `${base}/api/public/otel/v1/traces`, record));
      return { ...run, startMs: record.startMs, endMs: record.endMs };
    };
    const runs = DEMO_RUNS.map((run, i) => emitRun(run, ageOf(RUN_AGE_MS, i)));
    const history = opts.history === true ? HISTORY_RUNS.map((run, i) => emitRun(run, ageOf(HISTORY_AGE_MS, i))) : [];
    // Infrastructure spans first (sent during the request), the app half last (sent after the run).
    const order: ServiceKey[] = ['difyApi', 'pluginDaemon', 'pluginRuntime', 'aliyunApp'];
    const spansByService: Record<string, number> = {};
    let exportRequests = 0;
    for (const key of order) {
      const sent = await services[key].exportPending();
      spansByService[services[key].serviceName] = sent;
      if (sent > 0) exportRequests += 1;
    }
    for (const { label, spans } of await replayer.exportPending()) {
      spansByService[label] = (spansByService[label] ?? 0) + spans;
      if (spans > 0) exportRequests += 1;
    }
    const totalSpans = Object.values(spansByService).reduce((a, b) => a + b, 0);
    // Logs last: the API's log batch leaves after its span batch, and the spans they point at are then in place.
    const logRecords = await apiLogs.exportPending();
    const aliyunTraces = exporters.includes('aliyun')
      ? [...runs, ...history].map((r): AppTrace => ({ exporter: 'aliyun', runIndex: r.index, traceId: r.appTraceId, linkedTraceIds: [r.infraTraceId] }))
      : [];
    const ordered = exporters.flatMap((e) => (e === 'aliyun' ? aliyunTraces : appTraces.filter((t) => t.exporter === e)));
    return { tracesUrl, runs, history, spansByService, totalSpans, exportRequests, logsUrl, logRecords, logExportRequests: logRecords > 0 ? 1 : 0, appTraces: ordered };
  } finally {
    await Promise.all([...keys.map((k) => services[k].shutdown()), apiLogs.shutdown(), replayer.shutdown()]);
  }
}

function argValue(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(args: readonly string[]): Promise<void> {
  const endpoint = argValue(args, '--endpoint') ?? 'http://127.0.0.1:4318';
  const semconv = argValue(args, '--http-semconv');
  if (semconv !== undefined && semconv !== 'default' && semconv !== 'http' && semconv !== 'http/dup') {
    throw new Error(`--http-semconv must be default, http or http/dup, not ${semconv}`);
  }
  const exporters = (argValue(args, '--exporters') ?? 'aliyun').split(',').map((e) => e.trim());
  const unknown = exporters.filter((e) => e !== 'aliyun' && e !== 'phoenix' && e !== 'langfuse');
  if (unknown.length > 0) throw new Error(`--exporters takes aliyun, phoenix, langfuse (comma-separated), not ${unknown.join(',')}`);
  const summary = await emitDemoTraces({
    endpoint,
    exporters: exporters as AppExporter[],
    history: args.includes('--history'),
    ...(semconv === undefined ? {} : { httpSemconv: semconv }),
  });
  process.stdout.write(`sent ${summary.totalSpans} spans in ${summary.exportRequests} requests to ${summary.tracesUrl}\n`);
  process.stdout.write(`sent ${summary.logRecords} log record(s) in ${summary.logExportRequests} request(s) to ${summary.logsUrl}\n`);
  for (const run of [...summary.runs, ...summary.history]) {
    process.stdout.write(
      `run ${run.index} ${run.status.padEnd(9)} app trace ${run.appTraceId}  infra trace ${run.infraTraceId}` +
        `${run.failingNodeTitle === null ? '' : `  failed at "${run.failingNodeTitle}"`}\n`,
    );
  }
  // Aliyun app traces are the runs' appTraceId, printed above.
  for (const t of summary.appTraces.filter((a) => a.exporter !== 'aliyun')) process.stdout.write(`run ${t.runIndex} ${t.exporter.padEnd(8)} app trace ${t.traceId}\n`);
}

// Run as a script (node --import tsx test/demo/emitDemoTraces.ts ...), not when imported by tests.
if ((process.argv[1] ?? '').endsWith('emitDemoTraces.ts')) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    if (error instanceof Error && error.cause !== undefined) process.stderr.write(`cause: ${inspect(error.cause)}\n`);
    process.exitCode = 1;
  });
}
