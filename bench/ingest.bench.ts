// Receiver ingest throughput: protobuf batches of 512 Dify-shaped spans POSTed over loopback
// keep-alive connections to the real receiver + store in a child process.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { request, Agent } from 'node:http';
import { difyBatch } from './difyBatch';
import { summarise, writeResult } from './stats';

const batchCount = 200;
const concurrency = 4;
const spansPerBatch = 512;

async function main(): Promise<void> {
  const child = fork(new URL('./receiverProcess.ts', import.meta.url).pathname, { execArgv: ['--import', 'tsx'] });
  const [{ url }] = (await once(child, 'message')) as [{ url: string }];
  const batches = Array.from({ length: 8 }, (_, i) => Buffer.from(difyBatch(i, spansPerBatch)));
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

  function post(body: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = request(`${url}/v1/traces`, { method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  // Warm-up: JIT and first allocations.
  for (let i = 0; i < 10; i++) await post(batches[i % batches.length]!);

  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < batchCount) {
      const i = next++;
      latencies.push(await post(batches[i % batches.length]!));
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  child.send('stats');
  const [{ stats }] = (await once(child, 'message')) as [{ stats: { spans: number } }];
  child.kill();
  agent.destroy();

  const spansPerSecond = Math.round((batchCount * spansPerBatch) / seconds);
  const bytes = batches.reduce((n, b) => n + b.length, 0) / batches.length;
  const latency = summarise(latencies);
  console.log(`ingest: ${spansPerSecond.toLocaleString()} spans/s (${batchCount} batches × ${spansPerBatch} spans, ${(bytes / 1024).toFixed(0)} KiB each, ${concurrency} connections); request latency p50 ${latency.p50} ms, p95 ${latency.p95} ms; store holds ${stats.spans} spans`);
  writeResult('ingest', { spansPerSecond, batchCount, spansPerBatch, concurrency, meanBatchBytes: Math.round(bytes), latencyMs: latency, storedSpans: stats.spans });
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
