import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { connect, createServer } from 'node:net';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { fromBinary, fromJson, type JsonValue } from '@bufbuild/protobuf';
import type { LogRecord } from '../../src/model/logRecord';
import type { Span } from '../../src/model/span';
import { StatusSchema } from '../../src/server/receiver/gen/google/rpc/status_pb';
import { ExportLogsServiceResponseSchema } from '../../src/server/receiver/gen/opentelemetry/proto/collector/logs/v1/logs_service_pb';
import { ExportTraceServiceResponseSchema } from '../../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import { OtlpHttpReceiver } from '../../src/server/receiver/otlpHttpReceiver';
import { BodyBudget } from '../../src/server/receiver/bodyBudget';
import { RefusalLog } from '../../src/server/receiver/refusalLog';
import { sampleJson, sampleProtobuf } from './otlpFixtures';
import { sampleLogsJson, sampleLogsProtobuf } from './otlpLogFixtures';

/** A receiver on a free loopback port for one describe block: listening before its tests, closed after them. Callbacks not given do nothing. */
function suiteReceiver(options: Partial<ConstructorParameters<typeof OtlpHttpReceiver>[0]> & { maxBodyBytes: number }): { receiver: OtlpHttpReceiver; readonly port: number } {
  const receiver = new OtlpHttpReceiver({ host: '127.0.0.1', port: 0, onSpans: () => {}, onLangfuseSpans: () => {}, onLogs: () => {}, onRejected: () => {}, ...options });
  let port = 0;
  before(async () => {
    const result = await receiver.listen();
    assert.ok(result.ok);
    port = result.port;
  });
  after(() => receiver.close());
  return {
    receiver,
    get port() {
      return port;
    },
  };
}

describe('OTLP/HTTP receiver', () => {
  const received: Span[][] = [];
  const receivedLogs: LogRecord[][] = [];
  const rejected: string[] = [];
  const suite = suiteReceiver({
    maxBodyBytes: 64 * 1024,
    onSpans: (s) => void received.push([...s]),
    onLangfuseSpans: (s) => received.push([...s]),
    onLogs: (r) => receivedLogs.push([...r]),
    onRejected: (r) => rejected.push(r),
  });

  const post = (path: string, body: Buffer | string, headers: Record<string, string>) => fetch(`http://127.0.0.1:${suite.port}${path}`, { method: 'POST', body, headers });

  it('accepts protobuf and answers with an empty ExportTraceServiceResponse', async () => {
    const before = received.length;
    const res = await post('/v1/traces', sampleProtobuf(), { 'content-type': 'application/x-protobuf' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
    const body = fromBinary(ExportTraceServiceResponseSchema, new Uint8Array(await res.arrayBuffer()));
    assert.equal(body.partialSuccess, undefined);
    assert.equal(received.length, before + 1);
  });

  it('keeps an idle connection open past an SDK export interval (5 s), so an exporter reusing it is not reset', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const keepAlive = await new Promise<string | undefined>((resolve, reject) => {
        const body = sampleProtobuf();
        const req = httpRequest({ host: '127.0.0.1', port: suite.port, path: '/v1/traces', method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
          res.resume();
          const header = res.headers['keep-alive'];
          res.on('end', () => resolve(Array.isArray(header) ? header.join(', ') : header));
        });
        req.on('error', reject);
        req.end(body);
      });
      // Node announces its keep-alive timeout to the client; the default (5 s) equals OTEL_BSP_SCHEDULE_DELAY.
      const seconds = Number(/timeout=(\d+)/.exec(keepAlive ?? '')?.[1]);
      assert.ok(seconds >= 30, `keep-alive: ${keepAlive ?? 'none'}`);
    } finally {
      agent.destroy();
    }
  });

  it('answers requests refused before their body is read (wrong path, method, content type) with their status, and the kept-alive connection serves the next one', async () => {
    // One connection for all: the refused requests' bodies must not be left on it for the next request.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (path: string, method: string, contentType: string, body: Buffer) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: suite.port, path, method, agent, headers: { 'content-type': contentType, 'content-length': body.length } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      });
    const before = received.length;
    // Larger than the socket buffers: unread, the sender would still be writing when the answer and the close come.
    const large = Buffer.alloc(8 * 1024 * 1024, 1);
    assert.equal(await send('/v1/tracez', 'POST', 'application/x-protobuf', large), 404);
    assert.equal(await send('/v1/traces', 'PUT', 'application/x-protobuf', large), 405);
    assert.equal(await send('/v1/traces', 'POST', 'text/plain', large), 400);
    assert.equal(await send('/v1/traces', 'POST', 'application/x-protobuf', sampleProtobuf()), 200);
    assert.equal(received.length, before + 1);
    agent.destroy();
  });

  it('accepts gzip JSON and answers in JSON', async () => {
    const res = await post('/v1/traces', gzipSync(sampleJson()), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
    assert.equal(received.at(-1)?.[0]?.name, 'POST /v1/workflows/run');
  });

  it('reports partial success when some spans have bad ids', async () => {
    const json = sampleJson().replace('"spanId":"eee19b7ec3c1b174"', '"spanId":""');
    const res = await post('/v1/traces', json, { 'content-type': 'application/json' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } };
    assert.equal(body.partialSuccess?.rejectedSpans, '1');
    assert.match(body.partialSuccess?.errorMessage ?? '', /malformed trace id or span id/);
  });

  it('accepts Langfuse\'s OTLP path, where Dify\'s native Langfuse export sends', async () => {
    const res = await post('/api/public/otel/v1/traces', sampleProtobuf(), { 'content-type': 'application/x-protobuf' });
    assert.equal(res.status, 200);
  });

  it('accepts the path Dify\'s Alibaba Cloud exporter builds, and answers its HEAD health check with 405', async () => {
    const res = await post('/adapt_my-license-key/api/otlp/traces', sampleProtobuf(), { 'content-type': 'application/x-protobuf' });
    assert.equal(res.status, 200);
    const head = await fetch(`http://127.0.0.1:${suite.port}/adapt_my-license-key/api/otlp/traces`, { method: 'HEAD' });
    assert.equal(head.status, 405);
  });

  it('accepts protobuf logs on /v1/logs and answers with an empty ExportLogsServiceResponse', async () => {
    const before = receivedLogs.length;
    const res = await post('/v1/logs', sampleLogsProtobuf(), { 'content-type': 'application/x-protobuf' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
    const body = fromBinary(ExportLogsServiceResponseSchema, new Uint8Array(await res.arrayBuffer()));
    assert.equal(body.partialSuccess, undefined);
    assert.equal(receivedLogs.length, before + 1);
    assert.equal(receivedLogs.at(-1)?.length, 11);
  });

  it('accepts gzip JSON logs and answers in JSON', async () => {
    const spans = received.length;
    const res = await post('/v1/logs', gzipSync(sampleLogsJson()), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
    assert.equal(receivedLogs.at(-1)?.[0]?.body, 'linked');
    assert.equal(received.length, spans, 'logs are not spans');
  });

  it('reports partial success with rejectedLogRecords when some records have malformed ids', async () => {
    const json = sampleLogsJson().replace('"spanId":""', '"spanId":"AQID"');
    const res = await post('/v1/logs', json, { 'content-type': 'application/json' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { partialSuccess?: { rejectedLogRecords?: string; errorMessage?: string } };
    assert.equal(body.partialSuccess?.rejectedLogRecords, '1');
    assert.match(body.partialSuccess?.errorMessage ?? '', /malformed trace id or span id/);
    assert.equal(receivedLogs.at(-1)?.length, 8);
  });

  it('answers a logs request whose handler throws with 503', async () => {
    const failing = new OtlpHttpReceiver({ host: '127.0.0.1', port: 0, maxBodyBytes: 1024 * 1024, onSpans: () => {}, onLangfuseSpans: () => {}, onLogs: () => { throw new Error('store is closed'); }, onRejected: () => {} });
    const result = await failing.listen();
    assert.ok(result.ok);
    try {
      const res = await fetch(`${result.url}/v1/logs`, { method: 'POST', body: sampleLogsProtobuf(), headers: { 'content-type': 'application/x-protobuf' } });
      assert.equal(res.status, 503);
      assert.match(fromBinary(StatusSchema, new Uint8Array(await res.arrayBuffer())).message, /store is closed/);
    } finally {
      await failing.close();
    }
  });

  const badCases: Array<[string, () => Promise<Response>, number, RegExp]> = [
    ['malformed protobuf', () => post('/v1/traces', Buffer.from([0x0a, 0xff, 0xff]), { 'content-type': 'application/x-protobuf' }), 400, /not a protobuf/],
    ['malformed JSON', () => post('/v1/traces', '{"resourceSpans":', { 'content-type': 'application/json' }), 400, /not valid JSON/],
    ['a wrong content type', () => post('/v1/traces', 'hello', { 'content-type': 'text/plain' }), 400, /Unsupported Content-Type/],
    ['truncated gzip', () => post('/v1/traces', gzipSync(sampleProtobuf()).subarray(0, 20), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }), 400, /not valid gzip/],
    ['a body over the limit', () => post('/v1/traces', Buffer.alloc(100 * 1024), { 'content-type': 'application/x-protobuf' }), 413, /exceeds the limit/],
    ['a gzip body over the limit once inflated', () => post('/v1/traces', gzipSync(Buffer.alloc(200 * 1024)), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }), 413, /decompressed/],
    ['an unknown path', () => post('/v2/traces', sampleProtobuf(), { 'content-type': 'application/x-protobuf' }), 404, /No OTLP endpoint/],
    ['malformed protobuf logs', () => post('/v1/logs', Buffer.from([0x0a, 0xff, 0xff]), { 'content-type': 'application/x-protobuf' }), 400, /not a protobuf ExportLogsServiceRequest/],
    ['malformed JSON logs', () => post('/v1/logs', '{"resourceLogs":', { 'content-type': 'application/json' }), 400, /not valid JSON/],
    ['logs in a wrong content type', () => post('/v1/logs', 'hello', { 'content-type': 'text/plain' }), 400, /Unsupported Content-Type/],
    ['a logs body over the limit', () => post('/v1/logs', Buffer.alloc(100 * 1024), { 'content-type': 'application/x-protobuf' }), 413, /exceeds the limit/],
    ['a gzip logs body over the limit once inflated', () => post('/v1/logs', gzipSync(Buffer.alloc(200 * 1024)), { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 413, /decompressed/],
  ];
  for (const [what, send, status, message] of badCases) {
    it(`answers ${what} with ${status} and a Status message, stores nothing, and keeps serving`, async () => {
      const count = received.length;
      const logCount = receivedLogs.length;
      const res = await send();
      assert.equal(res.status, status);
      // The Status comes in the request's encoding (protobuf when the content type is unknown).
      const statusMessage = res.headers.get('content-type') === 'application/json'
        ? fromJson(StatusSchema, (await res.json()) as JsonValue)
        : fromBinary(StatusSchema, new Uint8Array(await res.arrayBuffer()));
      assert.match(statusMessage.message, message);
      assert.match(rejected.at(-1) ?? '', message);
      assert.equal(received.length, count);
      assert.equal(receivedLogs.length, logCount);
      const ok = await post('/v1/traces', sampleProtobuf(), { 'content-type': 'application/x-protobuf' });
      assert.equal(ok.status, 200);
    });
  }

  it('reports a port in use instead of throwing', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const second = new OtlpHttpReceiver({ host: '127.0.0.1', port, maxBodyBytes: 1024, onSpans: () => {}, onLangfuseSpans: () => {}, onLogs: () => {}, onRejected: () => {} });
    const result = await second.listen();
    blocker.close();
    assert.equal(result.ok, false);
    assert.equal(result.ok ? '' : result.code, 'EADDRINUSE');
  });
});

describe('receiver exposure and what it logs', () => {
  const received: Span[][] = [];
  const rejected: string[] = [];
  const suite = suiteReceiver({
    maxBodyBytes: 64 * 1024,
    onSpans: (s) => void received.push([...s]),
    onLangfuseSpans: (s) => received.push([...s]),
    onRejected: (r) => rejected.push(r),
  });

  /** A POST with a Host header of our choosing (fetch would set its own). */
  const postWithHost = (host: string, path = '/v1/traces'): Promise<number> =>
    new Promise((resolve, reject) => {
      const body = sampleProtobuf();
      const req = httpRequest({ host: '127.0.0.1', port: suite.port, path, method: 'POST', headers: { host, 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });

  it('takes requests addressed to loopback only (a DNS-rebound page names its own host): 421 otherwise', async () => {
    const before = received.length;
    assert.equal(await postWithHost('attacker.example:4318'), 421);
    assert.equal(await postWithHost('192.168.1.7'), 421);
    assert.equal(received.length, before, 'nothing stored');
    for (const host of [`127.0.0.1:${suite.port}`, `localhost:${suite.port}`, '[::1]:4318', '127.0.0.2']) assert.equal(await postWithHost(host), 200, host);
    assert.match(rejected.at(-1) ?? rejected.find((r) => r.includes('loopback')) ?? '', /loopback/);
  });

  /**
   * Writes the whole body before reading the answer, as OTLP exporters do (Python's http.client
   * sends everything first): a raw socket, each write awaited, so a server that closes early is a
   * broken pipe here too.
   */
  const postWholeBody = async (size: number, chunked: boolean): Promise<number> => {
    const socket = connect(suite.port, '127.0.0.1');
    await once(socket, 'connect');
    const failed = new Promise<never>((_, reject) => socket.once('error', reject));
    const write = async (data: string | Buffer): Promise<void> => {
      if (!socket.write(data)) await Promise.race([once(socket, 'drain'), failed]);
    };
    await write(`POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1:${suite.port}\r\nContent-Type: application/x-protobuf\r\n${chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${size}`}\r\n\r\n`);
    const piece = Buffer.alloc(64 * 1024, 1);
    for (let sent = 0; sent < size; sent += piece.length) await write(chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece);
    if (chunked) await write('0\r\n\r\n');
    const [first] = (await Promise.race([once(socket, 'data'), failed])) as [Buffer];
    socket.destroy();
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(first.toString('latin1'))?.[1] ?? 0);
  };

  it('reads an oversized body to its end and answers 413, so a sender that writes it all first sees why (not a broken pipe)', async () => {
    assert.equal(await postWholeBody(4 * 1024 * 1024, false), 413, 'declared length');
    assert.equal(await postWholeBody(4 * 1024 * 1024, true), 413, 'chunked');
    assert.equal(await postWithHost(`127.0.0.1:${suite.port}`), 200, 'and keeps serving');
  });

  it('never writes an Aliyun license key from the path into a message', async () => {
    assert.equal(await postWithHost(`127.0.0.1:${suite.port}`, '/adapt_LICENSEKEY1234567/api/otlp/traces/'), 404);
    const message = rejected.at(-1) ?? '';
    assert.match(message, /adapt_<license key>/);
    assert.doesNotMatch(message, /LICENSEKEY1234567/);
  });

  it('cuts a Content-Type of any length in its message', async () => {
    const res = await fetch(`http://127.0.0.1:${suite.port}/v1/traces`, { method: 'POST', body: 'x', headers: { 'content-type': `text/${'a'.repeat(10_000)}` } });
    assert.equal(res.status, 400);
    assert.ok((rejected.at(-1) ?? '').length < 400, 'the message stays short');
  });
});

describe('refusal log', () => {
  it('logs the first refusal at once and the rest as one summary with samples', async () => {
    const lines: string[] = [];
    let summary: (line: string) => void = () => {};
    const summarised = new Promise<string>((resolve) => (summary = resolve));
    const log = new RefusalLog((line) => {
      lines.push(line);
      if (lines.length === 2) summary(line);
    }, 30);
    for (let i = 0; i < 20_000; i++) log.add(`refusal ${i % 5}`);
    assert.equal(lines.length, 1, 'one line at once');
    // The log's timer does not hold the process open (unref); this test's wait does.
    const keepAlive = setInterval(() => {}, 1_000);
    const second = await summarised.finally(() => clearInterval(keepAlive));
    assert.match(second, /19999 more request\(s\)/);
    assert.equal((second.match(/refusal \d/g) ?? []).length, 3, 'three samples');
    log.dispose();
  });
});

describe('receiver backpressure', () => {
  const received: Span[][] = [];
  const suite = suiteReceiver({ maxBodyBytes: 200 * 1024, budget: new BodyBudget(150 * 1024), onSpans: (s) => void received.push([...s]) });

  /** A request whose body arrives in two parts: `first` bytes now, the rest when `finish` is called. */
  async function openRequest(first: number, total: number): Promise<{ finish: () => Promise<{ status: number; retryAfter: string | undefined }> }> {
    const socket = connect(suite.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1:${suite.port}\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${total}\r\n\r\n`);
    socket.write(Buffer.alloc(first, 0));
    return {
      finish: async () => {
        socket.write(Buffer.alloc(total - first, 0));
        const [data] = (await once(socket, 'data')) as [Buffer];
        socket.destroy();
        const head = data.toString('latin1');
        return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), retryAfter: /\r\nretry-after: (\S+)/i.exec(head)?.[1] };
      },
    };
  }

  /** Until the receiver holds at least `bytes` of bodies (it has read what was sent so far). */
  async function holding(bytes: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (suite.receiver.budget.inUse < bytes) {
      if (Date.now() > deadline) assert.fail(`the receiver holds ${suite.receiver.budget.inUse} bytes, expected ${bytes}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('answers 503 with Retry-After when the bodies being read would pass its budget, then serves again', async () => {
    // Two requests hold 100 KiB of the 150 KiB budget; a third that sends 60 KiB would pass it.
    const a = await openRequest(50 * 1024, 70 * 1024);
    const b = await openRequest(50 * 1024, 70 * 1024);
    await holding(100 * 1024);
    const c = await openRequest(60 * 1024, 70 * 1024);
    const third = await c.finish();
    assert.equal(third.status, 503);
    assert.equal(third.retryAfter, '1');
    // The bodies held are released whatever their outcome (these are not valid protobuf: 400).
    assert.deepEqual((await Promise.all([a.finish(), b.finish()])).map((r) => r.status), [400, 400]);
    assert.equal(suite.receiver.budget.inUse, 0, 'nothing held once the requests are answered');
    const res = await fetch(`http://127.0.0.1:${suite.port}/v1/traces`, { method: 'POST', body: sampleProtobuf(), headers: { 'content-type': 'application/x-protobuf' } });
    assert.equal(res.status, 200);
  });
});

describe('receiver open to the network', () => {
  const received: Span[][] = [];
  const token = 'tok-3f9a1c0b7e2d4a58';
  const open = (withToken: boolean): OtlpHttpReceiver =>
    new OtlpHttpReceiver({ host: '0.0.0.0', port: 0, maxBodyBytes: 1024 * 1024, ...(withToken ? { token } : {}), onSpans: (s) => void received.push([...s]), onLangfuseSpans: () => {}, onLogs: () => {}, onRejected: () => {} });
  const send = async (receiver: OtlpHttpReceiver, path: string, headers: Record<string, string> = {}): Promise<number> => {
    const result = await receiver.listen();
    assert.ok(result.ok);
    try {
      // A 0.0.0.0 bind, reached through loopback.
      const res = await fetch(`http://127.0.0.1:${result.port}${path}`, { method: 'POST', body: sampleProtobuf(), headers: { 'content-type': 'application/x-protobuf', ...headers } });
      return res.status;
    } finally {
      await receiver.close();
    }
  };
  const basic = (user: string, secret: string): string => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;

  it('takes nothing without a token, and only requests carrying it the ways Dify sends a secret', async () => {
    assert.equal(await send(open(false), '/v1/traces', { authorization: `Bearer ${token}` }), 401, 'no token set: fails closed');
    assert.equal(await send(open(true), '/v1/traces'), 401, 'no credential');
    assert.equal(await send(open(true), '/v1/traces', { authorization: 'Bearer wrong-token-000000' }), 401, 'a wrong one');
    assert.equal(await send(open(true), '/v1/traces', { authorization: `Bearer ${token}` }), 200, "OTLP_API_KEY (Bearer)");
    assert.equal(await send(open(true), `/adapt_${token}/api/otlp/traces`), 200, 'Aliyun license key in the path');
    assert.equal(await send(open(true), '/v1/traces', { api_key: token }), 200, "Phoenix's api_key header");
    assert.equal(await send(open(true), '/api/public/otel/v1/traces', { authorization: basic('pk-lf-app', token) }), 200, 'Langfuse secret key');
  });
});
