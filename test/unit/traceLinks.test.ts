// The ways into the lookup besides the palette: the extension's URI and links in terminal output;
// and what the lookup remembers, export's file name and import's summary, the status bar figures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportFileName, importSummary, traceIdOfRunArg } from '../../src/host/commands/exportImport';
import { ageText, forgetLookup, maxRecentLookups, readRecentLookups, rememberLookup } from '../../src/host/commands/recentLookups';
import { findTraceLinks } from '../../src/host/commands/terminalTraceLinks';
import { parseTraceUri, traceUri } from '../../src/host/commands/traceUri';
import { grpcStatusText, listeningDetails, spanRateText, storeCountsText } from '../../src/host/views/receiverStatusText';
import type { ReceiverStatus } from '../../src/shared/lspProtocol';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const runUuid = 'f7c2a3d1-5b6e-4c8a-9d0f-1e2b3c4d5e6f';
const extensionId = 'dify-trace.dify-trace-explorer';

/** What `vscode.Uri.parse` gives a handler: the path, and the query decoded once. */
function asHandlerSees(link: string): [string, string] {
  const url = new URL(link);
  return [url.pathname, decodeURIComponent(url.search.slice(1))];
}

describe('parseTraceUri (vscode://dify-trace.dify-trace-explorer/trace?id=…)', () => {
  it('takes a trace id, a Dify UUID and a URL-encoded trace URL', () => {
    assert.deepEqual(parseTraceUri('/trace', `id=${traceId}`), { kind: 'lookup', text: traceId, query: { kind: 'traceId', traceId } });
    const byRun = parseTraceUri(...asHandlerSees(traceUri(extensionId, runUuid)));
    assert.equal(byRun.kind === 'lookup' && byRun.query.kind, 'difyId');
    const jaeger = `http://localhost:16686/search?service=api&traceID=${traceId}&limit=20`;
    const parsed = parseTraceUri(...asHandlerSees(traceUri(extensionId, jaeger)));
    assert.deepEqual(parsed, { kind: 'lookup', text: jaeger, query: { kind: 'traceId', traceId } });
  });

  it('reads a URL whose own query was decoded and split on & by the handler', () => {
    // VS Code decoded the query: `id=http://…/search?service=api&traceID=…` is no longer one parameter.
    const parsed = parseTraceUri('/trace', `id=http://localhost:16686/search?service=api&traceID=${traceId}`);
    assert.equal(parsed.kind === 'lookup' && parsed.query.kind === 'traceId' && parsed.query.traceId, traceId);
  });

  it('refuses other paths, missing or malformed ids, and very long links', () => {
    assert.equal(parseTraceUri('/settings', `id=${traceId}`).kind, 'invalid');
    assert.equal(parseTraceUri('/trace', '').kind, 'invalid');
    assert.equal(parseTraceUri('/trace', 'id=run-3').kind, 'invalid');
    assert.equal(parseTraceUri('/trace', `id=${'0'.repeat(32)}`).kind, 'invalid');
    assert.equal(parseTraceUri('/trace', `id=${traceId}&x=${'a'.repeat(5000)}`).kind, 'invalid');
    const refused = parseTraceUri('/trace', 'id=javascript:alert(1)');
    assert.equal(refused.kind, 'invalid');
    assert.match(refused.kind === 'invalid' ? refused.message : '', /Expected a trace id/);
  });
});

describe('findTraceLinks (terminal output)', () => {
  const texts = (line: string) => findTraceLinks(line).map((l) => l.text);

  it('links trace ids, Dify UUIDs and traceparent values that stand alone', () => {
    assert.deepEqual(texts(`trace_id=${traceId} run ${runUuid}.`), [traceId, runUuid]);
    assert.deepEqual(texts(`"workflow_run_id": "${runUuid}"`), [runUuid]);
    assert.deepEqual(texts(`traceparent: 00-${traceId}-00f067aa0ba902b7-01`), [`00-${traceId}-00f067aa0ba902b7-01`]);
    assert.deepEqual(texts(traceId.toUpperCase()), [traceId.toUpperCase()]);
    const [link] = findTraceLinks(`x ${traceId}`);
    assert.deepEqual(link, { startIndex: 2, length: 32, text: traceId, query: { kind: 'traceId', traceId } });
  });

  it('links trace URLs of Jaeger, Tempo (Grafana), Langfuse and Phoenix, without trailing punctuation', () => {
    const urls = [
      `http://localhost:16686/trace/${traceId}`,
      `https://cloud.langfuse.com/project/abc/traces/${traceId}`,
      `http://localhost:6006/projects/UHJvamVjdDox/traces?selectedTraceId=${traceId}`,
      `http://localhost:3000/explore?left=${encodeURIComponent(JSON.stringify({ queries: [{ query: traceId }] }))}`,
    ];
    for (const url of urls) assert.deepEqual(texts(`see ${url}).`), [url], url);
  });

  it('does not link ids inside paths, file names, longer hex, words or other URLs', () => {
    const lines = [
      `/var/lib/docker/containers/${traceId}/config.json`,
      `${runUuid}/logs`,
      `C:\\data\\${runUuid}`,
      `${traceId}.json`,
      `git commit ${traceId}abcdef01`,
      `md5-${traceId}`,
      `https://github.com/org/repo/issues/${runUuid}`,
      `https://example.com/download?file=${traceId}`,
      `${'0'.repeat(32)}`,
      traceId.slice(0, 16) + traceId.slice(16).toUpperCase(),
    ];
    for (const line of lines) assert.deepEqual(texts(line), [], line);
  });
});

describe('recent lookups', () => {
  it('keeps the newest first, one entry per text, at most ten', () => {
    let list = rememberLookup([], { text: 'a', found: 'not found', atMs: 1 });
    list = rememberLookup(list, { text: 'b', found: 'Travel Assistant · workflow · failed', atMs: 2 });
    list = rememberLookup(list, { text: 'a', found: 'trace 4bf92f35…', atMs: 3 });
    assert.deepEqual(
      list.map((r) => [r.text, r.found]),
      [
        ['a', 'trace 4bf92f35…'],
        ['b', 'Travel Assistant · workflow · failed'],
      ],
    );
    for (let i = 0; i < 20; i++) list = rememberLookup(list, { text: `t${i}`, found: 'x', atMs: i });
    assert.equal(list.length, maxRecentLookups);
    assert.equal(list[0]?.text, 't19');
    assert.deepEqual(forgetLookup(list, 't19')[0]?.text, 't18');
  });

  it('reads the stored list defensively', () => {
    assert.deepEqual(readRecentLookups([{ text: 'a', found: 'f', atMs: 1 }, { text: 'a', found: 'f', atMs: 2 }, { text: 3 }, null, { text: 'b', found: 'f', atMs: 'x' }]), [{ text: 'a', found: 'f', atMs: 1 }]);
    assert.deepEqual(readRecentLookups('x'), []);
  });

  it('says how long ago', () => {
    assert.equal(ageText(0, 30_000), 'just now');
    assert.equal(ageText(0, 5 * 60_000), '5 min ago');
    assert.equal(ageText(0, 3 * 3_600_000), '3 h ago');
    assert.equal(ageText(0, 72 * 3_600_000), '3 days ago');
  });
});

describe('export and import helpers', () => {
  it('takes the trace id from a Runs view node or a hex string, nothing else', () => {
    assert.equal(traceIdOfRunArg({ kind: 'run', run: { traceId: traceId.toUpperCase() } }), traceId);
    assert.equal(traceIdOfRunArg(traceId), traceId);
    assert.equal(traceIdOfRunArg({ kind: 'group', run: { traceId } }), undefined);
    assert.equal(traceIdOfRunArg('../../etc/passwd'), undefined);
    assert.equal(traceIdOfRunArg(undefined), undefined);
  });

  it('makes the suggested file name safe', () => {
    assert.equal(exportFileName('Travel Assistant-failed-4bf92f35.jsonl', traceId), 'Travel Assistant-failed-4bf92f35.jsonl');
    assert.equal(exportFileName('../../a/b\\c:d.json', traceId), 'a-b-c-d.json');
    assert.equal(exportFileName('run\u0000\u001f', traceId), 'run-.jsonl');
    assert.equal(exportFileName('...', traceId), 'dify-trace-4bf92f35.jsonl');
    assert.ok(exportFileName('x'.repeat(300), traceId).length <= 126);
  });

  it('sums up an import, with what was refused and what could not be read', () => {
    assert.equal(importSummary('run.jsonl', { spans: 42, logRecords: 3, traceIds: ['a', 'b'], rejected: 0, errors: [] }), 'Imported 42 spans and 3 log records (2 traces) from run.jsonl.');
    assert.equal(
      importSummary('run.jsonl', { spans: 1, logRecords: 0, traceIds: ['a'], rejected: 2, errors: ['line 3: not JSON', 'line 4: not JSON'] }),
      'Imported 1 span (1 trace) from run.jsonl; 2 refused (bad ids); 2 lines could not be read: line 3: not JSON ….',
    );
    assert.equal(importSummary('x.json', { spans: 0, logRecords: 0, traceIds: [], rejected: 0, errors: ['line 1: not JSON'] }), 'Nothing was imported from x.json: line 1: not JSON');
    assert.equal(importSummary('x.json', { spans: 0, logRecords: 0, traceIds: [], rejected: 0, errors: [] }), 'Nothing was imported from x.json. The file holds no OTLP spans or log records.');
  });
});

describe('receiver status text', () => {
  const status: ReceiverStatus = { receiver: { state: 'listening', url: 'http://127.0.0.1:4318' }, spans: 1200, traces: 30, logRecords: 0, rejectedRequests: 0, runs: 12 };

  it('shows the span rate when spans arrive', () => {
    assert.equal(spanRateText(undefined), '');
    assert.equal(spanRateText(0.01), '');
    assert.equal(spanRateText(2.345), '2.3 spans/s');
    assert.equal(spanRateText(57.6), '58 spans/s');
    assert.equal(spanRateText(12_345), '12.3k spans/s');
  });

  it('names the gRPC port beside the HTTP address, and its problem when it could not start', () => {
    assert.equal(grpcStatusText(status), undefined, 'no gRPC receiver (turned off, or an older server)');
    assert.deepEqual(grpcStatusText({ ...status, grpc: { state: 'listening', url: 'http://127.0.0.1:4317' }, acceptedRequests: { http: 3, grpc: 1 } }), {
      text: 'gRPC 4317',
      tooltip: 'OTLP/gRPC is taken at 127.0.0.1:4317 (1 request so far).',
      problem: false,
    });
    const inUse = grpcStatusText({ ...status, grpc: { state: 'portInUse', host: '127.0.0.1', port: 4317 } });
    assert.equal(inUse?.text, 'gRPC port 4317 in use');
    assert.equal(inUse?.problem, true);
    assert.match(inUse?.tooltip ?? '', /OTLP\/HTTP is/);
    assert.equal(grpcStatusText({ ...status, grpc: { state: 'disabled' } }), undefined);
  });

  it('names refused requests and the store counts', () => {
    assert.deepEqual(listeningDetails({ ...status, spansPerSecond: 3 }), { rate: '3.0 spans/s', refused: '' });
    assert.deepEqual(listeningDetails({ ...status, rejectedRequests: 2 }), { rate: '', refused: '2 refused' });
    assert.equal(storeCountsText(status), '30 traces · 1,200 spans in memory (embedded backend)');
    const older: ReceiverStatus = { receiver: status.receiver, spans: 1200, traces: 30, logRecords: 5, rejectedRequests: 0 };
    assert.equal(storeCountsText(older), '30 traces · 1,200 spans · 5 log records in memory (embedded backend)');
    assert.equal(storeCountsText({ ...status, spanBytes: 12.34 * 1024 * 1024 }), '30 traces · 1,200 spans (12.3 MiB) in memory (embedded backend)');
  });
});
