// Replay Code Node in the trace server (issue 16): the demo's failing Code node (run 3), sent through
// the real receiver, found from its app-level span or the run's root cause, its code from the demo
// workspace's DSL and its inputs from the trace; then written as a script and run with python3,
// which fails as the trace says. Spans that are no Code node, and a workspace without the DSL, say why.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { codeNodeScript, replayOutcome } from '../../src/dify/replay/codeNodeScript';
import { codeNodeReplay, type ReplaySources } from '../../src/server/replay/codeNodeReplay';
import { toolCallReplay } from '../../src/server/replay/toolCallReplay';
import { PLUGIN_SOURCE } from '../demo/plugin';
import { DslCache } from '../../src/server/sourceLinks/codeNodeLocations';
import { SourceResolver } from '../../src/server/sourceLinks/sourceResolver';
import { nodeFileAccess, scanWorkspace } from '../../src/server/workspace/workspaceIndex';
import type { TraceService } from '../../src/server/traceService';
import { aliyunSpanId } from '../demo/ids';
import { DEMO_RUNS, NODES, nodeExecutionId } from '../demo/demoRuns';
import { CODE_FAILING_LINE, ITINERARY_CODE } from '../demo/sandbox';
import { quietTraceService, startAndSendDemo } from './demoService';

const workspaceDir = join(__dirname, '..', 'demo', 'workspace');
const settings = { pathMappings: [], windowMinutes: 60, diagnostics: true, codeLens: true };

/** What the trace server hands the replays, over `service`'s store and a workspace of `folders`. */
function replaySourcesIn(service: TraceService, folders: readonly string[]): ReplaySources {
  const workspace = scanWorkspace(folders.map((f) => pathToFileURL(f).href));
  const context = { workspace: () => workspace, settings: () => settings, files: nodeFileAccess, dsls: new DslCache(nodeFileAccess) };
  return { resolver: new SourceResolver(service.backend, context), traceSpans: (p) => service.backend.traceSpans(p), context };
}

describe('codeNodeReplay (the demo\'s failing Code node, through the receiver)', () => {
  const service = quietTraceService();
  const run3 = DEMO_RUNS[2];
  const sourcesIn = (folders: readonly string[]): ReplaySources => replaySourcesIn(service, folders);
  before(async () => {
    await startAndSendDemo(service);
  });
  after(() => service.stop());

  it('gives the node\'s code from the DSL and the inputs the trace recorded; the script fails on the same line with the same exception', async () => {
    const nodeSpanId = aliyunSpanId(nodeExecutionId(3, 'code'), 'node');
    const result = await codeNodeReplay(sourcesIn([workspaceDir]), { traceId: run3.appTraceId, spanId: nodeSpanId });
    assert.ok(result.ok, result.ok ? '' : result.reason);
    assert.equal(result.title, NODES.code.title);
    assert.equal(result.language, 'python3');
    assert.equal(result.code, ITINERARY_CODE);
    assert.equal(result.runId, run3.workflowRunId);
    assert.deepEqual(Object.keys(result.inputs).sort(), ['forecast', 'places']);
    assert.deepEqual(result.cutInputs, []);
    assert.equal(result.expected.userLine, CODE_FAILING_LINE);
    assert.match(result.expected.exception ?? '', /^ZeroDivisionError/);
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    const script = codeNodeScript({ language: result.language, code: result.code, inputs: result.inputs, nodeTitle: result.title, appName: result.appName, runId: result.runId, sideFileName: 'build-itinerary.inputs.json' });
    writeFileSync(join(dir, 'build-itinerary.py'), script.text);
    const ran = spawnSync('python3', [join(dir, 'build-itinerary.py')], { encoding: 'utf8' });
    const outcome = replayOutcome('python3', ran.status ?? -1, ran.stderr, 'build-itinerary.py');
    assert.equal(outcome.line, result.expected.userLine);
    assert.equal(outcome.exception?.split(':')[0], result.expected.exception?.split(':')[0]);
  });

  it('finds the Code node from the run\'s root cause too', async () => {
    const run = (await service.backend.listRuns({ filter: {}, limit: 10 })).runs.find((r) => r.traceId === run3.appTraceId)!;
    const result = await codeNodeReplay(sourcesIn([workspaceDir]), { traceId: run.rootCause!.traceId, spanId: run.rootCause!.spanId });
    assert.ok(result.ok, result.ok ? '' : result.reason);
    assert.equal(result.title, NODES.code.title);
  });

  it('says why when the span is no Code node, or no DSL in the workspace has it', async () => {
    const toolSpan = aliyunSpanId(nodeExecutionId(3, 'tool'), 'node');
    const notCode = await codeNodeReplay(sourcesIn([workspaceDir]), { traceId: run3.appTraceId, spanId: toolSpan });
    assert.deepEqual(notCode, { ok: false, reason: `"${NODES.tool.title}" is not a Code node's span, so there is no code to replay: pick the Code node in the trace (or its failing run in the Runs view).` });
    const noDsl = await codeNodeReplay(sourcesIn([join(workspaceDir, 'weather-plugin')]), { traceId: run3.appTraceId, spanId: aliyunSpanId(nodeExecutionId(3, 'code'), 'node') });
    assert.equal(noDsl.ok, false);
    assert.match(noDsl.ok ? '' : noDsl.reason, /^No exported DSL of app "Travel Assistant" in the workspace has the Code node "Build Itinerary".*Export DSL/);
    const gone = await codeNodeReplay(sourcesIn([workspaceDir]), { traceId: 'f'.repeat(32), spanId: '1'.repeat(16) });
    assert.equal(gone.ok, false);
  });

  it('refuses a Code node in a language it does not run, rather than writing a broken file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-dsl-'));
    const dsl = readFileSync(join(workspaceDir, 'travel-assistant.yml'), 'utf8');
    assert.ok(dsl.includes('code_language: python3'));
    writeFileSync(join(dir, 'travel-assistant.yml'), dsl.replace('code_language: python3', 'code_language: php'));
    const result = await codeNodeReplay(sourcesIn([dir]), { traceId: run3.appTraceId, spanId: aliyunSpanId(nodeExecutionId(3, 'code'), 'node') });
    assert.deepEqual(result, { ok: false, reason: 'Code node "Build Itinerary" is written in php, which the replay does not run (Python 3 and JavaScript, as Dify\'s Code node).' });
  });
});

describe('toolCallReplay (the demo plugin\'s failing tool call, through the receiver)', () => {
  const service = quietTraceService();
  const run2 = DEMO_RUNS[1];
  const sourcesIn = (folders: readonly string[]): ReplaySources => replaySourcesIn(service, folders);
  before(async () => {
    await startAndSendDemo(service);
  });
  after(() => service.stop());

  it('names the tool\'s class in the workspace plugin, its credentials, the recorded parameters and the failing line', async () => {
    const run = (await service.backend.listRuns({ filter: {}, limit: 10 })).runs.find((r) => r.traceId === run2.appTraceId)!;
    for (const target of [run.rootCause!, { traceId: run2.appTraceId, spanId: aliyunSpanId(nodeExecutionId(2, 'tool'), 'node') }]) {
      const result = await toolCallReplay(sourcesIn([workspaceDir]), target);
      assert.ok(result.ok, result.ok ? '' : result.reason);
      assert.equal(result.pluginId, 'acme/weather');
      assert.equal(result.tool, 'get_weather');
      assert.equal(result.className, 'GetWeatherTool');
      assert.equal(result.pythonSource, PLUGIN_SOURCE.file);
      assert.equal(result.pluginRoot, join(workspaceDir, 'weather-plugin'));
      assert.deepEqual(result.credentials.map((c) => [c.name, c.secret]), [['api_base', false], ['api_key', true]]);
      assert.deepEqual(result.parameters, { city: run2.inputs.destination, days: run2.inputs.trip_days, units: run2.inputs.units });
      assert.equal(result.runId, run2.workflowRunId);
      assert.match(result.expected.exception ?? '', /KeyError: 'max_temp_c'/);
      assert.equal(result.expected.line, PLUGIN_SOURCE.line);
    }
  });

  it('says why for a span of no tool, and for a workspace without the plugin', async () => {
    const code = await toolCallReplay(sourcesIn([workspaceDir]), { traceId: run2.appTraceId, spanId: aliyunSpanId(nodeExecutionId(2, 'llm'), 'node') });
    assert.equal(code.ok, false);
    const noPlugin = await toolCallReplay(sourcesIn([join(workspaceDir, 'missing')]), { traceId: run2.appTraceId, spanId: aliyunSpanId(nodeExecutionId(2, 'tool'), 'node') });
    assert.match(noPlugin.ok ? '' : noPlugin.reason, /^No plugin project in the workspace implements the tool of node "Get Weather" \(plugin acme\/weather/);
  });
});
