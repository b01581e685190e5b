// Several windows, one backend: the first window's trace server holds the receiver's port and
// writes the trace database; the second finds the port held by a trace server on the same database,
// follows it (the same runs, live), and takes the receiver over when the first closes, without
// losing a span either acknowledged.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import type { ReceiverStatus, ServerSettings } from '../../src/shared/lspProtocol';
import type { TraceId } from '../../src/model/units';
import { TraceService } from '../../src/server/traceService';

const dir = mkdtempSync(join(tmpdir(), 'shared-backend-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** One trace of `count` spans as OTLP/JSON. */
function batch(trace: number, count: number): { body: string; traceId: TraceId } {
  const traceId = hex(0xfeed0000 + trace, 32) as TraceId;
  const spans = Array.from({ length: count }, (_, i) => ({ traceId, spanId: hex(trace * 1000 + i + 1, 16), name: `span ${i}`, kind: 1, startTimeUnixNano: '1796000000000000000', endTimeUnixNano: '1796000001000000000' }));
  return { traceId, body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'dify-api' } }] }, scopeSpans: [{ scope: { name: 't' }, spans }] }] }) };
}

/** A trace service whose events can be awaited. */
function window(settings: ServerSettings): { service: TraceService; changed: (traceId: string) => Promise<void>; state: (state: ReceiverStatus['receiver']['state']) => Promise<void> } {
  const changeWaiters: { id: string; resolve: () => void }[] = [];
  const stateWaiters: { state: string; resolve: () => void }[] = [];
  const service = new TraceService(settings, {
    runsChanged: (ids) => {
      for (const w of changeWaiters.filter((w) => ids.includes(w.id as TraceId))) w.resolve();
    },
    statusChanged: (status) => {
      for (const w of stateWaiters.filter((w) => w.state === status.receiver.state)) w.resolve();
    },
    log: () => {},
  });
  return {
    service,
    changed: (id) => new Promise((resolve) => changeWaiters.push({ id, resolve })),
    state: (state) => (service.status().receiver.state === state ? Promise.resolve() : new Promise((resolve) => stateWaiters.push({ state, resolve }))),
  };
}

it('a second window follows the first one\'s receiver and database, live, and takes over when it closes', { timeout: 60_000 }, async () => {
  const archivePath = join(dir, 'traces.sqlite');
  const first = window({ receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 20 }, store: { maxSpans: 100_000, archivePath } });
  await first.service.start();
  const owner = first.service.status().receiver;
  assert.equal(owner.state, 'listening');
  const url = owner.state === 'listening' ? owner.url : '';
  const port = Number(new URL(url).port);
  const post = async (b: { body: string }) => (await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: b.body })).status;

  const early = batch(1, 5);
  assert.equal(await post(early), 200);

  const second = window({ receiver: { enabled: true, host: '127.0.0.1', port, maxBodyMiB: 20 }, store: { maxSpans: 100_000, archivePath } });
  await second.service.start();
  try {
    assert.deepEqual(second.service.status().receiver, { state: 'following', url }, 'the port is held by a trace server on the same database');
    assert.equal(second.service.store.spansOf(early.traceId)?.length, 5, 'what came before is there at start');

    // Live: a trace the first window receives shows in the second.
    const live = batch(2, 7);
    const arrived = second.changed(live.traceId);
    assert.equal(await post(live), 200);
    await arrived;
    assert.equal(second.service.store.spansOf(live.traceId)?.length, 7);
    // Its log records too.
    const logged = second.changed(live.traceId);
    const record = { timeUnixNano: '1796000000500000000', severityNumber: 17, body: { stringValue: 'KeyError: max_temp_c' }, traceId: live.traceId };
    assert.equal((await fetch(`${url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [record] }] }] }) })).status, 200);
    await logged;
    assert.equal(second.service.logs.logsOf(live.traceId)?.[0]?.body, 'KeyError: max_temp_c');

    // The first window closes: the second takes the port over and keeps receiving.
    const tookOver = second.state('listening');
    await first.service.stop();
    first.service.close();
    await tookOver;
    assert.deepEqual(second.service.status().receiver, { state: 'listening', url });
    const later = batch(3, 4);
    assert.equal(await post(later), 200);
    for (const b of [early, live, later]) assert.ok(second.service.store.spansOf(b.traceId)?.length, `trace ${b.traceId} is in the second window`);
    assert.equal(second.service.status().spans, 16, 'every acknowledged span, once');
  } finally {
    await second.service.stop();
    second.service.close();
  }
});

it('a port held by a foreign process is reported as in use, not followed', { timeout: 30_000 }, async () => {
  const { createServer } = await import('node:http');
  const foreign = createServer((_req, res) => res.end('not a trace server'));
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  const port = (foreign.address() as { port: number }).port;
  const service = new TraceService({ receiver: { enabled: true, host: '127.0.0.1', port, maxBodyMiB: 20 }, store: { maxSpans: 1_000, archivePath: join(dir, 'foreign.sqlite') } }, { runsChanged: () => {}, statusChanged: () => {}, log: () => {} });
  try {
    await service.start();
    assert.equal(service.status().receiver.state, 'portInUse');
  } finally {
    await service.stop();
    service.close();
    foreign.close();
  }
});
