// Trace-derived code insights over the demo: the demo sent through the real receiver, the failed
// runs' root causes resolved against the demo workspace on disk (its plugin found by manifest.yaml,
// its app DSL by `kind: app`), one diagnostic per failing line (the plugin's KeyError, and the Code
// node's line in the DSL), aggregated across runs, a CodeLens on the tool's `_invoke`, hovers, the
// quick fix, the window, and everything cleared when the traces are gone.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { collectRunFailures, diagnosticsByUri, failureSites, formatUtc, PublishedDiagnostics, ResolutionCache, type RunFailure } from '../../src/server/languageFeatures/failureIndex';
import { SourceInsights, type ShowToolRunsArgs } from '../../src/server/languageFeatures/sourceInsights';
import { DslCache } from '../../src/server/sourceLinks/codeNodeLocations';
import { SourceResolver } from '../../src/server/sourceLinks/sourceResolver';
import { nodeFileAccess, scanWorkspace } from '../../src/server/workspace/workspaceIndex';
import type { SourceInsightSettings } from '../../src/shared/lspProtocol';
import type { RunSummary } from '../../src/shared/runSummary';
import { DEMO_RUNS } from '../demo/demoRuns';
import { CODE_FAILING_LINE, ITINERARY_CODE } from '../demo/sandbox';
import { quietTraceService, startAndSendDemo } from './demoService';

const workspaceDir = join(__dirname, '..', 'demo', 'workspace');
const pluginDir = join(workspaceDir, 'weather-plugin');
const dslPath = join(workspaceDir, 'travel-assistant.yml');
const messageOf = (d: Diagnostic | undefined): string => (typeof d?.message === 'string' ? d.message : (d?.message.value ?? ''));

describe('code insights over the demo', () => {
  const service = quietTraceService();
  const run2 = DEMO_RUNS[1];
  const run3 = DEMO_RUNS[2];
  const workspace = scanWorkspace([pathToFileURL(workspaceDir).href, 'untitled:nothing', pathToFileURL(join(workspaceDir, 'missing')).href]);
  let settings: SourceInsightSettings = { pathMappings: [], windowMinutes: 60, diagnostics: true, codeLens: true };
  const context = { workspace: () => workspace, settings: () => settings, files: nodeFileAccess, dsls: new DslCache(nodeFileAccess) };
  let resolver: SourceResolver;
  let now = Date.now();
  const insights = () => new SourceInsights({ listRuns: (p) => service.backend.listRuns(p), resolver, ...context, now: () => now });

  before(async () => {
    await startAndSendDemo(service);
    resolver = new SourceResolver(service.backend, context);
    now = Date.now();
  });
  after(() => service.stop());

  it('finds the plugin by its manifest and the DSL among the YAML files', () => {
    assert.deepEqual(
      workspace.pluginRoots.map(({ author, name, version, path, toolProviders }) => ({ author, name, version, path, toolProviders })),
      [{ author: 'acme', name: 'weather', version: '0.0.1', path: pluginDir, toolProviders: ['provider/weather.yaml'] }],
    );
    assert.deepEqual(workspace.yamlFiles, [dslPath], 'plugin declarations are not DSL candidates');
  });

  it("puts run 2's KeyError on get_weather.py line 28 and run 3's ZeroDivisionError on the Code node's line in the DSL", async () => {
    const failure = run2.failure;
    assert.ok(failure?.kind === 'plugin');
    const failures = await collectRunFailures(service.backend, (t, s) => resolver.resolve({ traceId: t, spanId: s }), new ResolutionCache());
    const byUri = diagnosticsByUri(failureSites(failures));
    const pluginUri = pathToFileURL(join(pluginDir, failure.pluginFile)).href;
    const dslUri = pathToFileURL(dslPath).href;
    assert.deepEqual([...byUri.keys()].sort(), [dslUri, pluginUri].sort());

    const [plugin] = byUri.get(pluginUri) ?? [];
    assert.ok(plugin);
    assert.equal(plugin.severity, DiagnosticSeverity.Error);
    assert.equal(plugin.source, 'Dify Trace');
    assert.equal(plugin.range.start.line, failure.pluginLine - 1);
    const pluginLine = readFileSync(join(pluginDir, failure.pluginFile), 'utf8').split('\n')[failure.pluginLine - 1] ?? '';
    assert.equal(plugin.range.start.character, pluginLine.search(/\S/), 'the squiggle starts at the statement, not the indentation');
    assert.match(messageOf(plugin), /^KeyError: 'max_temp_c'\n/);
    assert.match(messageOf(plugin), new RegExp(`Failed 1 run of ${run2.appName} here, last seen \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC; latest: run ${run2.workflowRunId}`));
    assert.equal((plugin.data as { runTraceId?: string }).runTraceId, run2.appTraceId, 'the quick fix opens the app-level run');

    const [code] = byUri.get(dslUri) ?? [];
    assert.ok(code);
    assert.match(messageOf(code), /ZeroDivisionError/);
    const dslLines = readFileSync(dslPath, 'utf8').split('\n');
    const failingStatement = ITINERARY_CODE.split('\n')[CODE_FAILING_LINE - 1]!.trim();
    const start = dslLines[code.range.start.line]!.slice(code.range.start.character);
    assert.ok(start.startsWith(failingStatement.slice(0, 12)), `the range starts at "${failingStatement}" in the DSL, got "${start.slice(0, 40)}"`);
    assert.equal((code.data as { runTraceId?: string }).runTraceId, run3.appTraceId);
  });

  it('resolves a span once, until its trace or the workspace changes', async () => {
    let calls = 0;
    const counting = (t: string, s: string) => (calls++, resolver.resolve({ traceId: t, spanId: s }));
    const cache = new ResolutionCache();
    const first = await collectRunFailures(service.backend, counting, cache);
    const resolved = calls;
    assert.equal(resolved, 2, 'both failed runs are resolved the first time');
    assert.deepEqual(await collectRunFailures(service.backend, counting, cache), first);
    assert.equal(calls, resolved, 'nothing is resolved again while no trace changed');
    cache.invalidate([run2.appTraceId, run2.infraTraceId]);
    assert.deepEqual(await collectRunFailures(service.backend, counting, cache), first);
    assert.equal(calls, resolved + 1, "only run 2's root cause is resolved again");
    cache.clear();
    await collectRunFailures(service.backend, counting, cache);
    assert.equal(calls, resolved + 3, 'a workspace change resolves everything again');
  });

  it('puts "3 runs · p95 … · 1 error" on the tool\'s _invoke, with its runs newest first', async () => {
    const features = insights();
    const update = await features.refresh();
    assert.equal(update.lensesChanged, true);
    const toolUri = pathToFileURL(join(pluginDir, 'tools', 'get_weather.py')).href;
    const lenses = features.codeLenses(toolUri);
    assert.equal(lenses.length, 1);
    const invokeLine = readFileSync(join(pluginDir, 'tools', 'get_weather.py'), 'utf8').split('\n').findIndex((l) => l.includes('def _invoke'));
    assert.equal(lenses[0]?.range.start.line, invokeLine);
    assert.match(lenses[0]?.command?.title ?? '', /^3 runs · p95 \d+(\.\d+)? (s|ms) · 1 error$/);
    const args = lenses[0]?.command?.arguments?.[0] as ShowToolRunsArgs;
    assert.equal(args.runs.length, 3);
    assert.deepEqual(args.runs.filter((r) => r.failed).map((r) => r.traceId), [run2.appTraceId]);
    assert.equal((await features.refresh()).lensesChanged, false, 'nothing changed, no refresh asked');

    const hover = features.hover(toolUri, { line: invokeLine, character: 8 });
    const text = hover && typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : '';
    assert.match(text, /tool `get_weather`/);
    assert.match(text, /Last error/);
    assert.match(text, new RegExp(`command:difyTrace\\.openRun\\?${encodeURIComponent(JSON.stringify([run2.appTraceId])).replace(/[%()]/g, (c) => `\\${c}`)}`));
    assert.equal(features.hover(toolUri, { line: 0, character: 0 }), null);
  });

  it('offers a quick fix that opens the run, and a hover on the failing line', async () => {
    const features = insights();
    const update = await features.refresh();
    const pluginUri = pathToFileURL(join(pluginDir, 'tools', 'get_weather.py')).href;
    const diagnostics = update.diagnostics.find((d) => d.uri === pluginUri)?.diagnostics ?? [];
    const [action] = features.codeActions(diagnostics);
    assert.equal(action?.kind, 'quickfix');
    assert.deepEqual(action?.command?.arguments, [run2.appTraceId]);
    assert.deepEqual(features.codeActions([{ range: diagnostics[0]!.range, message: 'other', source: 'Pylance' }]), []);
    const hover = features.hover(pluginUri, { line: 27, character: 4 });
    const text = hover && typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : '';
    assert.match(text, /KeyError/);
    assert.match(text, /Open the latest run/);
  });

  it('drops runs older than the window, and clears what they marked', async () => {
    const features = insights();
    const first = await features.refresh();
    assert.equal(first.diagnostics.length, 2);
    now = Date.now() + 61 * 60_000;
    const later = await features.refresh();
    assert.deepEqual(later.diagnostics.map((d) => d.diagnostics.length), [0, 0], 'both files cleared');
    assert.equal(later.lensesChanged, true);
    now = Date.now();
    settings = { ...settings, windowMinutes: 24 * 60 };
  });

  it('clears the files when the failed traces are evicted', async () => {
    const published = new PublishedDiagnostics();
    const publish = async () => published.update(diagnosticsByUri(failureSites(await collectRunFailures(service.backend, (t, s) => resolver.resolve({ traceId: t, spanId: s }), new ResolutionCache()))));
    const first = await publish();
    assert.equal(first.length, 2);
    await service.configure({ receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 64 }, store: { maxSpans: 1, maxLogRecords: 1000 } });
    const second = await publish();
    assert.deepEqual(second.map((p) => p.diagnostics.length), [0, 0]);
    assert.deepEqual(await publish(), [], 'cleared once');
  });
});

describe('failure sites (pure)', () => {
  const run = (id: string, startMs: number): RunSummary => ({
    traceId: id.repeat(32).slice(0, 32),
    runId: `run-${id}`,
    appName: 'App',
    kind: 'workflow',
    status: 'failed',
    source: 'aliyun',
    startMs,
    durationUs: 2000,
    spanCount: 1,
    linkedTraceIds: [],
    rootCause: { traceId: id.repeat(32).slice(0, 32), spanId: id.repeat(16).slice(0, 16), name: 's', serviceName: 'svc' },
  });
  const failed = (id: string, startMs: number, line: number, message: string, uris = ['file:///p/tools/t.py']): RunFailure => ({
    run: run(id, startMs),
    resolution: {
      stacks: [],
      exception: `KeyError: ${message}`,
      locations: uris.map((uri) => ({ uri, range: { start: { line: line - 1, character: 4 }, end: { line: line - 1, character: 20 } }, via: 'pluginLayout', label: `t.py:${line}`, frameDepth: 0 })),
    },
  });

  it('counts runs per file and line, and the latest run names the exception', () => {
    const sites = failureSites([failed('b', 2000, 5, "'new'"), failed('a', 1000, 5, "'old'"), failed('c', 500, 9, "'x'")]);
    const at5 = sites.find((s) => s.range.start.line === 4);
    assert.equal(at5?.runCount, 2);
    assert.equal(at5?.exception, "KeyError: 'new'");
    assert.equal(at5?.lastSeenMs, 2002);
    assert.equal(at5?.latest.runId, 'run-b');
    const diagnostics = diagnosticsByUri(sites).get('file:///p/tools/t.py') ?? [];
    assert.deepEqual(diagnostics.map((d) => d.range.start.line), [4, 8]);
    assert.deepEqual(diagnostics[0]?.range, { start: { line: 4, character: 4 }, end: { line: 4, character: 20 } });
    assert.match(messageOf(diagnostics[0]), /Failed 2 runs of App here, last seen 1970-01-01 00:00:02 UTC; latest: run run-b/);
  });

  it('marks every workspace copy, and says when the line is a caller', () => {
    const copies = failureSites([failed('d', 1, 3, 'k', ['file:///a/t.py', 'file:///b/t.py'])]);
    assert.deepEqual(copies.map((s) => s.uri), ['file:///a/t.py', 'file:///b/t.py']);
    const caller = failed('e', 1, 3, 'k');
    const deeper: RunFailure = { ...caller, resolution: { ...caller.resolution, locations: caller.resolution.locations.map((l) => ({ ...l, frameDepth: 2 })) } };
    assert.match(messageOf(diagnosticsByUri(failureSites([deeper])).get('file:///p/tools/t.py')?.[0]), /^Raised 2 call\(s\) below this line/);
  });

  it('formats times in UTC', () => {
    assert.equal(formatUtc(Date.UTC(2026, 10, 25, 17, 41, 7)), '2026-11-25 17:41:07 UTC');
  });
});
