// The "Filter Runs…" quick pick as data, the grouping of the Runs view, and saved filters.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunFacets, RunSummary } from '../../src/shared/runSummary';
import { facetsOfRuns, filterPickEntries, keepOneTimeChoice, optionKey, specFromPicks, type FilterOption, type PickEntry } from '../../src/host/views/runFilterPicks';
import { readSpec } from '../../src/host/views/runFilterSpec';
import { groupRuns } from '../../src/host/views/runGrouping';
import { findSavedFilter, readSavedFilters, validateFilterName, withoutSavedFilter, withSavedFilter } from '../../src/host/views/savedFilters';

const facets: RunFacets = {
  total: 12,
  apps: [
    { value: 'Order Support', count: 9 },
    { value: 'Travel Assistant', count: 3 },
  ],
  statuses: [
    { value: 'failed', count: 7 },
    { value: 'succeeded', count: 5 },
  ],
  kinds: [{ value: 'workflow', count: 12 }],
  errorKinds: [{ value: 'pluginInvoke', count: 2 }],
  hiddenErrors: 1,
  nodeTypes: [{ value: 'code', count: 4 }],
  plugins: [{ value: 'acme/weather', count: 3 }],
};

type OptionEntry = Extract<PickEntry, { type: 'option' }>;
const options = (entries: PickEntry[]) => entries.filter((e): e is OptionEntry => e.type === 'option');
const byKey = (entries: PickEntry[], key: string) => options(entries).find((e) => optionKey(e.option) === key)!;

describe('filterPickEntries', () => {
  it('lists every section with counts, in the order of the issue', () => {
    const entries = filterPickEntries(facets, {});
    const separators = entries.flatMap((e) => (e.type === 'separator' ? [e.label] : []));
    assert.deepEqual(separators, ['Status', 'App', 'Run kind', 'Time range (one)', 'Keyword', 'Error type', 'Node type', 'Plugin', 'Size']);
    assert.equal(byKey(entries, 'app:Order Support').description, '9 runs');
    assert.equal(byKey(entries, 'errorKind:pluginInvoke').label, 'plugin error');
    assert.equal(byKey(entries, 'preset:15m').label, 'Last 15 min');
    assert.ok(options(entries).every((e) => !e.picked), 'nothing is picked without a filter');
  });

  it('picks the choices of the current filter, and keeps values the store no longer has', () => {
    const entries = filterPickEntries(facets, { status: ['failed'], appNames: ['Gone App'], time: { kind: 'last', preset: '1h' }, text: 'timeout', conversationId: 'c-1' });
    assert.equal(byKey(entries, 'status:failed').picked, true);
    assert.equal(byKey(entries, 'status:succeeded').picked, false);
    assert.deepEqual({ ...byKey(entries, 'app:Gone App') }, { type: 'option', option: { field: 'app', value: 'Gone App' }, label: 'Gone App', description: '0 runs', picked: true });
    assert.equal(byKey(entries, 'preset:1h').picked, true);
    assert.equal(byKey(entries, 'input:text').picked, true);
    assert.equal(byKey(entries, 'input:text').editable, true);
    assert.equal(byKey(entries, 'input:minTokens').picked, false);
    assert.equal(byKey(entries, 'conversation').picked, true);
  });
});

describe('specFromPicks', () => {
  const pick = (...keys: string[]): FilterOption[] => {
    const all = options(filterPickEntries(facets, { text: 'old', minTokens: 10, time: { kind: 'between', sinceMs: 5 } }));
    return keys.map((k) => all.find((e) => optionKey(e.option) === k)!.option);
  };

  it('sets list fields from the picks and asks for newly picked values', () => {
    const outcome = specFromPicks({}, pick('status:failed', 'app:Travel Assistant', 'input:text', 'input:minDuration'));
    assert.deepEqual(outcome.spec, { status: ['failed'], appNames: ['Travel Assistant'] });
    assert.deepEqual(outcome.ask, ['text', 'minDuration']);
  });

  it('offers slow runs (slower than their app\'s p95) as a status choice, kept with the filter', () => {
    const outcome = specFromPicks({}, pick('slow', 'status:succeeded'));
    assert.deepEqual(outcome.spec, { status: ['succeeded'], slow: true });
    assert.equal(byKey(filterPickEntries(facets, outcome.spec), 'slow').picked, true);
    assert.deepEqual(readSpec(JSON.parse(JSON.stringify(outcome.spec))), outcome.spec, 'read back from workspace state');
  });

  it('keeps values that stay picked, clears unpicked ones', () => {
    const previous = { text: 'old', minTokens: 10, time: { kind: 'between' as const, sinceMs: 5 } };
    assert.deepEqual(specFromPicks(previous, pick('input:text', 'input:time')), { spec: { text: 'old', time: { kind: 'between', sinceMs: 5 } }, ask: [] });
    assert.deepEqual(specFromPicks(previous, []), { spec: {}, ask: [] });
  });

  it('a preset wins over a custom range', () => {
    const outcome = specFromPicks({}, pick('preset:24h'));
    assert.deepEqual(outcome.spec, { time: { kind: 'last', preset: '24h' } });
    assert.deepEqual(specFromPicks({}, pick('input:time')).ask, ['time']);
  });
});

describe('keepOneTimeChoice', () => {
  const o = (key: string): FilterOption => {
    const [field, value] = key.split(':') as [string, string];
    return field === 'input' ? { field: 'input', input: value as 'time' } : ({ field, value } as FilterOption);
  };
  it('unpicks the other time entries when one is picked', () => {
    const before = [o('status:failed'), o('preset:1h')];
    const after = [o('status:failed'), o('preset:1h'), o('preset:7d')];
    assert.deepEqual(keepOneTimeChoice(before, after).map(optionKey), ['status:failed', 'preset:7d']);
    assert.deepEqual(keepOneTimeChoice([o('preset:7d')], [o('preset:7d'), o('input:time')]).map(optionKey), ['input:time']);
    assert.deepEqual(keepOneTimeChoice(after, [o('status:failed')]).map(optionKey), ['status:failed']);
  });
});

const run = (over: Partial<RunSummary> & { traceId: string }): RunSummary => ({
  appName: 'Travel Assistant',
  kind: 'workflow',
  status: 'succeeded',
  source: 'aliyun',
  startMs: 0,
  durationUs: 1,
  spanCount: 1,
  linkedTraceIds: [],
  ...over,
});

describe('facetsOfRuns (for a server without runFacets)', () => {
  it('counts apps, statuses, error kinds, failing node types and plugins', () => {
    const runs = [
      run({ traceId: 'a', status: 'failed', errorKind: 'pluginInvoke', failingNode: { title: 'Get Weather', nodeType: 'tool' }, toolCalls: [{ spanId: 's', title: 't', pluginId: 'acme/weather', durationUs: 1, failed: true }] }),
      run({ traceId: 'b', appName: 'Order Support' }),
      run({ traceId: 'c', status: 'failed', errorKind: 'sandbox' }),
    ];
    const f = facetsOfRuns(runs);
    assert.equal(f.total, 3);
    assert.deepEqual(f.apps, [
      { value: 'Travel Assistant', count: 2 },
      { value: 'Order Support', count: 1 },
    ]);
    assert.deepEqual(f.statuses, [
      { value: 'failed', count: 2 },
      { value: 'succeeded', count: 1 },
    ]);
    assert.deepEqual(f.plugins, [{ value: 'acme/weather', count: 1 }]);
    assert.deepEqual(f.nodeTypes, [{ value: 'tool', count: 1 }]);
  });
});

describe('groupRuns', () => {
  const runs = [
    run({ traceId: '1', conversationId: 'conv-b', appName: 'Chat', kind: 'chat' }),
    run({ traceId: '2', appName: 'Travel Assistant' }),
    run({ traceId: '3', conversationId: 'conv-a', appName: 'Chat', kind: 'chat' }),
    run({ traceId: '4', conversationId: 'conv-b', appName: 'Chat', kind: 'chat' }),
  ];

  it('groups by app in order of the newest run, with stable ids', () => {
    const groups = groupRuns(runs, 'app');
    assert.deepEqual(
      groups.map((g) => [g.id, g.runs.map((r) => r.traceId)]),
      [
        ['app:Chat', ['1', '3', '4']],
        ['app:Travel Assistant', ['2']],
      ],
    );
  });

  it('groups by conversation; runs outside one go into a group per app', () => {
    const groups = groupRuns(runs, 'conversation');
    assert.deepEqual(
      groups.map((g) => [g.id, g.label, g.runs.map((r) => r.traceId)]),
      [
        ['conv:conv-b', 'Chat · conversation conv-b', ['1', '4']],
        ['noconv:Travel Assistant', 'Travel Assistant · no conversation', ['2']],
        ['conv:conv-a', 'Chat · conversation conv-a', ['3']],
      ],
    );
    assert.deepEqual(groupRuns(runs, 'none'), []);
  });
});

describe('saved filters', () => {
  it('adds, replaces by name (ignoring case), deletes, and sorts by name', () => {
    let list = withSavedFilter([], 'Weaviate timeouts', { errorKinds: ['vectorDatabase'] });
    list = withSavedFilter(list, 'Failures', { status: ['failed'] });
    list = withSavedFilter(list, 'failures', { status: ['failed', 'partial-succeeded'] });
    assert.deepEqual(
      list.map((s) => s.name),
      ['failures', 'Weaviate timeouts'],
    );
    assert.deepEqual(findSavedFilter(list, 'FAILURES')?.spec, { status: ['failed', 'partial-succeeded'] });
    assert.deepEqual(
      withoutSavedFilter(list, 'weaviate TIMEOUTS').map((s) => s.name),
      ['failures'],
    );
  });

  it('reads the stored list defensively', () => {
    const stored = [{ name: 'ok', spec: { status: ['failed'] } }, { name: '', spec: { status: ['failed'] } }, { name: 'empty', spec: {} }, { name: 'bad', spec: 'x' }, 'junk', { name: 'OK', spec: { text: 'dup' } }];
    assert.deepEqual(readSavedFilters(stored), [{ name: 'ok', spec: { status: ['failed'] } }]);
    assert.deepEqual(readSavedFilters({}), []);
  });

  it('validates names', () => {
    assert.equal(validateFilterName('  '), 'Enter a name for the filter.');
    assert.match(validateFilterName('x'.repeat(81)) ?? '', /at most 80/);
    assert.equal(validateFilterName('Failures'), undefined);
  });
});
