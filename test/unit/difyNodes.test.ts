import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { difyNodesOf } from '../../src/dify/difyNodes';
import { aliyunResource, span } from './spanBuilder';

describe('difyNodesOf', () => {
  const workflow = span({ id: 1, name: 'workflow', resource: aliyunResource });
  const tool = span({ id: 2, parent: 1, name: 'Get Weather', resource: aliyunResource, attributes: { 'gen_ai.span.kind': 'TOOL' } });
  const llmCall = span({ id: 3, parent: 2, name: 'chat gpt-4o', resource: aliyunResource, attributes: { 'gen_ai.span.kind': 'LLM' } });

  it('finds an Aliyun node span under its workflow span only, once that has arrived', () => {
    assert.equal(difyNodesOf([tool]).size, 0, 'no parent yet: not known to be a node');
    const nodes = difyNodesOf([workflow, tool, llmCall]);
    assert.deepEqual(nodes.get(tool), { title: 'Get Weather', nodeType: 'tool' });
    assert.equal(nodes.has(llmCall), false, 'a span under a node is not a node');
    assert.deepEqual([...difyNodesOf([llmCall, tool, workflow]).keys()], [tool], 'in any order');
  });
});
