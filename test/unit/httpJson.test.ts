import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { getJson } from '../../src/server/backends/remote/httpJson';
import { SourceError, type SourceErrorKind } from '../../src/server/backends/remote/traceSource';

/** A misbehaving backend: each path answers one way a real one fails. */
const hits = new Map<string, number>();
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const n = (hits.get(path) ?? 0) + 1;
  hits.set(path, n);
  switch (path) {
    case '/busy-then-fine':
      if (n === 1) res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' }).end('{"message":"slow down"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    case '/rate-limited':
      res.writeHead(429, { 'retry-after': '3600', 'content-type': 'application/json' }).end('{"message":"quota exhausted"}');
      return;
    case '/unauthorized':
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"detail":"Invalid API key"}');
      return;
    case '/proxy-error':
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>Bad Gateway</body></html>');
      return;
    case '/login-page':
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Sign in</title>');
      return;
    case '/huge':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      for (let i = 0; i < 64; i++) res.write(`"${'x'.repeat(16 * 1024)}",`);
      res.end('"end"]');
      return;
    case '/never':
      // Headers, then nothing: a backend that hangs mid-answer.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      return;
    default:
      res.writeHead(404).end();
  }
});
let base = '';

async function failure(path: string, options: Parameters<typeof getJson>[2] = {}): Promise<SourceError> {
  try {
    await getJson('Test at loopback', new URL(path, base), options);
  } catch (e) {
    assert.ok(e instanceof SourceError, String(e));
    return e;
  }
  assert.fail(`${path} did not fail`);
}

describe('outbound HTTP to remote backends', () => {
  before(async () => {
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('retries a 429 the backend says to retry soon, and gives up on one it says to retry in an hour', async () => {
    const answer = await getJson('Test', new URL('/busy-then-fine', base));
    assert.deepEqual(answer.body, { ok: true });
    assert.equal(hits.get('/busy-then-fine'), 2);
    const e = await failure('/rate-limited');
    assert.equal(e.kind satisfies SourceErrorKind, 'rateLimited');
    assert.match(e.message, /rate limiting requests \(HTTP 429\): quota exhausted/);
    assert.equal(hits.get('/rate-limited'), 1);
  });

  it('types each failure so the view can offer the next step', async () => {
    const unauthorized = await failure('/unauthorized');
    assert.equal(unauthorized.kind, 'unauthorized');
    assert.match(unauthorized.message, /refused the credentials \(HTTP 401\): Invalid API key\. Set them with "Dify Trace: Set Backend Credentials…"/);
    const proxy = await failure('/proxy-error');
    assert.equal(proxy.kind, 'unreachable');
    assert.match(proxy.message, /answered HTTP 502\./);
    const login = await failure('/login-page');
    assert.equal(login.kind, 'badResponse');
    assert.match(login.message, /not JSON \(is the URL the backend's query API\?\): "<!doctype html><title>Sign in<\/title>"/);
    const huge = await failure('/huge', { maxBodyBytes: 256 * 1024 });
    assert.equal(huge.kind, 'tooLarge');
    const slow = await failure('/never', { timeoutMs: 300 });
    assert.equal(slow.kind, 'timeout');
    assert.match(slow.message, /did not finish its answer within 0 s|did not answer within/);
    const closed = await failure('http://127.0.0.1:9/x');
    assert.equal(closed.kind, 'unreachable');
  });

  it('stops when the user cancels, without calling it a backend failure', async () => {
    const controller = new AbortController();
    const pending = getJson('Test', new URL('/never', base), { signal: controller.signal, timeoutMs: 60_000 });
    controller.abort();
    await assert.rejects(pending, (e: unknown) => !(e instanceof SourceError));
  });

  it('reads a CA file the settings name, and says so when it cannot', async () => {
    const e = await failure('/busy-then-fine', { http: { caFile: '/nonexistent/ca.pem' } });
    assert.match(e.message, /the CA file \/nonexistent\/ca\.pem could not be read/);
  });
});
