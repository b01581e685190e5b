// Run filters, the keyword index and facets over the embedded store: every RunFilter field alone
// and combined, paging under a filter, the keyword over span names, attribute values (JSON, escaped
// Unicode, prompts), events, linked infrastructure spans and log records, kept current as spans
// and records arrive or are evicted; the receiver status's rate and run count.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogRecord } from '../../src/model/logRecord';
import type { Attributes, Resource, Span } from '../../src/model/span';
import type { Microseconds, TraceId } from '../../src/model/units';
import type { RunFilter } from '../../src/shared/runSummary';
import { TraceService } from '../../src/server/traceService';
import { span, spanId, traceId } from './spanBuilder';

const appResource = (name: string): Resource => ({ serviceName: name, attributes: { 'service.name': name, 'acs.arms.service.feature': 'genai_app' } });
const apiResource: Resource = { serviceName: 'langgenius/dify', attributes: { 'service.name': 'langgenius/dify' } };
const common = (kind: string, extra: Attributes = {}): Attributes => ({ 'gen_ai.framework': 'dify', 'gen_ai.span.kind': kind, 'gen_ai.user.id': 'u1', ...extra });

interface RunOptions {
  readonly n: number;
  readonly app?: string;
  readonly startMs: number;
  readonly durationMs?: number;
  /** Failed run (root error) or a failing node with the run succeeding partly. */
  readonly failure?: { readonly message: string; readonly partial?: boolean };
  readonly chat?: { readonly conversationId: string };
  readonly tool?: { readonly title: string; readonly pluginId: string };
  readonly tokens?: number;
  readonly prompt?: string;
  readonly attributes?: Attributes;
  /** An infrastructure trace linked by Trace Link, with node spans of these types. */
  readonly infra?: { readonly n: number; readonly nodeTypes: readonly string[]; readonly text?: string };
}

/** An Aliyun run (workflow, or a chat app with a conversation) and its linked infrastructure trace. */
function run(o: RunOptions): Span[] {
  const trace = traceId(o.n);
  const resource = appResource(o.app ?? 'Travel Assistant');
  const links = o.infra === undefined ? [] : [{ traceId: traceId(o.infra.n), attributes: {} }];
  const start = o.startMs * 1000;
  const end = start + (o.durationMs ?? 1000) * 1000;
  const rootError = o.failure !== undefined && !o.failure.partial ? o.failure.message : undefined;
  const session = o.chat?.conversationId ?? '';
  const spans: Span[] = [
    span({ trace, id: 1, name: o.chat ? 'message' : 'workflow', resource, start, end, links, attributes: common('CHAIN', { 'gen_ai.session.id': session, ...o.attributes }), ...(rootError ? { error: rootError } : {}) }),
  ];
  if (o.chat) {
    spans.push(span({ trace, id: 2, parent: 1, name: 'llm', resource, start: start + 1, end: end - 1, links, attributes: common('LLM', { 'gen_ai.session.id': session, 'gen_ai.usage.total_tokens': String(o.tokens ?? 10), 'gen_ai.prompt': o.prompt ?? '' }) }));
  } else {
    spans.push(span({ trace, id: 2, parent: 1, name: 'Plan', resource, start: start + 1, end: start + 2, links, attributes: common('LLM', { 'gen_ai.usage.total_tokens': String(o.tokens ?? 10), 'gen_ai.prompt': o.prompt ?? '' }) }));
    if (o.tool) {
      const toolInfo = JSON.stringify({ provider_id: `${o.tool.pluginId}/${o.tool.pluginId.split('/')[1]}`, plugin_unique_identifier: `${o.tool.pluginId}:0.0.1@abc` });
      spans.push(span({ trace, id: 3, parent: 1, name: o.tool.title, resource, start: start + 3, end: start + 4, links, attributes: common('TOOL', { 'tool.description': toolInfo }), ...(o.failure ? { error: o.failure.message } : {}) }));
    } else if (o.failure) {
      spans.push(span({ trace, id: 3, parent: 1, name: 'Code', resource, start: start + 3, end: start + 4, links, attributes: common('TASK'), error: o.failure.message }));
    }
  }
  for (const [i, type] of (o.infra?.nodeTypes ?? []).entries()) {
    spans.push(span({ trace: traceId(o.infra!.n), id: 10 + i, name: `node ${type}`, start: start + 1, attributes: { 'node.type': type, 'dify.app_id': 'a', ...(o.infra?.text ? { 'db.statement': o.infra.text } : {}) } }));
  }
  return spans;
}

function serviceWith(runs: readonly Span[][], now?: () => number): TraceService {
  const service = new TraceService(
    { receiver: { enabled: false, host: '127.0.0.1', port: 0, maxBodyMiB: 1 }, store: { maxSpans: 100_000, maxLogRecords: 1000 } },
    { runsChanged: () => {}, statusChanged: () => {}, log: () => {} },
    now,
  );
  for (const spans of runs) service.ingest(spans);
  return service;
}

const ids = (service: TraceService, filter: RunFilter, limit = 100): number[] =>
  service.runs.list(filter, limit).runs.map((r) => parseInt(r.traceId, 16));

function log(trace: TraceId, body: string, attributes: Attributes = {}): LogRecord {
  return { timeUs: 5 as Microseconds, severityNumber: 17, severityText: 'ERROR', body, attributes, traceId: trace, spanId: spanId(1), resource: apiResource, scopeName: 'core.plugin.impl.base' };
}

describe('RunFilter fields', () => {
  const runs = [
    run({ n: 1, app: 'Travel Assistant', startMs: 1000, tokens: 50, tool: { title: 'Get Weather', pluginId: 'acme/weather' }, infra: { n: 101, nodeTypes: ['tool', 'code'] } }),
    run({ n: 2, app: 'Travel Assistant', startMs: 2000, durationMs: 9000, failure: { message: 'Weaviate query timed out' }, infra: { n: 102, nodeTypes: ['knowledge-retrieval'] } }),
    run({ n: 3, app: 'Support Bot', startMs: 3000, chat: { conversationId: 'c0ffee00-1111-4222-8333-444455556666' }, tokens: 500 }),
    run({ n: 4, app: 'Support Bot', startMs: 4000, chat: { conversationId: 'c0ffee00-1111-4222-8333-444455556666' }, tokens: 5 }),
    run({ n: 5, app: 'Contract Reviewer', startMs: 5000, failure: { message: 'CodeExecutionError: ZeroDivisionError', partial: true } }),
    run({ n: 6, app: 'Contract Reviewer', startMs: 6000, failure: { message: "Failed to invoke tool: PluginInvokeError: KeyError 'max_temp_c'" }, tool: { title: 'Translate', pluginId: 'langgenius/deepl' } }),
  ];
  const service = serviceWith(runs);

  it('lists every run newest first without a filter', () => {
    assert.deepEqual(ids(service, {}), [6, 5, 4, 3, 2, 1]);
  });

  it('filters by status, app, apps and kind', () => {
    assert.deepEqual(ids(service, { status: ['failed'] }), [6, 2]);
    assert.deepEqual(ids(service, { status: ['partial-succeeded', 'failed'] }), [6, 5, 2]);
    assert.deepEqual(ids(service, { appName: 'Support Bot' }), [4, 3]);
    assert.deepEqual(ids(service, { appNames: ['Support Bot', 'Contract Reviewer'] }), [6, 5, 4, 3]);
    assert.deepEqual(ids(service, { kinds: ['chat'] }), [4, 3]);
    assert.deepEqual(ids(service, { kinds: ['workflow'] }), [6, 5, 2, 1]);
    assert.deepEqual(ids(service, { status: [], appNames: [], kinds: [] }), [6, 5, 4, 3, 2, 1], 'an empty list means any');
  });

  it('filters by the time range: since inclusive, until exclusive', () => {
    assert.deepEqual(ids(service, { sinceMs: 2000 }), [6, 5, 4, 3, 2]);
    assert.deepEqual(ids(service, { untilMs: 4000 }), [3, 2, 1]);
    assert.deepEqual(ids(service, { sinceMs: 2000, untilMs: 4000 }), [3, 2]);
    assert.deepEqual(ids(service, { sinceMs: 7000 }), []);
    assert.deepEqual(ids(service, { sinceMs: 4000, untilMs: 2000 }), [], 'an empty range');
  });

  it('filters by error kind, node type (both halves) and plugin', () => {
    assert.deepEqual(ids(service, { errorKinds: ['timeout'] }), [2]);
    assert.deepEqual(ids(service, { errorKinds: ['pluginInvoke', 'sandbox'] }), [6, 5]);
    assert.deepEqual(ids(service, { nodeTypes: ['code'] }), [1], 'the code node runs only in the linked infrastructure trace');
    assert.deepEqual(ids(service, { nodeTypes: ['knowledge-retrieval', 'tool'] }), [6, 2, 1]);
    assert.deepEqual(ids(service, { nodeTypes: ['task'] }), [5, 2], "Aliyun's untyped nodes (the Code node) are `task`");
    assert.deepEqual(ids(service, { plugins: ['acme/weather'] }), [1]);
    assert.deepEqual(ids(service, { plugins: ['langgenius/deepl', 'acme/weather'] }), [6, 1]);
  });

  it('filters by minimum duration and tokens, and by conversation with or without dashes', () => {
    assert.deepEqual(ids(service, { minDurationUs: 5_000_000 }), [2]);
    assert.deepEqual(ids(service, { minDurationUs: 1_000_000 }), [6, 5, 4, 3, 2, 1], 'the minimum is inclusive');
    assert.deepEqual(ids(service, { minTokens: 50 }), [3, 1]);
    assert.deepEqual(ids(service, { conversationId: 'c0ffee00-1111-4222-8333-444455556666' }), [4, 3]);
    assert.deepEqual(ids(service, { conversationId: 'C0FFEE00111142228333444455556666' }), [4, 3]);
    assert.deepEqual(ids(service, { conversationId: 'c0ffee00-0000-4222-8333-444455556666' }), []);
  });

  it('combines fields with AND', () => {
    assert.deepEqual(ids(service, { status: ['failed'], appName: 'Travel Assistant' }), [2]);
    assert.deepEqual(ids(service, { status: ['failed'], appName: 'Travel Assistant', sinceMs: 2001 }), []);
    assert.deepEqual(ids(service, { appNames: ['Contract Reviewer', 'Travel Assistant'], nodeTypes: ['tool'], text: 'keyerror' }), [6]);
    assert.deepEqual(ids(service, { kinds: ['chat'], minTokens: 100, conversationId: 'c0ffee00-1111-4222-8333-444455556666' }), [3]);
  });

  it('pages a filtered listing with an exact total and a stable token', () => {
    const filter: RunFilter = { appNames: ['Travel Assistant', 'Contract Reviewer'] };
    const first = service.runs.list(filter, 3);
    assert.deepEqual(first.runs.map((r) => parseInt(r.traceId, 16)), [6, 5, 2]);
    assert.equal(first.totalMatching, 4);
    assert.ok(first.nextPageToken);
    const second = service.runs.list(filter, 3, first.nextPageToken);
    assert.deepEqual(second.runs.map((r) => parseInt(r.traceId, 16)), [1]);
    assert.equal(second.totalMatching, 4, 'the total counts every match, not the rest');
    assert.equal(second.nextPageToken, undefined);
    assert.equal(service.runs.list(filter, 2).nextPageToken !== undefined, true);
    assert.equal(service.runs.list(filter, 4).nextPageToken, undefined, 'no token when the page holds the last match');
    assert.deepEqual(service.runs.list(filter, 3, 'garbage').runs.length, 3, 'a malformed token starts over');
  });

  it('counts facets over the runs matching the filter', () => {
    const all = service.runs.facets({});
    assert.equal(all.total, 6);
    assert.deepEqual(all.apps, [
      { value: 'Contract Reviewer', count: 2 },
      { value: 'Support Bot', count: 2 },
      { value: 'Travel Assistant', count: 2 },
    ]);
    assert.deepEqual(all.statuses, [
      { value: 'succeeded', count: 3 },
      { value: 'failed', count: 2 },
      { value: 'partial-succeeded', count: 1 },
    ]);
    assert.deepEqual(all.kinds, [
      { value: 'workflow', count: 4 },
      { value: 'chat', count: 2 },
    ]);
    assert.deepEqual(all.errorKinds.map((f) => f.value).sort(), ['pluginInvoke', 'sandbox', 'timeout']);
    assert.deepEqual(all.plugins, [
      { value: 'acme/weather', count: 1 },
      { value: 'langgenius/deepl', count: 1 },
    ]);
    assert.equal(all.nodeTypes.find((f) => f.value === 'llm')?.count, 4);
    const failed = service.runs.facets({ status: ['failed'], text: 'weaviate' });
    assert.equal(failed.total, 1);
    assert.deepEqual(failed.apps, [{ value: 'Travel Assistant', count: 1 }]);
    assert.deepEqual(failed.nodeTypes.map((f) => f.value), ['knowledge-retrieval', 'llm', 'task']);
  });

  it('answers runFacets and listRuns through the backend', async () => {
    assert.equal((await service.backend.runFacets({ filter: { appName: 'Support Bot' } })).total, 2);
    assert.equal((await service.backend.listRuns({ filter: { appName: 'Support Bot' }, limit: 1 })).totalMatching, 2);
  });
});

describe('the keyword', () => {
  it('matches the run ids, app name and error message as substrings', () => {
    const service = serviceWith([run({ n: 0xabcdef12, startMs: 1000, failure: { message: 'Weaviate query timed out' } }), run({ n: 2, app: 'Support Bot', startMs: 2000 })]);
    assert.deepEqual(ids(service, { text: 'ABCDEF1' }), [0xabcdef12], 'a prefix of the trace id');
    assert.deepEqual(ids(service, { text: 'support b' }), [2]);
    assert.deepEqual(ids(service, { text: 'QUERY TIMED' }), [0xabcdef12]);
  });

  it('matches span names and attribute values: prompts, JSON with escapes, numbers, events, case-insensitively', () => {
    const withEvent = run({ n: 4, startMs: 4000 });
    withEvent[1] = { ...withEvent[1]!, events: [{ name: 'exception', timeUs: 1 as Microseconds, attributes: { 'exception.message': 'QdrantUnavailable: collection Vector_index_7_Node' } }] };
    const service = serviceWith([
      run({ n: 1, startMs: 1000, prompt: 'You are a travel planner. Recommend MUSEUMS in Lisbon.' }),
      run({ n: 2, startMs: 2000, attributes: { 'input.value': JSON.stringify({ query: 'caf\u00e9 in 東京', days: 3 }, null, 0).replace('é', '\\u00e9').replace('東京', '\\u6771\\u4eac') } }),
      run({ n: 3, startMs: 3000, attributes: { 'output.value': '{"text": "line one\\nrefund approved", "count": 42}', temperature: 23.5, nested: { deep: ['alpha', { beta: 'gamma ray' }] } } }),
      withEvent,
    ]);
    assert.deepEqual(ids(service, { text: 'museums' }), [1]);
    assert.deepEqual(ids(service, { text: 'Lisbon' }), [1]);
    assert.deepEqual(ids(service, { text: 'café' }), [2], 'a \\u escape in a JSON value is read as the character');
    assert.deepEqual(ids(service, { text: '東京' }), [2]);
    assert.deepEqual(ids(service, { text: '東' }), [2], 'one Han character');
    assert.deepEqual(ids(service, { text: 'refund' }), [3], 'a word after a \\n escape');
    assert.deepEqual(ids(service, { text: 'nrefund' }), [], 'the escape letter is not part of the word');
    assert.deepEqual(ids(service, { text: '23.5' }), [3], 'numbers as written');
    assert.deepEqual(ids(service, { text: 'gamma' }), [3], 'values nested in arrays and objects');
    assert.deepEqual(ids(service, { text: 'qdrantunavailable' }), [4], 'exception events');
    assert.deepEqual(ids(service, { text: 'plan' }), [4, 3, 2, 1], 'span names');
    assert.deepEqual(ids(service, { text: 'gen_ai.prompt' }), [], 'attribute keys are not searched');
    const long = 'Pneumonoultramicroscopicsilicovolcanoconiosis';
    const longer = serviceWith([run({ n: 1, startMs: 1, prompt: `${long} and caf\\u00e9s` }), run({ n: 2, startMs: 2, prompt: 'cafes' })]);
    assert.deepEqual(ids(longer, { text: long }), [1], 'a word longer than the vocabulary keeps, matched whole');
    assert.deepEqual(ids(longer, { text: 'cafés' }), [1], 'an escaped word, matched whole');
    assert.deepEqual(ids(longer, { text: 'cafes' }), [2]);
  });

  it('matches inside words, phrases and terms with punctuation exactly, and ANDs the terms', () => {
    const service = serviceWith([
      run({ n: 1, startMs: 1000, prompt: 'Weaviate retrieval timed out after 30 s' }),
      run({ n: 2, startMs: 2000, prompt: 'retrieval was slow; the request timed\tout; weaviate answered' }),
      run({ n: 3, startMs: 3000, prompt: 'Traceback: File "tools/get_weather.py", line 28' }),
      run({ n: 4, startMs: 4000, prompt: 'get the weather, py' }),
      run({ n: 5, startMs: 5000, prompt: '北京天气很好' }),
      run({ n: 6, startMs: 6000, prompt: '北京的天气' }),
    ]);
    assert.deepEqual(ids(service, { text: 'weav' }), [2, 1], 'a fragment of a word');
    assert.deepEqual(ids(service, { text: 'ieval' }), [2, 1], 'the end of a word');
    assert.deepEqual(ids(service, { text: '"timed out"' }), [2, 1], 'a phrase: whitespace of any kind between its words');
    assert.deepEqual(ids(service, { text: '"retrieval timed out"' }), [1]);
    assert.deepEqual(ids(service, { text: 'weaviate "timed out" retrieval' }), [2, 1], 'terms anywhere in the run');
    assert.deepEqual(ids(service, { text: 'weaviate slow' }), [2]);
    assert.deepEqual(ids(service, { text: 'get_weather.py' }), [3], 'punctuation inside a term is matched exactly');
    assert.deepEqual(ids(service, { text: 'weather.p' }), [3]);
    assert.deepEqual(ids(service, { text: '北京天气' }), [5], 'Han text as a phrase');
    assert.deepEqual(ids(service, { text: '天气' }), [6, 5]);
    assert.deepEqual(ids(service, { text: '   ' }), [6, 5, 4, 3, 2, 1], 'a blank keyword filters nothing');
    assert.deepEqual(ids(service, { text: '";"' }), [2], 'a term of punctuation only');
  });

  it('searches the linked infrastructure trace and the log records of the run', () => {
    const service = serviceWith([
      run({ n: 1, startMs: 1000, infra: { n: 101, nodeTypes: ['tool'], text: 'SELECT * FROM embeddings WHERE tenant = %(t)s' } }),
      run({ n: 2, startMs: 2000, infra: { n: 102, nodeTypes: ['tool'] } }),
      run({ n: 3, startMs: 3000, infra: { n: 103, nodeTypes: [] } }),
    ]);
    assert.deepEqual(ids(service, { text: 'embeddings' }), [1]);
    assert.deepEqual(ids(service, { text: 'stream' }), []);
    service.ingestLogs([log(traceId(102), 'Error in stream response for plugin acme/weather', { 'exception.stacktrace': 'File "tools/get_weather.py", line 28' })]);
    assert.deepEqual(ids(service, { text: 'stream' }), [2], 'a record that arrived after the spans');
    assert.deepEqual(ids(service, { text: 'get_weather.py' }), [2], 'the exception attributes of a record');
    // A linked trace whose spans were not sampled still has log records under its id.
    service.ingestLogs([log(traceId(103), 'MAX_TEMP_C missing')]);
    assert.deepEqual(ids(service, { text: 'max_temp_c' }), [3]);
  });

  it('follows spans that arrive late, and forgets evicted traces', () => {
    const service = new TraceService(
      { receiver: { enabled: false, host: '127.0.0.1', port: 0, maxBodyMiB: 1 }, store: { maxSpans: 8, maxLogRecords: 100 } },
      { runsChanged: () => {}, statusChanged: () => {}, log: () => {} },
    );
    const first = run({ n: 1, startMs: 1000 });
    service.ingest(first);
    assert.deepEqual(ids(service, { text: 'zebra' }), []);
    service.ingest([span({ trace: traceId(1), id: 9, parent: 1, name: 'Zebra Lookup', resource: appResource('Travel Assistant'), start: 1_000_010, attributes: common('TASK') })]);
    assert.deepEqual(ids(service, { text: 'zebra' }), [1], 'new spans of an indexed trace are read');
    service.ingest(run({ n: 2, startMs: 2000, prompt: 'zebra crossing' }));
    service.ingest(run({ n: 3, startMs: 3000, prompt: 'zebra again' }));
    service.ingest(run({ n: 4, startMs: 4000, prompt: 'zebra too' }));
    assert.deepEqual(ids(service, { text: 'zebra' }), [4, 3, 2], 'run 1 was evicted');
    service.ingest(run({ n: 1, startMs: 1000, prompt: 'giraffe' }));
    assert.deepEqual(ids(service, { text: 'zebra' }), [4, 3, 2], 'run 1 came back without its old text');
    assert.deepEqual(ids(service, { text: 'giraffe' }), [1]);
  });
});

describe('the listed runs kept in order as runs change', () => {
  it('moves a run whose root arrives late, hides an infrastructure run once an app run links to it, shows it again when that run goes', () => {
    const service = new TraceService(
      { receiver: { enabled: false, host: '127.0.0.1', port: 0, maxBodyMiB: 1 }, store: { maxSpans: 13, maxLogRecords: 100 } },
      { runsChanged: () => {}, statusChanged: () => {}, log: () => {} },
    );
    const infra = traceId(0x77);
    service.ingest([span({ trace: infra, id: 1, name: 'POST /v1/workflows/run', start: 500_000, attributes: { 'dify.app_id': 'a', 'node.type': 'llm' } })]);
    service.ingest(run({ n: 2, startMs: 2000 }));
    assert.deepEqual(ids(service, {}), [2, 0x77], 'the infrastructure run is listed while nothing links to it');
    // Run 3's node spans first (no root yet: its start is its first node's), then its root, earlier.
    const run3 = run({ n: 3, startMs: 3000, infra: { n: 0x77, nodeTypes: [] } });
    service.ingest(run3.slice(1).map((s) => ({ ...s, startUs: (4_000_000 + s.startUs) as Microseconds, endUs: (4_000_000 + s.endUs) as Microseconds })));
    assert.deepEqual(ids(service, {}), [3, 2], 'run 3 links the infrastructure trace, which is now shown inside it');
    assert.equal(service.runs.list({}, 10).runs[0]?.startMs, 7000);
    service.ingest([{ ...run3[0]!, startUs: 1_000_000 as Microseconds }]);
    assert.deepEqual(ids(service, {}), [2, 3], 'the root moved run 3 before run 2');
    assert.deepEqual(ids(service, { text: 'workflows' }), [3], 'the linked trace is searched as part of run 3');
    // Evict the oldest traces (the infrastructure trace, then run 2's and run 3's) by filling the store.
    service.ingest(run({ n: 4, startMs: 4000, prompt: 'a' }));
    service.ingest(run({ n: 5, startMs: 5000, prompt: 'b' }));
    service.ingest(run({ n: 6, startMs: 6000, prompt: 'c' }));
    service.ingest(run({ n: 7, startMs: 7000, prompt: 'd' }));
    service.ingest(run({ n: 8, startMs: 8000, prompt: 'e' }));
    assert.deepEqual(ids(service, {}), [8, 7, 6, 5, 4, 3]);
    service.ingest(run({ n: 9, startMs: 9000, prompt: 'f' }));
    assert.deepEqual(ids(service, {}), [9, 8, 7, 6, 5, 4]);
    assert.equal(service.runs.knownRunCount(), 6);
  });

  it('shows the infrastructure run again when the app run that linked to it is evicted', () => {
    const service = new TraceService(
      { receiver: { enabled: false, host: '127.0.0.1', port: 0, maxBodyMiB: 1 }, store: { maxSpans: 5, maxLogRecords: 100 } },
      { runsChanged: () => {}, statusChanged: () => {}, log: () => {} },
    );
    service.ingest(run({ n: 1, startMs: 1000, infra: { n: 0x77, nodeTypes: ['llm'] } }).slice(0, 2));
    service.ingest([span({ trace: traceId(0x77), id: 1, name: 'POST /v1/workflows/run', start: 500_000, attributes: { 'dify.app_id': 'a' } })]);
    assert.deepEqual(ids(service, {}), [1]);
    service.ingest([span({ trace: traceId(0x78), id: 1, name: 'noise', start: 1 }), span({ trace: traceId(0x78), id: 2, name: 'noise', start: 2 })]);
    service.ingest([span({ trace: traceId(0x79), id: 1, name: 'noise', start: 1 })]);
    assert.deepEqual([...service.store.traceIds()].map((t) => parseInt(t, 16)), [0x77, 0x78, 0x79], 'run 1 was evicted, its linked trace kept');
    assert.deepEqual(ids(service, {}), [0x77]);
  });
});

describe('receiver status', () => {
  it('reports spans per second over the last 10 s and the runs as of the last listing', () => {
    let now = 1_000_000;
    const service = serviceWith([], () => now);
    assert.equal(service.status().spansPerSecond, 0);
    service.ingest(run({ n: 1, startMs: 1 }));
    service.ingest(run({ n: 2, startMs: 2 }));
    assert.equal(service.status().spansPerSecond, 0.4, '4 spans in the window of 10 s');
    now += 9_000;
    service.ingest(run({ n: 3, startMs: 3 }));
    assert.equal(service.status().spansPerSecond, 0.6);
    now += 2_000;
    assert.equal(service.status().spansPerSecond, 0.2, 'the first second left the window');
    now += 60_000;
    assert.equal(service.status().spansPerSecond, 0);
    assert.equal(service.status().runs, 0, 'not classified yet');
    service.runs.list({}, 1);
    assert.equal(service.status().runs, 3);
  });
});
