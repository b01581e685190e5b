// The Runs view's filter without VS Code: the server filter it stands for, what the input boxes
// accept, the words it is shown in, and its round trip through storage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDurationInput, formatTimeRangeInput, parseDuration, parseTimeRange, parseTokens } from '../../src/host/views/filterInputs';
import { compactSpec, isEmptySpec, readSpec, toRunFilter, type RunFilterSpec } from '../../src/host/views/runFilterSpec';
import { countsText, fetchedText, longFilterText, runsViewText, shortFilterText } from '../../src/host/views/runFilterText';
import { readBackends, suggestBackendId } from '../../src/host/backendSettings';

const now = new Date(2026, 10, 25, 12, 0, 0).getTime();

describe('toRunFilter', () => {
  it('turns a relative time range into sinceMs at the given clock', () => {
    assert.deepEqual(toRunFilter({ time: { kind: 'last', preset: '15m' } }, now), { sinceMs: now - 15 * 60_000 });
    assert.deepEqual(toRunFilter({ time: { kind: 'last', preset: '7d' } }, now + 1000), { sinceMs: now + 1000 - 7 * 86_400_000 });
  });

  it('sends one app as appName (every server reads it) and several as appNames', () => {
    assert.deepEqual(toRunFilter({ appNames: ['Travel Assistant'] }, now), { appName: 'Travel Assistant' });
    assert.deepEqual(toRunFilter({ appNames: ['A', 'B'] }, now), { appNames: ['A', 'B'] });
  });

  it('combines every field and leaves empty ones out', () => {
    const spec: RunFilterSpec = {
      status: ['failed'],
      appNames: ['Travel Assistant'],
      kinds: ['workflow'],
      time: { kind: 'between', sinceMs: 10, untilMs: 20 },
      text: '  timeout ',
      errorKinds: ['vectorDatabase'],
      nodeTypes: ['knowledge-retrieval'],
      plugins: ['acme/weather'],
      minDurationUs: 2_000_000,
      minTokens: 1000,
      conversationId: 'c1',
    };
    assert.deepEqual(toRunFilter(spec, now), {
      status: ['failed'],
      appName: 'Travel Assistant',
      kinds: ['workflow'],
      sinceMs: 10,
      untilMs: 20,
      text: 'timeout',
      errorKinds: ['vectorDatabase'],
      nodeTypes: ['knowledge-retrieval'],
      plugins: ['acme/weather'],
      minDurationUs: 2_000_000,
      minTokens: 1000,
      conversationId: 'c1',
    });
    assert.deepEqual(toRunFilter({ status: [], text: ' ', minTokens: 0, appNames: [] }, now), {});
    assert.equal(isEmptySpec({ status: [], text: '' }), true);
    assert.equal(isEmptySpec({ text: 'x' }), false);
  });
});

describe('readSpec (a stored filter, never trusted)', () => {
  it('keeps valid fields and drops unknown values', () => {
    const stored = { status: ['failed', 'exploded', 3], appNames: ['A', ''], time: { kind: 'last', preset: '1h' }, minTokens: -5, minDurationUs: 5, extra: true };
    assert.deepEqual(readSpec(stored), { status: ['failed'], appNames: ['A'], time: { kind: 'last', preset: '1h' }, minDurationUs: 5 });
  });

  it('refuses what is not an object, and bad time ranges', () => {
    assert.equal(readSpec('failed'), undefined);
    assert.equal(readSpec(null), undefined);
    assert.equal(readSpec([1]), undefined);
    assert.deepEqual(readSpec({ time: { kind: 'last', preset: '2y' } }), {});
    assert.deepEqual(readSpec({ time: { kind: 'between' } }), {});
    assert.deepEqual(readSpec({ time: { kind: 'between', untilMs: 7 } }), { time: { kind: 'between', untilMs: 7 } });
  });

  it('round-trips a compacted filter', () => {
    const spec = compactSpec({ status: ['failed'], text: 'max_temp_c', time: { kind: 'last', preset: '24h' }, kinds: [] });
    assert.deepEqual(readSpec(JSON.parse(JSON.stringify(spec))), spec);
  });
});

describe('parseTimeRange', () => {
  it('reads since, since .. until and .. until in local time', () => {
    assert.deepEqual(parseTimeRange('2026-03-02 09:00', now), { ok: true, value: { sinceMs: new Date(2026, 2, 2, 9, 0).getTime() } });
    assert.deepEqual(parseTimeRange('2026-03-02 09:00 .. 2026-03-02 12:30', now), {
      ok: true,
      value: { sinceMs: new Date(2026, 2, 2, 9, 0).getTime(), untilMs: new Date(2026, 2, 2, 12, 30).getTime() },
    });
    // A date alone as the upper bound: the whole day is in.
    assert.deepEqual(parseTimeRange('.. 2026-03-02', now), { ok: true, value: { untilMs: new Date(2026, 2, 3).getTime() } });
    assert.deepEqual(parseTimeRange('14:30', now), { ok: true, value: { sinceMs: new Date(2026, 10, 25, 14, 30).getTime() } });
  });

  it('reads ISO times with a zone', () => {
    assert.deepEqual(parseTimeRange('2026-03-02T09:00:00Z to 2026-03-02T12:00:00+01:00', now), {
      ok: true,
      value: { sinceMs: Date.UTC(2026, 2, 2, 9), untilMs: Date.UTC(2026, 2, 2, 11) },
    });
  });

  it('says what it expects for what it cannot read', () => {
    for (const bad of ['', 'yesterday', '2026-02-30', '25:00', '2026-03-02 .. 2026-03-01', '1 .. 2 .. 3']) {
      const parsed = parseTimeRange(bad, now);
      assert.equal(parsed.ok, false, bad);
    }
    const reversed = parseTimeRange('2026-03-02 10:00 .. 2026-03-02 09:00', now);
    assert.deepEqual(reversed, { ok: false, message: 'The start must be before the end.' });
  });

  it('formats a range that it reads back', () => {
    const range = { sinceMs: new Date(2026, 2, 2, 9, 5).getTime(), untilMs: new Date(2026, 2, 2, 17, 45).getTime() };
    const text = formatTimeRangeInput(range);
    assert.equal(text, '2026-03-02 09:05 .. 2026-03-02 17:45');
    assert.deepEqual(parseTimeRange(text, now), { ok: true, value: range });
    assert.equal(formatTimeRangeInput({ untilMs: range.untilMs }), '.. 2026-03-02 17:45');
  });
});

describe('parseDuration and parseTokens', () => {
  it('reads durations with units, a number alone as seconds', () => {
    const cases: [string, number][] = [
      ['2s', 2_000_000],
      ['500ms', 500_000],
      ['1.5 min', 90_000_000],
      ['1m30s', 90_000_000],
      ['3', 3_000_000],
      ['250us', 250],
      ['1h', 3_600_000_000],
    ];
    for (const [text, us] of cases) assert.deepEqual(parseDuration(text), { ok: true, value: us }, text);
    for (const bad of ['', 'fast', '2 parsecs', '2s extra', '-1s']) assert.equal(parseDuration(bad).ok, false, bad);
  });

  it('formats durations that it reads back', () => {
    for (const us of [2_000_000, 500_000, 90_000_000, 120_000_000, 250, 1_500_000]) {
      const text = formatDurationInput(us);
      assert.deepEqual(parseDuration(text), { ok: true, value: us }, text);
    }
  });

  it('reads token counts', () => {
    assert.deepEqual(parseTokens('2,000'), { ok: true, value: 2000 });
    assert.deepEqual(parseTokens('2k'), { ok: true, value: 2000 });
    assert.deepEqual(parseTokens('1.5k'), { ok: true, value: 1500 });
    for (const bad of ['', 'many', '1.5', '-3']) assert.equal(parseTokens(bad).ok, false, bad);
  });
});

describe('the filter in words', () => {
  const spec: RunFilterSpec = { status: ['failed'], appNames: ['Travel Assistant'], text: 'max_temp_c', time: { kind: 'last', preset: '1h' } };

  it('is short for the description and cut with an ellipsis', () => {
    assert.equal(shortFilterText(spec), 'failed · Travel Assistant · last hour · “max_temp_c”');
    const cut = shortFilterText(spec, 20);
    assert.equal(cut.length, 20);
    assert.ok(cut.endsWith('…'));
  });

  it('names each field in the long form', () => {
    assert.equal(longFilterText(spec), 'Status: failed; App: Travel Assistant; Time: last hour; Keyword: “max_temp_c”');
    assert.equal(longFilterText({ status: ['failed', 'partial-succeeded', 'stopped'], minDurationUs: 2_000_000, minTokens: 1500 }), 'Status: 3 statuses; Duration: ≥ 2.00 s; Tokens: ≥ 1,500 tokens');
  });

  it('gives counts shown, matching and total', () => {
    assert.equal(countsText({ shown: 3, matching: 3 }, false), '3 runs');
    assert.equal(countsText({ shown: 100, matching: 240 }, false), '100 of 240 runs');
    assert.equal(countsText({ shown: 1, matching: 1, total: 40 }, true), '1 matching of 40 runs');
    assert.equal(countsText({ shown: 100, matching: 300, total: 900 }, true), '100 shown of 300 matching of 900 runs');
  });

  it('puts the backend and counts in the description, the whole filter in the message', () => {
    assert.deepEqual(runsViewText({}, { shown: 3, matching: 3, total: 3 }, 'embedded'), { description: '3 runs · embedded', message: '3 runs (embedded).' });
    const text = runsViewText(spec, { shown: 1, matching: 1, total: 40 }, 'embedded');
    // The filter part is cut to 48 characters; the counts and the backend always show.
    assert.equal(text.description, 'failed · Travel Assistant · last hour · “max_te… · 1 of 40 · embedded');
    assert.equal(text.message, 'Filter: Status: failed; App: Travel Assistant; Time: last hour; Keyword: “max_temp_c”. 1 matching of 40 runs (embedded).');
    // Nothing shown: the welcome content explains, so there is no message (it would hide it).
    assert.equal(runsViewText(spec, { shown: 0, matching: 0, total: 40 }, 'embedded').message, '');
    assert.equal(runsViewText({}, { shown: 2, matching: 2 }, 'embedded', 'Port in use.').message, 'Port in use.\n2 runs (embedded).');
    // Runs whose spans are on disk only were matched by their summary: the message says so.
    const partly = runsViewText(spec, { shown: 1, matching: 1, total: 40, summaryOnly: 12 }, 'embedded').message.split('\n');
    assert.equal(partly.length, 2);
    assert.match(partly[1]!, /ids, app, error and failing node only of 12 older runs whose spans are in the trace database/);
    assert.equal(runsViewText({}, { shown: 1, matching: 1, summaryOnly: 12 }, 'embedded').message, '1 run (embedded).', 'no keyword, nothing to say');
  });
});

describe('remote backends in the Runs view', () => {
  it('reads difyTrace.backends entries it can use, and leaves out the rest', () => {
    assert.deepEqual(
      readBackends([
        { id: 'staging', kind: 'jaeger', url: ' http://jaeger.internal:16686 ', searchLimit: 500, lookbackHours: 2 },
        { id: 'staging', kind: 'jaeger', url: 'http://other:16686' },
        { id: 'embedded', kind: 'jaeger', url: 'http://x:1' },
        { id: 'tempo', kind: 'tempo', url: 'http://tempo:3200', caFile: ' /etc/ssl/company-ca.pem ', projects: ['ignored'] },
        { id: 'honeycomb', kind: 'honeycomb', url: 'http://x:1' },
        { id: 'bad url', kind: 'jaeger', url: 'http://x:1' },
        { id: 'file', kind: 'jaeger', url: 'file:///etc/passwd' },
        { id: 'files', kind: 'otlpFile', url: 'file:///var/log/otel' },
        { id: 'relative', kind: 'otlpFile', url: 'traces.jsonl' },
        { id: 'phoenix', kind: 'phoenix', url: 'http://phoenix:6006', projects: ['shop', 7, ' '], insecure: true },
        { id: 'big', kind: 'jaeger', url: 'https://j:1', searchLimit: 1e9 },
        { id: 'ali', kind: 'aliyun', url: 'https://xtrace.cn-hangzhou.aliyuncs.com', region: 'cn-shanghai', projects: ['ignored'] },
        { id: 'ali-2', kind: 'aliyun', url: 'https://xtrace.cn-hangzhou.aliyuncs.com', region: 'Not A Region' },
        { id: 'jaeger-region', kind: 'jaeger', url: 'https://j:2', region: 'cn-shanghai' },
        'jaeger',
      ]),
      [
        { id: 'staging', kind: 'jaeger', url: 'http://jaeger.internal:16686', searchLimit: 500, lookbackHours: 2 },
        { id: 'tempo', kind: 'tempo', url: 'http://tempo:3200', tls: { caFile: '/etc/ssl/company-ca.pem' } },
        { id: 'files', kind: 'otlpFile', url: 'file:///var/log/otel' },
        { id: 'phoenix', kind: 'phoenix', url: 'http://phoenix:6006', projects: ['shop'], tls: { insecure: true } },
        { id: 'big', kind: 'jaeger', url: 'https://j:1', searchLimit: 20_000 },
        { id: 'ali', kind: 'aliyun', url: 'https://xtrace.cn-hangzhou.aliyuncs.com', region: 'cn-shanghai' },
        { id: 'ali-2', kind: 'aliyun', url: 'https://xtrace.cn-hangzhou.aliyuncs.com' },
        { id: 'jaeger-region', kind: 'jaeger', url: 'https://j:2' },
      ],
    );
    assert.deepEqual(readBackends({ id: 'x' }), []);
  });

  it('says what a remote listing fetched, and that the filter was applied to it here', () => {
    const fetched = { source: 'Jaeger at http://127.0.0.1:16686', traces: 2000, limit: 2000, sinceMs: Date.UTC(2026, 11, 1, 10), untilMs: Date.UTC(2026, 11, 1, 11) };
    assert.match(fetchedText(fetched, true), /^From Jaeger at http:\/\/127\.0\.0\.1:16686: the 2,000 most recent traces that started .+ \(there may be more: narrow the time range\); the filter was applied to them here\.$/);
    assert.match(fetchedText({ ...fetched, traces: 12 }, false), /^From Jaeger at http:\/\/127\.0\.0\.1:16686: the 12 traces that started [^;]+\.$/);
    const text = runsViewText({}, { shown: 2, matching: 2 }, 'staging', undefined, fetched);
    assert.equal(text.description, '2 runs · staging');
    assert.match(text.message, /^2 runs \(staging\)\.\nFrom Jaeger/);
  });
});

describe('Add Backend', () => {
  it('suggests a name from the URL, unique among the backends', () => {
    assert.equal(suggestBackendId('http://jaeger.internal:16686', []), 'jaeger.internal');
    assert.equal(suggestBackendId('http://127.0.0.1:16686', ['jaeger']), 'jaeger-2');
    assert.equal(suggestBackendId('https://localhost/jaeger', ['jaeger', 'jaeger-2']), 'jaeger-3');
  });
});
