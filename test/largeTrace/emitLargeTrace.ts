/**
 * Posts the large generated Dify run to an OTLP/HTTP endpoint and prints the app trace id.
 *   node --import tsx test/largeTrace/emitLargeTrace.ts --url http://127.0.0.1:4318 [--spans 100000] [--seed 1]
 */
import { parseArgs } from 'node:util';
import { largeDifyTrace, postLargeTrace } from './largeTrace';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { url: { type: 'string' }, spans: { type: 'string', default: '100000' }, seed: { type: 'string', default: '1' } } });
  if (values.url === undefined) throw new Error('usage: emitLargeTrace.ts --url http://127.0.0.1:4318 [--spans 100000] [--seed 1]');
  const spanTarget = Number(values.spans);
  const seed = Number(values.seed);
  if (!Number.isInteger(spanTarget) || spanTarget < 100 || !Number.isInteger(seed)) throw new Error('--spans and --seed must be integers (spans ≥ 100)');
  const generated = performance.now();
  const trace = largeDifyTrace({ spanTarget, seed });
  const posted = performance.now();
  await postLargeTrace(values.url, trace);
  const done = performance.now();
  process.stderr.write(
    `${trace.spanCount} spans in ${trace.batches.length} batches: generated in ${Math.round(posted - generated)} ms, posted in ${Math.round(done - posted)} ms\n` +
      `infra trace ${trace.infraTraceId}, root cause ${trace.rootCause.name} ${trace.rootCause.spanId}, search "${trace.searchTarget.text}"\n`,
  );
  process.stdout.write(`${trace.appTraceId}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
