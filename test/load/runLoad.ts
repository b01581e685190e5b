// Steady load on the embedded backend: Dify-shaped OTLP/HTTP batches at a fixed span rate into the
// real trace service (with its database) in a child process, its RSS sampled as it goes and the run
// listing timed while it ingests. Shared by the short test (npm test) and the long bench.
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { difyBatch } from '../../bench/difyBatch';
import { askChild } from '../askChild';

export interface LoadOptions {
  /** Node to run the trace service on (22.13+ for node:sqlite). */
  readonly node: string;
  readonly archivePath: string | undefined;
  readonly spansPerSecond: number;
  readonly seconds: number;
  readonly spansPerBatch?: number;
  /** How often RSS is sampled and the runs listed. */
  readonly sampleEveryMs?: number;
  /** The in-memory store's span bound (the trace service's default otherwise). */
  readonly maxSpans?: number;
}

export interface LoadReport {
  readonly persisted: boolean;
  readonly sentSpans: number;
  readonly acknowledgedSpans: number;
  readonly refusedBatches: number;
  readonly storedSpans: number;
  /** [seconds since start, RSS MiB]. */
  readonly rssCurve: readonly (readonly [number, number])[];
  readonly listMs: readonly number[];
  readonly achievedSpansPerSecond: number;
}

type Reply = { ready?: { url: string; persisted: boolean }; listed?: { ms: number }; stats?: { rss: number; spans: number }; reset?: true; opened?: { spans: number } };

/** The load target from source (tsx), or `env.LOAD_TARGET`: a bundle of it, as the extension ships its trace server. */
export function startTarget(node: string, archivePath: string | undefined, env: Record<string, string> = {}): ChildProcess {
  const bundled = env['LOAD_TARGET'];
  return fork(bundled ?? join(import.meta.dirname, 'loadTarget.ts'), archivePath ? [archivePath] : [], { execPath: node, execArgv: bundled === undefined ? ['--import', 'tsx'] : [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, ...env } });
}

/** A question to the load target; `{}` only waits for the reply (the first message, `ready`). */
export function ask(child: ChildProcess, message: object, key: keyof Reply): Promise<Reply> {
  return askChild<Reply>(child, Object.keys(message).length > 0 ? message : undefined, key);
}

export function postBatch(agent: Agent, url: string, body: Uint8Array): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${url}/v1/traces`, { method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

export async function runSteadyLoad(options: LoadOptions): Promise<LoadReport> {
  const perBatch = options.spansPerBatch ?? 100;
  const sampleEveryMs = options.sampleEveryMs ?? 1_000;
  const child = startTarget(options.node, options.archivePath, options.maxSpans === undefined ? {} : { LOAD_MAX_SPANS: String(options.maxSpans) });
  try {
    const { ready } = await ask(child, {}, 'ready');
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const intervalMs = (1000 * perBatch) / options.spansPerSecond;
    const started = performance.now();
    const rssCurve: [number, number][] = [];
    const listMs: number[] = [];
    let sent = 0;
    let acknowledged = 0;
    let refused = 0;
    let batchNo = 0;
    const inFlight = new Set<Promise<void>>();
    let nextSample = started;
    // Batches on a fixed schedule (not "as fast as answered"): the rate is what the sender offers.
    while (performance.now() - started < options.seconds * 1000) {
      const due = started + batchNo * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      // Traces of 16 spans, each batch its own traces: runs keep arriving, as from a busy Dify.
      const body = difyBatch(batchNo, perBatch, 1_000_000);
      batchNo++;
      sent += perBatch;
      const posted = postBatch(agent, ready!.url, body).then((status) => {
        if (status === 200) acknowledged += perBatch;
        else refused++;
      });
      inFlight.add(posted);
      void posted.finally(() => inFlight.delete(posted));
      if (performance.now() >= nextSample) {
        nextSample += sampleEveryMs;
        const at = (performance.now() - started) / 1000;
        void ask(child, { stats: true }, 'stats').then((r) => rssCurve.push([at, r.stats!.rss / 1024 / 1024]));
        void ask(child, { list: true }, 'listed').then((r) => listMs.push(r.listed!.ms));
      }
    }
    await Promise.all(inFlight);
    const seconds = (performance.now() - started) / 1000;
    const { stats } = await ask(child, { stats: true }, 'stats');
    agent.destroy();
    return { persisted: ready!.persisted, sentSpans: sent, acknowledgedSpans: acknowledged, refusedBatches: refused, storedSpans: stats!.spans, rssCurve, listMs, achievedSpansPerSecond: acknowledged / seconds };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.disconnect();
    await exited;
  }
}
