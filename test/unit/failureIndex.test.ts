// Trace-derived diagnostics: the demo sent through the real receiver, the failed runs' root cause
// frames resolved against the demo workspace's plugin (found by its manifest.yaml on disk), one
// diagnostic per failing line, aggregated across runs and cleared when the traces are gone.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { collectRunFailures, diagnosticsByUri, failureSites, formatUtc, PublishedDiagnostics, resolvePluginFrame, SourceStackCache, type PluginRoot, type RunFailure } from '../../src/server/languageFeatures/failureIndex';
import { existingFileUri, findPluginRoots } from '../../src/server/languageFeatures/pluginRoots';
import type { SourceFrame, SourceFramesRequest } from '../../src/shared/lspProtocol';
import type { RunSummary } from '../../src/shared/runSummary';
import { DEMO_RUNS } from '../demo/demoRuns';
import { quietTraceService, startAndSendDemo } from './demoService';

const workspace = join(__dirname, '..', 'demo', 'workspace');
const pluginDir = join(workspace, 'weather-plugin');
/** The diagnostics here are plain text (LSP also allows markup). */
const messageOf = (d: Diagnostic | undefined): string => (typeof d?.message === 'string' ? d.message : (d?.message.value ?? ''));

describe('failure diagnostics over the demo', () => {
  const service = quietTraceService();
  const run2 = DEMO_RUNS[1];
  const failure = run2.failure;

  before(async () => {
    await startAndSendDemo(service);
  });
  after(() => service.stop());

  it("finds the demo plugin's manifest in the workspace folder", () => {
    const roots = findPluginRoots([pathToFileURL(workspace).href, 'untitled:nothing', pathToFileURL(join(workspace, 'missing')).href]);
    assert.deepEqual(roots, [{ author: 'acme', name: 'weather', version: '0.0.1', path: pluginDir }]);
  });

  it('parses a root cause span once, until its trace changes', async () => {
    let calls = 0;
    const counting = { listRuns: service.backend.listRuns.bind(service.backend), sourceFrames: (p: SourceFramesRequest.Params) => (calls++, service.backend.sourceFrames(p)) };
    const cache = new SourceStackCache();
    const first = await collectRunFailures(counting, cache);
    const parsed = calls;
    assert.ok(parsed >= 2, 'both failed runs are parsed the first time');
    assert.deepEqual(await collectRunFailures(counting, cache), first);
    assert.equal(calls, parsed, 'nothing is parsed again while no trace changed');
    cache.invalidate([run2.appTraceId, run2.infraTraceId]);
    assert.deepEqual(await collectRunFailures(counting, cache), first);
    assert.equal(calls, parsed + 1, "only run 2's root cause is parsed again");
  });

  it("puts run 2's KeyError on tools/get_weather.py line 28, and nothing for the Code node failure", async () => {
    assert.ok(failure?.kind === 'plugin');
    const roots = findPluginRoots([pathToFileURL(workspace).href]);
    const failures = await collectRunFailures(service.backend);
    // Both failed runs have a root cause with frames; only the plugin's maps to a workspace file.
    assert.equal(failures.length >= 1, true);
    const sites = failureSites(failures, (frame) => resolvePluginFrame(frame, roots, existingFileUri));
    assert.equal(sites.length, 1, JSON.stringify(sites, null, 1));
    const uri = pathToFileURL(join(pluginDir, failure.pluginFile)).href;
    const byUri = diagnosticsByUri(sites);
    assert.deepEqual([...byUri.keys()], [uri]);
    const [diagnostic] = byUri.get(uri) ?? [];
    assert.ok(diagnostic);
    assert.equal(diagnostic.severity, DiagnosticSeverity.Error);
    assert.equal(diagnostic.source, 'Dify Trace');
    assert.equal(diagnostic.range.start.line, failure.pluginLine - 1);
    assert.equal(diagnostic.range.start.line, 27);
    assert.match(messageOf(diagnostic), new RegExp(`^${failure.exceptionType}: `));
    assert.match(messageOf(diagnostic), /'max_temp_c'/);
    assert.match(messageOf(diagnostic), new RegExp(`Failed 1 run of ${run2.appName} here, last seen \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC`));
    assert.match(messageOf(diagnostic), new RegExp(`latest: run ${run2.workflowRunId}`));
    assert.deepEqual(diagnostic.data, { traceId: sites[0]?.latest.traceId, spanId: sites[0]?.latest.spanId, runId: run2.workflowRunId });
  });

  it('clears the file when the failed traces are evicted', async () => {
    const roots = findPluginRoots([pathToFileURL(workspace).href]);
    const published = new PublishedDiagnostics();
    const publish = async () => published.update(diagnosticsByUri(failureSites(await collectRunFailures(service.backend), (f) => resolvePluginFrame(f, roots, existingFileUri))));
    const first = await publish();
    assert.equal(first.length, 1);
    assert.equal(first[0]?.diagnostics.length, 1);
    await service.configure({ receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 64 }, store: { maxSpans: 1, maxLogRecords: 1000 } });
    const second = await publish();
    assert.deepEqual(second, [{ uri: first[0]?.uri, diagnostics: [] }]);
    assert.deepEqual(await publish(), [], 'cleared once');
  });
});

describe('failure sites (pure)', () => {
  const frame = (line: number, version = '0.0.1'): SourceFrame => ({
    file: `/app/storage/cwd/acme/weather-${version}@abc/tools/t.py`,
    line,
    isUserCode: true,
    plugin: { author: 'acme', name: 'weather', version, relativePath: 'tools/t.py' },
  });
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
  const failed = (id: string, startMs: number, line: number, message: string): RunFailure => ({
    run: run(id, startMs),
    stacks: [{ language: 'python', exceptionType: 'KeyError', message, frames: [{ file: 'sdk.py', line: 1, isUserCode: false }, frame(line)] }],
  });

  it('counts runs per file and line, and the latest run names the exception', () => {
    const sites = failureSites([failed('b', 2000, 5, "'new'"), failed('a', 1000, 5, "'old'"), failed('c', 500, 9, "'x'")], () => ['file:///p/tools/t.py']);
    const at5 = sites.find((s) => s.line === 5);
    assert.equal(at5?.runCount, 2);
    assert.equal(at5?.exception, "KeyError: 'new'");
    assert.equal(at5?.lastSeenMs, 2002);
    assert.equal(at5?.latest.runId, 'run-b');
    const diagnostics = diagnosticsByUri(sites).get('file:///p/tools/t.py') ?? [];
    assert.deepEqual(diagnostics.map((d) => d.range.start.line), [4, 8]);
    assert.match(messageOf(diagnostics[0]), /Failed 2 runs of App here, last seen 1970-01-01 00:00:02 UTC; latest: run run-b/);
  });

  it('skips runs without a plugin frame or a workspace file', () => {
    const noPlugin: RunFailure = { run: run('d', 1), stacks: [{ language: 'python', frames: [{ file: '/home/x.py', line: 3, isUserCode: true }] }] };
    assert.deepEqual(failureSites([noPlugin, failed('e', 1, 2, 'k')], () => []), []);
  });

  it('prefers the root of the same version, else any with the author and name', () => {
    const roots: PluginRoot[] = [
      { author: 'acme', name: 'weather', version: '0.0.1', path: '/w/v1' },
      { author: 'acme', name: 'weather', version: '0.0.2', path: '/w/v2' },
      { author: 'other', name: 'weather', version: '0.0.1', path: '/w/other' },
    ];
    const uri = (root: PluginRoot, rel: string) => `file://${root.path}/${rel}`;
    assert.deepEqual(resolvePluginFrame(frame(1), roots, uri), ['file:///w/v1/tools/t.py']);
    assert.deepEqual(resolvePluginFrame(frame(1, '9.9.9'), roots, uri), ['file:///w/v1/tools/t.py', 'file:///w/v2/tools/t.py']);
    assert.deepEqual(resolvePluginFrame(frame(1), roots, () => undefined), []);
    assert.deepEqual(resolvePluginFrame({ file: 'x.py', line: 1, isUserCode: true }, roots, uri), []);
  });

  it('refuses paths that climb out of the plugin root', () => {
    assert.equal(existingFileUri({ author: 'a', name: 'n', path: pluginDir }, '../weather-plugin/manifest.yaml'), undefined);
    assert.equal(existingFileUri({ author: 'a', name: 'n', path: pluginDir }, 'manifest.yaml'), pathToFileURL(join(pluginDir, 'manifest.yaml')).href);
  });

  it('formats times in UTC', () => {
    assert.equal(formatUtc(Date.UTC(2026, 10, 25, 17, 41, 7)), '2026-11-25 17:41:07 UTC');
  });
});
