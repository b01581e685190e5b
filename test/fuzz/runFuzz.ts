// Drives the fuzz target (a child process running the real TraceService) with generated requests
// over OTLP/HTTP and OTLP/gRPC, a few at a time, and reports what a trustworthy receiver must
// show: no crash, no hang, every acknowledged span stored, memory back near its baseline.
import { fork, type ChildProcess } from 'node:child_process';
import { request, Agent } from 'node:http';
import { join } from 'node:path';
import { credentials, Client, Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { askChild } from '../askChild';
import { fuzzCase, wireBody, type FuzzCase } from './fuzzCases';

export interface FuzzOptions {
  readonly seed: number;
  readonly count: number;
  readonly concurrency?: number;
  readonly maxBodyMiB?: number;
  /** An answer later than this is a hang. */
  readonly timeoutMs?: number;
}

export interface FuzzReport {
  readonly requests: number;
  readonly byTransport: Readonly<Record<'http' | 'grpc', number>>;
  /** Per case kind, how it was answered ("200", "413", "grpc 3", …). */
  readonly answers: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly hangs: readonly string[];
  readonly crashed: string | undefined;
  readonly acknowledgedSpans: number;
  readonly missingSpans: number;
  readonly heapBaselineMiB: number;
  readonly heapAfterMiB: number;
  readonly storedSpanMiB: number;
  readonly rssAfterMiB: number;
  readonly latencyMs: readonly number[];
  readonly durationMs: number;
}

type Answer = { readonly label: string; readonly ok: boolean };
type Reply = { memory?: { heapUsed: number; rss: number; spanBytes: number }; missing?: number; ready?: { http: string; grpc: string } };

const MiB = 1024 * 1024;
const grpcPath = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

const ask = (child: ChildProcess, message: object | undefined, key: keyof Reply): Promise<Reply> => askChild<Reply>(child, message, key);

function sendHttp(base: string, agent: Agent, c: FuzzCase, timeoutMs: number): Promise<Answer> {
  const body = wireBody(c);
  const url = new URL(c.path, base);
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { 'content-type': c.contentType, 'content-length': body.length };
    const encoding = c.contentEncoding ?? (c.gzip ? 'gzip' : undefined);
    if (encoding) headers['content-encoding'] = encoding;
    const req = request(url, { method: c.method, agent, headers, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve({ label: String(res.statusCode), ok: res.statusCode === 200 }));
      res.on('error', () => resolve({ label: 'response error', ok: false }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ label: 'timeout', ok: false });
    });
    // The server may answer and close before the whole body is written (a refused request).
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ label: `connection ${e.code ?? e.message}`, ok: false }));
    req.end(body);
  });
}

function sendGrpc(clients: { plain: Client; gzip: Client }, c: FuzzCase, timeoutMs: number): Promise<Answer> {
  const client = c.gzip ? clients.gzip : clients.plain;
  const identity = (b: Buffer): Buffer => b;
  return new Promise((resolve) => {
    client.makeUnaryRequest(grpcPath, identity, identity, c.body, new Metadata(), { deadline: Date.now() + timeoutMs }, (error) => {
      if (!error) resolve({ label: 'grpc 0', ok: true });
      else resolve({ label: error.code === GrpcStatus.DEADLINE_EXCEEDED ? 'timeout' : `grpc ${error.code}`, ok: false });
    });
  });
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const maxBodyMiB = options.maxBodyMiB ?? 1;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const concurrency = options.concurrency ?? 8;
  const child = fork(join(import.meta.dirname, 'fuzzTarget.ts'), [], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: { ...process.env, FUZZ_MAX_BODY_MIB: String(maxBodyMiB) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let crashed: string | undefined;
  child.once('exit', (code, signal) => {
    crashed ??= `exited with ${signal ?? code}`;
  });
  const started = performance.now();
  const { ready } = await ask(child, undefined, 'ready');
  const baseline = (await ask(child, { memory: true }, 'memory')).memory!;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const grpcTarget = ready!.grpc.replace(/^http:\/\//, '');
  const clients = {
    plain: new Client(grpcTarget, credentials.createInsecure()),
    gzip: new Client(grpcTarget, credentials.createInsecure(), { 'grpc.default_compression_algorithm': 2 }),
  };
  const answers: Record<string, Record<string, number>> = {};
  const byTransport = { http: 0, grpc: 0 };
  const hangs: string[] = [];
  const acknowledged: (readonly [string, string])[] = [];
  const latencyMs: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.count && crashed === undefined) {
      const index = next++;
      const c = fuzzCase(options.seed, index, maxBodyMiB * MiB);
      const t0 = performance.now();
      const answer = c.transport === 'http' ? await sendHttp(ready!.http, agent, c, timeoutMs) : await sendGrpc(clients, c, timeoutMs);
      latencyMs.push(performance.now() - t0);
      byTransport[c.transport]++;
      const perKind = (answers[`${c.transport} ${c.kind}`] ??= {});
      perKind[answer.label] = (perKind[answer.label] ?? 0) + 1;
      if (answer.label === 'timeout') hangs.push(`case ${index} (${c.transport} ${c.kind})`);
      if (answer.ok) acknowledged.push(...c.spans);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  clients.plain.close();
  clients.gzip.close();
  agent.destroy();
  let missing = 0;
  let after = baseline;
  if (crashed === undefined) {
    // In slices: an IPC message of a million ids would be the fuzzer's own problem.
    for (let i = 0; i < acknowledged.length; i += 20_000) missing += (await ask(child, { missing: acknowledged.slice(i, i + 20_000) }, 'missing')).missing!;
    after = (await ask(child, { memory: true }, 'memory')).memory!;
  }
  child.disconnect();
  return {
    requests: byTransport.http + byTransport.grpc,
    byTransport,
    answers,
    hangs,
    crashed,
    acknowledgedSpans: acknowledged.length,
    missingSpans: missing,
    heapBaselineMiB: baseline.heapUsed / MiB,
    heapAfterMiB: after.heapUsed / MiB,
    storedSpanMiB: after.spanBytes / MiB,
    rssAfterMiB: after.rss / MiB,
    latencyMs,
    durationMs: performance.now() - started,
  };
}
