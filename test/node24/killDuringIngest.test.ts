// Durability: a span batch the receiver answered 200 is on disk. The trace server is killed with
// SIGKILL while batches are in flight; every batch it acknowledged is in the database afterwards.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, it } from 'node:test';
import { SpanArchive } from '../../src/server/store/spanArchive';

const dir = mkdtempSync(join(tmpdir(), 'kill-9-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** Batch `b` as OTLP/JSON: 50 spans of its own trace. */
function batch(b: number): string {
  const traceId = hex(0xabc00000 + b, 32);
  const spans = Array.from({ length: 50 }, (_, i) => ({ traceId, spanId: hex(b * 1000 + i + 1, 16), name: `span ${i}`, kind: 1, startTimeUnixNano: String(1_796_000_000_000_000_000n + BigInt(i)), endTimeUnixNano: String(1_796_000_000_000_000_000n + BigInt(i + 1)), attributes: [{ key: 'payload', value: { stringValue: 'x'.repeat(2_000) } }] }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'kill-9' } }] }, scopeSpans: [{ scope: { name: 't' }, spans }] }] });
}

for (const decoding of ['on the main thread', 'on the decode thread, which writes the spans'] as const) it(`loses no acknowledged span when the trace server is killed with SIGKILL in the middle of ingest (decoding ${decoding})`, { timeout: 120_000 }, async () => {
  const path = join(dir, `traces-${decoding.length}.sqlite`);
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'archivingTraceServer.ts'), path, ...(decoding === 'on the main thread' ? [] : ['worker'])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const [url] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const acknowledged: number[] = [];
  let killed = false;
  const send = async (b: number): Promise<void> => {
    try {
      const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: batch(b) });
      if (res.status === 200) acknowledged.push(b);
    } catch {
      // in flight when the process died: not acknowledged, nothing to check
    }
    // Kill it once enough batches are acknowledged, with others still on the wire.
    if (!killed && acknowledged.length >= 20) {
      killed = true;
      child.kill('SIGKILL');
    }
  };
  const batches = Array.from({ length: 200 }, (_, b) => b);
  const workers = Array.from({ length: 8 }, async (_, w) => {
    for (let i = w; i < batches.length && !killed; i += 8) await send(batches[i]!);
  });
  await Promise.all(workers);
  await exited;
  assert.ok(killed, 'the server was killed during ingest');
  assert.ok(acknowledged.length >= 20 && acknowledged.length < 200, `killed mid-way (${acknowledged.length} batches acknowledged)`);
  const opened = SpanArchive.open(path);
  assert.ok(opened.ok, opened.ok ? '' : opened.reason);
  const stored = new Set(opened.archive.loadRecent(1_000_000).map((s) => s.spanId as string));
  opened.archive.close();
  const missing = acknowledged.flatMap((b) => Array.from({ length: 50 }, (_, i) => hex(b * 1000 + i + 1, 16))).filter((id) => !stored.has(id));
  assert.deepEqual(missing, [], 'every span of every acknowledged batch is on disk');
});
