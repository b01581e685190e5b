// "Go to Source" on the server: the stack traces of one span, from its events, status and the log
// records logged in it, resolved to the workspace (the plugin file, or the Code node's line in the
// app's DSL), over the demo sent through the real receiver; and the pure glue on bad input.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_RUNS, infraSpanId, NODES } from '../demo/demoRuns';
import { PLUGIN } from '../demo/plugin';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultServerSettings } from '../../src/shared/defaultSettings';
import { DslCache } from '../../src/server/sourceLinks/codeNodeLocations';
import { SourceResolver } from '../../src/server/sourceLinks/sourceResolver';
import { nodeFileAccess, scanWorkspace } from '../../src/server/workspace/workspaceIndex';
import { CODE_FAILING_LINE } from '../demo/sandbox';
import { spanSourceFrames } from '../../src/server/sourceLinks/spanSourceFrames';
import { isWebviewToHost } from '../../src/shared/webviewProtocol';
import { span, traceId } from './spanBuilder';
import { quietTraceService, startAndSendDemo } from './demoService';

describe('difyTrace/sourceLocations over the demo', () => {
  const service = quietTraceService();
  const run2 = DEMO_RUNS[1];
  const run3 = DEMO_RUNS[2];
  const failure = run2.failure;
  const workspaceDir = join(__dirname, '..', 'demo', 'workspace');
  const workspace = scanWorkspace([pathToFileURL(workspaceDir).href]);
  const context = { workspace: () => workspace, settings: () => defaultServerSettings.sourceInsights, files: nodeFileAccess, dsls: new DslCache(nodeFileAccess) };
  let resolver: SourceResolver;

  before(async () => {
    await startAndSendDemo(service);
    resolver = new SourceResolver(service.backend, context);
  });
  after(() => service.stop());

  it("maps run 2's root cause span to the plugin's tool file and failing line", async () => {
    const page = await service.backend.listRuns({ filter: {}, limit: 50 });
    const rootCause = page.runs.find((r) => r.traceId === run2.appTraceId)?.rootCause;
    assert.ok(rootCause, 'run 2 has a root cause');
    assert.equal(rootCause.name, 'execute_tool get_weather');
    const result = await resolver.resolve({ traceId: rootCause.traceId, spanId: rootCause.spanId });
    assert.ok(result);
    const frames = result.stacks.flatMap((s) => s.frames);
    const innermost = frames.filter((f) => f.isUserCode && f.plugin).at(-1);
    assert.ok(failure?.kind === 'plugin');
    assert.deepEqual(innermost?.plugin, { author: 'acme', name: 'weather', version: '0.0.1', relativePath: failure.pluginFile });
    assert.equal(innermost?.line, 28);
    assert.ok(frames.some((f) => !f.isUserCode && f.plugin === undefined), 'SDK frames are kept, without a plugin file');
    assert.equal(PLUGIN.author, 'acme');
    // The host opens this location.
    assert.equal(result.problem, undefined);
    assert.deepEqual(result.locations.map((l) => [l.uri, l.range.start.line + 1, l.via, l.frameDepth]), [[pathToFileURL(join(workspaceDir, 'weather-plugin', failure.pluginFile)).href, 28, 'pluginLayout', 0]]);
    assert.equal(result.exception, "KeyError: 'max_temp_c'");
    assert.equal(result.codeNode, undefined);
  });

  it("finds the traceback in the log record logged in run 2's tool node span", async () => {
    const result = await resolver.resolve({ traceId: run2.infraTraceId, spanId: infraSpanId(run2.infraTraceId, 'node:tool') });
    assert.ok(result, NODES.tool.title);
    assert.equal(result.locations[0]?.range.start.line, 27, JSON.stringify(result, null, 1));
  });

  it("maps run 3's Code node span to line 4 of the node's code in the exported DSL", async () => {
    const runs = await service.backend.listRuns({ filter: {}, limit: 50 });
    const run = runs.runs.find((r) => r.traceId === run3.appTraceId);
    assert.ok(run?.rootCause);
    const result = await resolver.resolve({ traceId: run.rootCause.traceId, spanId: run.rootCause.spanId });
    assert.ok(result);
    assert.deepEqual(result.codeNode && { title: result.codeNode.title, nodeId: result.codeNode.nodeId, language: result.codeNode.language, userLine: result.codeNode.userLine }, { title: NODES.code.title, nodeId: NODES.code.id, language: 'python3', userLine: CODE_FAILING_LINE });
    assert.equal(result.locations.length, 1, result.problem);
    assert.equal(result.locations[0]?.uri, pathToFileURL(join(workspaceDir, 'travel-assistant.yml')).href);
    assert.equal(result.locations[0]?.label, `Code node "${NODES.code.title}", line ${CODE_FAILING_LINE}`);
    assert.match(result.exception ?? '', /^ZeroDivisionError/);
    // The app-level Code node span (Aliyun: no node id of its own) finds the node by its Trace Link counterpart.
    const appNode = service.store.spansOf(traceId(run3.appTraceId))?.find((s) => s.name === NODES.code.title);
    assert.ok(appNode);
    const viaApp = await resolver.resolve({ traceId: appNode.traceId, spanId: appNode.spanId });
    assert.deepEqual(viaApp?.locations, result.locations);
    assert.equal(viaApp?.codeNode?.nodeId, NODES.code.id);
  });

  it('says what is missing when no DSL is in the workspace, and maps into a DSL the user picks', async () => {
    const bare = new SourceResolver(service.backend, { ...context, workspace: () => ({ ...workspace, yamlFiles: [] }) });
    const appNode = service.store.spansOf(traceId(run3.appTraceId))?.find((s) => s.name === NODES.code.title);
    assert.ok(appNode);
    const none = await bare.resolve({ traceId: appNode.traceId, spanId: appNode.spanId });
    assert.deepEqual(none?.locations, []);
    assert.match(none?.problem ?? '', /No exported DSL of app "Travel Assistant" is in the workspace/);
    assert.match(none?.problem ?? '', /line 4 of the node's code/);
    assert.equal(none?.codeNode?.userLine, CODE_FAILING_LINE);
    const picked = await bare.resolve({ traceId: appNode.traceId, spanId: appNode.spanId, dslUri: pathToFileURL(join(workspaceDir, 'travel-assistant.yml')).href });
    assert.equal(picked?.locations.length, 1);
    const notDsl = await bare.resolve({ traceId: appNode.traceId, spanId: appNode.spanId, dslUri: pathToFileURL(join(workspaceDir, 'weather-plugin', 'manifest.yaml')).href });
    assert.match(notDsl?.problem ?? '', /kind: app|not a Dify app DSL/i);
  });

  it('answers null for a span not in the store, and no location for a span without errors', async () => {
    assert.equal(await resolver.resolve({ traceId: run2.infraTraceId, spanId: '0123456789abcdef' }), null);
    assert.equal(await resolver.resolve({ traceId: 'not-a-trace', spanId: '0123456789abcdef' }), null);
    const run1 = DEMO_RUNS[0];
    const ok = service.store.spansOf(traceId(run1.appTraceId))?.[0];
    assert.ok(ok);
    const result = await resolver.resolve({ traceId: ok.traceId, spanId: ok.spanId });
    assert.deepEqual(result?.locations, []);
    assert.match(result?.problem ?? '', /No stack trace/);
  });
});

describe('spanSourceFrames', () => {
  const trace = traceId('44444444444444444444444444444444');

  it('keeps the frames of an unknown path without a plugin, and does not throw on garbage', () => {
    const text = 'Traceback (most recent call last):\n  File "/home/me/tool.py", line 3, in run\n    boom()\nValueError: x';
    const s = span({ trace, id: 1, name: 'x', start: 0, end: 1, error: text });
    const [stack] = spanSourceFrames(s, []);
    assert.equal(stack?.frames[0]?.file, '/home/me/tool.py');
    assert.equal(stack?.frames[0]?.line, 3);
    assert.equal(stack?.frames[0]?.plugin, undefined);
    const garbage = span({ trace, id: 2, name: 'y', start: 0, end: 1, error: 'Traceback (most recent call last):\n  File "' });
    assert.deepEqual(spanSourceFrames(garbage, []), []);
  });
});

describe('webview → host goToSource guard', () => {
  it('accepts a 32-hex trace id and a 16-hex span id only', () => {
    const traceId = 'ad03a7d4f09bfbb33759c30a3a3f3ba6';
    assert.equal(isWebviewToHost({ type: 'goToSource', traceId, spanId: '394a6d43fd038569' }), true);
    assert.equal(isWebviewToHost({ type: 'goToSource', traceId, spanId: '../../etc/passwd' }), false);
    assert.equal(isWebviewToHost({ type: 'goToSource', traceId: 'x', spanId: '394a6d43fd038569' }), false);
    assert.equal(isWebviewToHost({ type: 'goToSource', traceId }), false);
  });
});
