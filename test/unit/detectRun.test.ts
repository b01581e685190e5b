import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectRun } from '../../src/dify/detectRun';
import type { Resource } from '../../src/model/span';
import { aliyunResource, span, traceId } from './spanBuilder';

const runHex = '4a1c2f3e5d6b7a8990a1b2c3d4e5f607';
const appTrace = traceId(runHex);
const infraTrace = traceId('0af7651916cd43dd8448eb211c80319c');
const link = [{ traceId: infraTrace, attributes: {} }];
const app = { trace: appTrace, resource: aliyunResource, links: link, attributes: { 'gen_ai.framework': 'dify' } };

describe('detectRun: Alibaba Cloud (Aliyun) exporter', () => {
  it('recognises a successful workflow run and its Trace Link', () => {
    const run = detectRun(appTrace, [
      span({ ...app, id: 1, name: 'workflow', start: 1_000_000, end: 4_000_000, attributes: { 'dify.app_id': 'app-1', 'gen_ai.framework': 'dify' } }),
      span({ ...app, id: 2, parent: 1, name: 'LLM', start: 1_100_000, end: 2_000_000 }),
    ]);
    assert.ok(run);
    assert.equal(run.source, 'aliyun');
    assert.equal(run.kind, 'workflow');
    assert.equal(run.status, 'succeeded');
    assert.equal(run.appName, 'Travel Assistant');
    assert.equal(run.appId, 'app-1');
    assert.equal(run.runId, '4a1c2f3e-5d6b-7a89-90a1-b2c3d4e5f607');
    assert.equal(run.startMs, 1000);
    assert.equal(run.durationUs, 3_000_000);
    assert.deepEqual(run.linkedTraceIds, [infraTrace]);
    assert.equal(run.failingNode, undefined);
    assert.equal(run.rootCause, undefined);
  });

  it('names the deepest, earliest error span of a failed run', () => {
    const run = detectRun(appTrace, [
      span({ ...app, id: 1, name: 'workflow', error: 'Failed to invoke tool: An error occurred in the weather' }),
      span({ ...app, id: 2, parent: 1, name: 'Get Weather', error: "An error occurred in the acme/weather/weather, please contact the author of acme/weather/weather for help, error type: KeyError, error details: 'max_temp_c'", start: 30 }),
      span({ ...app, id: 3, parent: 1, name: 'Other', error: 'later', start: 40 }),
    ]);
    assert.equal(run?.status, 'failed');
    assert.equal(run?.failingNode?.title, 'Get Weather');
    assert.deepEqual(run?.rootCause, { traceId: appTrace, spanId: '0000000000000002', name: 'Get Weather', serviceName: 'Travel Assistant' });
    assert.equal(run?.errorKind, 'pluginInvoke');
    assert.match(run?.errorMessage ?? '', /An error occurred in the weather/);
  });

  it('calls a run whose root is fine but a node failed partially succeeded', () => {
    const run = detectRun(appTrace, [span({ ...app, id: 1, name: 'workflow' }), span({ ...app, id: 2, parent: 1, name: 'Code', error: 'handled' })]);
    assert.equal(run?.status, 'partial-succeeded');
  });

  it('shows a run whose root span has not arrived yet as running', () => {
    const run = detectRun(appTrace, [span({ ...app, id: 2, parent: 1, name: 'LLM' })]);
    assert.equal(run?.status, 'running');
  });

  it('recognises a chatflow (message root with a workflow child) and a chat (message with llm)', () => {
    const chatflow = detectRun(appTrace, [span({ ...app, id: 1, name: 'message' }), span({ ...app, id: 2, parent: 1, name: 'workflow' })]);
    assert.equal(chatflow?.kind, 'chatflow');
    const withConversation = { ...app, attributes: { 'gen_ai.framework': 'dify', 'gen_ai.session.id': 'conv-1' } };
    const chat = detectRun(appTrace, [span({ ...withConversation, id: 1, name: 'message' }), span({ ...withConversation, id: 2, parent: 1, name: 'llm' })]);
    assert.equal(chat?.kind, 'chat');
    assert.equal(chat?.conversationId, 'conv-1');
    assert.equal(chat?.messageId, '4a1c2f3e-5d6b-7a89-90a1-b2c3d4e5f607');
    // A completion app has no conversation (gen_ai.session.id is empty).
    const completion = detectRun(appTrace, [span({ ...app, id: 1, name: 'message' }), span({ ...app, id: 2, parent: 1, name: 'llm' })]);
    assert.equal(completion?.kind, 'completion');
  });

  it('recognises the exporter by its scope name when the resource lacks the feature key', () => {
    const bare: Resource = { serviceName: 'dify_app', attributes: {} };
    const run = detectRun(appTrace, [span({ trace: appTrace, id: 1, name: 'workflow', resource: bare, scopeName: 'core.ops.aliyun_trace.data_exporter.traceclient' })]);
    assert.equal(run?.source, 'aliyun');
    assert.equal(run?.appName, 'dify_app');
  });
});

describe('detectRun: Arize Phoenix exporter', () => {
  const phoenixResource: Resource = { serviceName: 'unknown_service', attributes: { 'openinference.project.name': 'my-project' } };
  const meta = JSON.stringify({ workflow_run_id: 'run-uuid', app_name: 'Travel Assistant', app_id: 'app-9', status: 'failed', message_id: '' });

  it('reads app, run id and status from the workflow span metadata', () => {
    const run = detectRun(appTrace, [
      span({ trace: appTrace, resource: phoenixResource, id: 1, name: 'Dify', attributes: { dify_trace_id: infraTrace, dify_project_name: 'my-project' }, start: 0, end: 1 }),
      span({ trace: appTrace, resource: phoenixResource, id: 2, parent: 1, name: 'workflow_run-uuid', attributes: { metadata: meta }, start: 0, end: 900 }),
      span({ trace: appTrace, resource: phoenixResource, id: 3, parent: 2, name: 'tool_Get Weather', error: 'KeyError', start: 10, end: 20 }),
    ]);
    assert.equal(run?.source, 'phoenix');
    assert.equal(run?.appName, 'Travel Assistant');
    assert.equal(run?.runId, 'run-uuid');
    assert.equal(run?.status, 'failed');
    assert.equal(run?.kind, 'workflow');
    assert.equal(run?.durationUs, 900);
    assert.equal(run?.rootCause?.name, 'tool_Get Weather');
    assert.deepEqual(run?.linkedTraceIds, [infraTrace]);
  });

  it('survives broken metadata JSON and falls back to the project name', () => {
    const run = detectRun(appTrace, [
      span({ trace: appTrace, resource: phoenixResource, id: 1, name: 'Dify', attributes: { dify_trace_id: 'not-hex', dify_project_name: 'my-project' } }),
      span({ trace: appTrace, resource: phoenixResource, id: 2, parent: 1, name: 'workflow', attributes: { metadata: '{broken' } }),
    ]);
    assert.equal(run?.appName, 'my-project');
    assert.equal(run?.status, 'succeeded');
    assert.deepEqual(run?.linkedTraceIds, []);
  });
});

describe('detectRun: infrastructure traces', () => {
  it('lists a request trace that carries Dify app identity', () => {
    const run = detectRun(infraTrace, [
      span({ trace: infraTrace, id: 1, name: 'POST /v1/workflows/run', error: '500' }),
      span({ trace: infraTrace, id: 2, parent: 1, name: 'workflow.run', attributes: { 'dify.app_id': 'abcdef123456' } }),
    ]);
    assert.equal(run?.source, 'infrastructure');
    assert.equal(run?.appName, 'abcdef123456', 'infrastructure spans carry the app id, not its name');
    assert.equal(run?.status, 'failed');
  });

  it('ignores traces without any Dify identity', () => {
    assert.equal(detectRun(infraTrace, [span({ trace: infraTrace, id: 1, name: 'GET /health' })]), undefined);
  });
});
