// The palette lookup's parser, on ids and on URLs shaped like those the tools really show.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lookupExpected, parseLookupQuery } from '../../src/shared/traceLookup';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const runUuid = 'f7c2a3d1-5b6e-4c8a-9d0f-1e2b3c4d5e6f';
const appUuid = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

describe('parseLookupQuery', () => {
  it('reads a 32-hex trace id in any case', () => {
    assert.deepEqual(parseLookupQuery(traceId), { kind: 'traceId', traceId });
    assert.deepEqual(parseLookupQuery(`  ${traceId.toUpperCase()}\n`), { kind: 'traceId', traceId });
    assert.deepEqual(parseLookupQuery(`"${traceId}"`), { kind: 'traceId', traceId });
  });

  it('reads a UUID as a Dify id that may also be a trace id', () => {
    assert.deepEqual(parseLookupQuery(runUuid.toUpperCase()), { kind: 'difyId', uuid: runUuid, traceIdCandidate: runUuid.replaceAll('-', '') });
  });

  it('reads base64 of 16 bytes (OTLP/JSON dumps) and a traceparent header', () => {
    const base64 = Buffer.from(traceId, 'hex').toString('base64');
    assert.equal(base64.length, 24);
    assert.deepEqual(parseLookupQuery(base64), { kind: 'traceId', traceId });
    assert.deepEqual(parseLookupQuery(Buffer.from(traceId, 'hex').toString('base64url') + '=='), { kind: 'traceId', traceId });
    assert.deepEqual(parseLookupQuery(`00-${traceId}-00f067aa0ba902b7-01`), { kind: 'traceId', traceId });
  });

  it('reads Jaeger URLs: the trace page, a short id, and the search page', () => {
    assert.deepEqual(parseLookupQuery(`http://localhost:16686/trace/${traceId}?uiFind=00f067aa0ba902b7`), { kind: 'traceId', traceId });
    assert.deepEqual(parseLookupQuery('http://localhost:16686/trace/a3ce929d0e0e4736'), { kind: 'traceId', traceId: '0000000000000000a3ce929d0e0e4736' });
    assert.deepEqual(parseLookupQuery(`http://localhost:16686/search?service=dify-api&traceID=${traceId}`), { kind: 'traceId', traceId });
  });

  it('reads Grafana Explore URLs with Tempo: the panes JSON, the older left JSON, and a traceId parameter', () => {
    const panes = {
      k2x: {
        datasource: 'tempo',
        queries: [{ refId: 'A', datasource: { type: 'tempo', uid: 'tempo' }, queryType: 'traceql', limit: 20, tableType: 'traces', query: traceId }],
        range: { from: 'now-1h', to: 'now' },
        panelsState: { trace: { spanId: '00f067aa0ba902b7' } },
      },
    };
    const explore = `http://localhost:3000/explore?schemaVersion=1&panes=${encodeURIComponent(JSON.stringify(panes))}&orgId=1`;
    assert.deepEqual(parseLookupQuery(explore), { kind: 'traceId', traceId });
    const left = ['now-1h', 'now', 'Tempo', { query: traceId.toUpperCase(), queryType: 'traceId' }];
    assert.deepEqual(parseLookupQuery(`http://grafana.local/explore?orgId=1&left=${encodeURIComponent(JSON.stringify(left))}`), { kind: 'traceId', traceId });
    assert.deepEqual(parseLookupQuery(`https://grafana.example.com/d/tempo-traces/traces?orgId=1&traceId=${traceId}`), { kind: 'traceId', traceId });
  });

  it('reads Langfuse URLs: /traces/<id> with a UUID (Dify exporter) or hex (OTel), /trace/<id>, and the peek view', () => {
    assert.deepEqual(parseLookupQuery(`https://cloud.langfuse.com/project/clkpwwm0m000gmm094odg11gi/traces/${runUuid}?timestamp=2025-05-22T10%3A00%3A00.000Z`), {
      kind: 'difyId',
      uuid: runUuid,
      traceIdCandidate: runUuid.replaceAll('-', ''),
    });
    assert.deepEqual(parseLookupQuery(`https://us.cloud.langfuse.com/project/clkpwwm0m000gmm094odg11gi/traces/${traceId}`), { kind: 'traceId', traceId });
    assert.deepEqual(parseLookupQuery(`https://cloud.langfuse.com/trace/${traceId}`), { kind: 'traceId', traceId });
    assert.deepEqual(parseLookupQuery(`https://cloud.langfuse.com/project/clkpwwm0m000gmm094odg11gi/traces?peek=${traceId}&timestamp=2025-05-22T10:00:00.000Z`), { kind: 'traceId', traceId });
  });

  it('reads Phoenix URLs: a trace page and the spans table with a selected trace', () => {
    assert.deepEqual(parseLookupQuery(`http://localhost:6006/projects/UHJvamVjdDox/traces/${traceId}?selectedSpanNodeId=U3BhbjoxMjM%3D`), { kind: 'traceId', traceId });
    assert.deepEqual(parseLookupQuery(`http://localhost:6006/projects/UHJvamVjdDox/spans?selectedTraceId=${traceId}&selectedSpanNodeId=U3BhbjoxMjM%3D`), { kind: 'traceId', traceId });
  });

  it('reads Dify console URLs: a conversation or message in the query, a run in the path, never the app id', () => {
    const expected = { kind: 'difyId', uuid: runUuid, traceIdCandidate: runUuid.replaceAll('-', '') };
    assert.deepEqual(parseLookupQuery(`https://cloud.dify.ai/app/${appUuid}/logs?page=1&conversation_id=${runUuid}`), { ...expected, difyIdKind: 'conversationId' });
    assert.deepEqual(parseLookupQuery(`http://localhost/app/${appUuid}/logs?message_id=${runUuid}`), { ...expected, difyIdKind: 'messageId' });
    assert.deepEqual(parseLookupQuery(`http://localhost/app/${appUuid}/workflow-runs/${runUuid}`), expected);
    const appOnly = parseLookupQuery(`https://cloud.dify.ai/app/${appUuid}/workflow`);
    assert.equal(appOnly.kind, 'invalid');
  });

  it('says what it expects for anything else', () => {
    for (const bad of ['', 'hello', traceId.slice(1), '0'.repeat(32), '00000000-0000-0000-0000-000000000000', `${traceId}z`, 'http://localhost:16686/search', 'https://[::1']) {
      const result = parseLookupQuery(bad);
      assert.equal(result.kind, 'invalid', bad);
      if (result.kind === 'invalid') assert.ok(result.expected.includes(lookupExpected), bad);
    }
  });
});
