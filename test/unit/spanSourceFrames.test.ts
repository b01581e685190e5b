// "Go to Source" on the server: the stack traces of one span, from its events, status and the log
// records logged in it, over the demo sent through the real receiver; and the pure glue on bad input.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_RUNS, infraSpanId, NODES } from '../demo/demoRuns';
import { PLUGIN } from '../demo/plugin';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bestPluginFrame, readManifestIdentity } from '../../src/shared/sourceTargets';
import { spanSourceFrames } from '../../src/server/sourceLinks/spanSourceFrames';
import { isWebviewToHost } from '../../src/shared/webviewProtocol';
import { span, traceId } from './spanBuilder';
import { quietTraceService, startAndSendDemo } from './demoService';

describe('difyTrace/sourceFrames over the demo', () => {
  const service = quietTraceService();
  const run2 = DEMO_RUNS[1];
  const failure = run2.failure;

  before(async () => {
    await startAndSendDemo(service);
  });
  after(() => service.stop());

  it("maps run 2's root cause span to the plugin's tool file and failing line", async () => {
    const page = await service.backend.listRuns({ filter: {}, limit: 50 });
    const rootCause = page.runs.find((r) => r.traceId === run2.appTraceId)?.rootCause;
    assert.ok(rootCause, 'run 2 has a root cause');
    assert.equal(rootCause.name, 'execute_tool get_weather');
    const result = await service.backend.sourceFrames({ traceId: rootCause.traceId, spanId: rootCause.spanId });
    assert.ok(result);
    assert.ok(result.stacks.length >= 1);
    const frames = result.stacks.flatMap((s) => s.frames);
    const user = frames.filter((f) => f.isUserCode && f.plugin);
    assert.equal(user.length >= 1, true, JSON.stringify(frames, null, 1));
    const innermost = user.at(-1);
    assert.ok(failure?.kind === 'plugin');
    assert.deepEqual(innermost?.plugin, { author: 'acme', name: 'weather', version: '0.0.1', relativePath: failure.pluginFile });
    assert.equal(innermost?.line, failure.pluginLine);
    assert.equal(innermost?.line, 28);
    assert.ok(frames.some((f) => !f.isUserCode && f.plugin === undefined), 'SDK frames are kept, without a plugin file');
    assert.equal(PLUGIN.author, 'acme');
    // The host opens this frame.
    assert.equal(bestPluginFrame(result.stacks)?.frame, innermost);
  });

  it("finds the traceback in the log record logged in run 2's tool node span", async () => {
    const result = await service.backend.sourceFrames({ traceId: run2.infraTraceId, spanId: infraSpanId(run2.infraTraceId, 'node:tool') });
    assert.ok(result, NODES.tool.title);
    const user = result.stacks.flatMap((s) => s.frames).filter((f) => f.plugin);
    assert.ok(user.some((f) => f.plugin?.relativePath === 'tools/get_weather.py' && f.line === 28), JSON.stringify(result, null, 1));
  });

  it('answers null for a span not in the store, and no stacks for a span without errors', async () => {
    assert.equal(await service.backend.sourceFrames({ traceId: run2.infraTraceId, spanId: '0123456789abcdef' }), null);
    assert.equal(await service.backend.sourceFrames({ traceId: 'not-a-trace', spanId: '0123456789abcdef' }), null);
    const run1 = DEMO_RUNS[0];
    const ok = service.store.spansOf(traceId(run1.appTraceId))?.[0];
    assert.ok(ok);
    assert.deepEqual(await service.backend.sourceFrames({ traceId: ok.traceId, spanId: ok.spanId }), { stacks: [] });
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

describe('host: manifest identity and the frame to open', () => {
  it("reads the demo plugin's top-level author, name and version, not meta.version", () => {
    const text = readFileSync(join(__dirname, '..', 'demo', 'workspace', 'weather-plugin', 'manifest.yaml'), 'utf8');
    assert.deepEqual(readManifestIdentity(text), { author: 'acme', name: 'weather', version: '0.0.1' });
  });

  it('unquotes values, drops comments and ignores nested keys', () => {
    assert.deepEqual(readManifestIdentity('label:\n  name: nested\nauthor: "me" # mine\r\nname: \'tool-x\'\n'), { author: 'me', name: 'tool-x' });
    assert.deepEqual(readManifestIdentity(': not yaml ['), {});
  });

  it('picks the innermost plugin user frame: last in Python, first in Node.js; none when no frame maps', () => {
    const plugin = { author: 'a', name: 'n', version: '1.0.0', relativePath: 'x.py' };
    const frames = [
      { file: '/p/a/n-1.0.0@ab/main.py', line: 1, isUserCode: true, plugin: { ...plugin, relativePath: 'main.py' } },
      { file: '/p/a/n-1.0.0@ab/x.py', line: 2, isUserCode: true, plugin },
      { file: '/p/a/n-1.0.0@ab/.venv/lib/sdk.py', line: 3, isUserCode: false },
    ];
    assert.equal(bestPluginFrame([{ language: 'python', frames }])?.frame.line, 2);
    assert.equal(bestPluginFrame([{ language: 'javascript', frames }])?.frame.line, 1);
    assert.equal(bestPluginFrame([{ language: 'python', frames: [{ file: '/home/x.py', line: 4, isUserCode: true }] }]), undefined);
    assert.equal(bestPluginFrame([]), undefined);
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
