/**
 * Hand-run self-check (not a test): a bare node:http receiver that only counts OTLP/HTTP protobuf
 * requests (traces and logs), emitDemoTraces against it, a receiver that refuses (the emit must reject), and the
 * sample files' lines the demo points at. Decodes nothing.
 *
 *   node --import tsx test/demo/emitDemoTraces.check.ts
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { codeLineRange, parseDifyDsl } from '../../src/dify/dsl/difyDsl';
import { DEMO_RUNS, NODES } from './demoRuns';
import { emitDemoTraces } from './emitDemoTraces';
import { PLUGIN_SOURCE } from './plugin';
import { CODE_FAILING_LINE, ITINERARY_CODE } from './sandbox';

interface Counts {
  requests: number;
  protobufRequests: number;
  logRequests: number;
  bytes: number;
  other: string[];
}

async function startReceiver(status: number): Promise<{ server: Server; url: string; counts: Counts }> {
  const counts: Counts = { requests: 0, protobufRequests: 0, logRequests: 0, bytes: 0, other: [] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      counts.requests += 1;
      const type = req.headers['content-type'] ?? '';
      if (req.method === 'POST' && req.url === '/v1/traces' && type === 'application/x-protobuf') {
        counts.protobufRequests += 1;
        counts.bytes += Buffer.concat(chunks).length;
      } else if (req.method === 'POST' && req.url === '/v1/logs' && type === 'application/x-protobuf') {
        counts.logRequests += 1;
      } else {
        counts.other.push(`${String(req.method)} ${String(req.url)} ${type}`);
      }
      res.writeHead(status, { 'content-type': 'application/x-protobuf', 'content-length': '0' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, counts };
}

const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

function checkSampleFiles(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), 'workspace');
  const pluginLines = readFileSync(join(root, 'weather-plugin', PLUGIN_SOURCE.file), 'utf8').split('\n');
  assert.equal(pluginLines[PLUGIN_SOURCE.line - 1], PLUGIN_SOURCE.lineText, 'plugin failing line');
  // DSL: written the way Dify exports (PyYAML, the code double-quoted); the Code node's code must be
  // the code the sandbox ran, and its failing line must map into the file.
  const dslText = readFileSync(join(root, 'travel-assistant.yml'), 'utf8');
  const parsed = parseDifyDsl(dslText);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  const node = parsed.dsl.nodes.find((n) => n.id === NODES.code.id);
  assert.ok(node?.code, 'the Code node by id');
  assert.equal(node.title, NODES.code.title, 'the Code node title');
  assert.equal(node.code.text, ITINERARY_CODE, 'DSL code equals the code in sandbox.ts');
  assert.equal(node.code.style, 'double-quoted', 'exported as Dify does');
  const mapped = codeLineRange(node.code, CODE_FAILING_LINE);
  assert.ok(mapped?.exact, 'the failing line maps exactly');
  const { start, end } = mapped.range;
  const fileLines = dslText.split('\n');
  const offset = (p: { line: number; character: number }): number => fileLines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  // The range may span a fold of the double-quoted scalar: read it back as one.
  const written = parse(`"${dslText.slice(offset(start), offset(end))}"`) as unknown;
  assert.equal(written, (ITINERARY_CODE.split('\n')[CODE_FAILING_LINE - 1] ?? '').trim(), 'the failing line as the DSL writes it');
  console.log(`sample files: ${PLUGIN_SOURCE.file}:${PLUGIN_SOURCE.line} matches; Code node line ${CODE_FAILING_LINE} is at DSL ${start.line + 1}:${start.character + 1}-${end.line + 1}:${end.character + 1}`);
}

async function main(): Promise<void> {
  checkSampleFiles();

  const ok = await startReceiver(200);
  try {
    const summary = await emitDemoTraces({ endpoint: ok.url });
    console.log(`receiver got ${ok.counts.protobufRequests} protobuf POST /v1/traces (${ok.counts.bytes} bytes), other requests: ${ok.counts.other.length}`);
    console.log(`summary: ${summary.totalSpans} spans, ${summary.exportRequests} export requests`, summary.spansByService);
    assert.equal(ok.counts.other.length, 0, ok.counts.other.join('; '));
    assert.equal(ok.counts.protobufRequests, summary.exportRequests, 'every export request reached the receiver before emitDemoTraces resolved');
    assert.equal(ok.counts.logRequests, summary.logExportRequests, 'the log export request reached the receiver before emitDemoTraces resolved');
    console.log(`receiver got ${ok.counts.logRequests} protobuf POST /v1/logs with ${summary.logRecords} record(s)`);
    assert.equal(summary.runs.length, DEMO_RUNS.length);
    for (const run of summary.runs) console.log(`  run ${run.index} ${run.status} ${new Date(run.startMs).toISOString()} ${run.appTraceId} -> ${run.infraTraceId}`);
  } finally {
    await close(ok.server);
  }

  const refusing = await startReceiver(400);
  try {
    await assert.rejects(emitDemoTraces({ endpoint: refusing.url }), /OTLP export of \d+ spans failed/);
    console.log(`a receiver answering 400 makes emitDemoTraces reject (${refusing.counts.requests} request(s) seen)`);
  } finally {
    await close(refusing.server);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
