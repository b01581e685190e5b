// The details pane's LLM conversation: messages from each exporter's attribute shapes, never a throw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Attributes } from '../../src/model/span';
import { llmConversation, roleLabel } from '../../webview/src/layout/llmConversation';
import { jsonParseLimit } from '../../src/shared/jsonValue';

const brief = (attributes: Attributes) => llmConversation(attributes)?.messages.map((m) => [m.role, m.content, m.direction]);

// The prompts of Dify's LLM node (process_data.prompts), as test/demo/nodeFacts.ts writes them.
const prompts = [
  { role: 'system', text: 'You are a helpful assistant.', files: [] },
  { role: 'user', text: 'Summarise the latest order status.', files: [] },
];

describe('LLM conversation', () => {
  it('reads Aliyun gen_ai.input.messages / gen_ai.output.messages (OTel GenAI parts)', () => {
    const attributes: Attributes = {
      'gen_ai.input.messages': JSON.stringify(prompts.map((p) => ({ role: p.role, parts: [{ type: 'text', content: p.text }] }))),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Shipped on 3 March.' }], finish_reason: 'stop' }]),
      'gen_ai.prompt': JSON.stringify(prompts),
      'gen_ai.completion': 'Shipped on 3 March.',
    };
    assert.deepEqual(brief(attributes), [
      ['system', 'You are a helpful assistant.', 'input'],
      ['user', 'Summarise the latest order status.', 'input'],
      ['assistant', 'Shipped on 3 March.', 'output'],
    ]);
    assert.deepEqual(llmConversation(attributes)?.keys, ['gen_ai.input.messages', 'gen_ai.output.messages']);
  });

  it('reads tool calls and tool responses from GenAI parts and OpenAI tool_calls', () => {
    const attributes: Attributes = {
      'gen_ai.input.messages': JSON.stringify([
        { role: 'user', parts: [{ type: 'text', content: 'Weather?' }] },
        { role: 'assistant', tool_calls: [{ id: 'c1', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
        { role: 'tool', name: 'get_weather', parts: [{ type: 'tool_call_response', id: 'c1', response: { temp: 3 } }] },
      ]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'tool_call', id: 'c2', name: 'book', arguments: { day: 'Fri' } }] }]),
    };
    const messages = llmConversation(attributes)?.messages ?? [];
    assert.deepEqual(messages[1]?.toolCalls, [{ name: 'get_weather', arguments: '{"city":"Oslo"}', id: 'c1' }]);
    assert.equal(messages[2]?.name, 'get_weather');
    assert.equal(messages[2]?.content, '{"temp":3}');
    assert.deepEqual(messages[3]?.toolCalls, [{ name: 'book', arguments: '{"day":"Fri"}', id: 'c2' }]);
    assert.equal(messages[3]?.content, '');
  });

  it('falls back to gen_ai.prompt (JSON prompts or plain text) and gen_ai.completion when the messages are malformed', () => {
    assert.deepEqual(brief({ 'gen_ai.input.messages': '[{"role": "user", "parts": [', 'gen_ai.prompt': JSON.stringify(prompts), 'gen_ai.completion': 'Done.' }), [
      ['system', 'You are a helpful assistant.', 'input'],
      ['user', 'Summarise the latest order status.', 'input'],
      ['assistant', 'Done.', 'output'],
    ]);
    assert.deepEqual(brief({ 'gen_ai.prompt': 'Tell me a joke {', 'gen_ai.completion': '' }), [['user', 'Tell me a joke {', 'input']]);
    assert.deepEqual(brief({ 'gen_ai.completion': 'Only the reply.' }), [['assistant', 'Only the reply.', 'output']]);
  });

  it('reads OpenInference flattened messages (Phoenix), with the reply from output.value when there are no output messages', () => {
    const attributes: Attributes = {
      'llm.input_messages.1.message.role': 'user',
      'llm.input_messages.1.message.content': 'Summarise.',
      'llm.input_messages.0.message.role': 'system',
      'llm.input_messages.0.message.content': 'Be brief.',
      'llm.input_messages.10.message.role': 'user',
      'llm.input_messages.10.message.contents.0.message_content.text': 'part one',
      'llm.input_messages.10.message.contents.1.message_content.text': 'part two',
      'output.value': JSON.stringify({ text: 'Shipped.', usage: { total_tokens: 3 }, finish_reason: 'stop' }),
    };
    assert.deepEqual(brief(attributes), [
      ['system', 'Be brief.', 'input'],
      ['user', 'Summarise.', 'input'],
      ['user', 'part one\npart two', 'input'],
      ['assistant', 'Shipped.', 'output'],
    ]);
    assert.deepEqual(llmConversation(attributes)?.keys, ['llm.input_messages', 'output.value']);
    const withOutput = llmConversation({
      ...attributes,
      'llm.output_messages.0.message.role': 'assistant',
      'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'lookup',
      'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"id":8812}',
    });
    assert.deepEqual(withOutput?.messages.at(-1), { role: 'assistant', content: '', direction: 'output', toolCalls: [{ name: 'lookup', arguments: '{"id":8812}' }] });
  });

  it('reads Langfuse generations: prompts as input, Dify outputs {text} as the reply; plain spans are no conversation', () => {
    const generation: Attributes = {
      'langfuse.observation.type': 'generation',
      'langfuse.observation.input': JSON.stringify(prompts),
      'langfuse.observation.output': JSON.stringify({ text: 'Order 8812 shipped.', usage: { prompt_tokens: 57 }, finish_reason: 'stop' }),
    };
    assert.deepEqual(brief(generation), [
      ['system', 'You are a helpful assistant.', 'input'],
      ['user', 'Summarise the latest order status.', 'input'],
      ['assistant', 'Order 8812 shipped.', 'output'],
    ]);
    assert.deepEqual(brief({ ...generation, 'langfuse.observation.output': 'null' })?.length, 2);
    assert.equal(llmConversation({ 'langfuse.observation.type': 'span', 'langfuse.observation.input': '{"query": "x"}' }), undefined);
    assert.deepEqual(brief({ ...generation, 'langfuse.observation.input': '{not json', 'langfuse.observation.output': '{"text": "hi"}' }), [['assistant', 'hi', 'output']]);
    // A generation whose input is a workflow's inputs, not messages: only the reply is a message.
    assert.deepEqual(brief({ ...generation, 'langfuse.observation.input': '{"query": "x"}' }), [['assistant', 'Order 8812 shipped.', 'output']]);
    assert.deepEqual(brief({ 'gen_ai.input.messages': '[{"type": "human", "content": "hi"}, {"type": "ai", "content": "yo"}]' }), [['human', 'hi', 'input'], ['ai', 'yo', 'input']]);
  });

  it('keeps content that is not text as JSON and never parses an oversized value', () => {
    assert.deepEqual(brief({ 'gen_ai.input.messages': JSON.stringify([{ role: 'user', content: { image: 'x' } }]) }), [['user', '{\n  "image": "x"\n}', 'input']]);
    const huge = `[${'"x",'.repeat(jsonParseLimit / 4)}"x"]`;
    const conversation = llmConversation({ 'gen_ai.input.messages': huge });
    assert.equal(conversation?.unparsed, true);
    assert.deepEqual(conversation?.messages.map((m) => [m.role, m.content.length]), [['raw', huge.length]]);
  });

  it('returns undefined for spans without a conversation and for every malformed shape, without throwing', () => {
    assert.equal(llmConversation({}), undefined);
    assert.equal(llmConversation({ 'input.value': '{"query": "hi"}' }), undefined);
    for (const bad of ['', 'null', '42', '"text"', '{', '[1, 2', '[null, 3, true]', '{"role": 5}', '[[[]]]']) {
      assert.doesNotThrow(() => llmConversation({ 'gen_ai.input.messages': bad, 'gen_ai.output.messages': bad }), bad);
      assert.doesNotThrow(() => llmConversation({ 'langfuse.observation.type': 'generation', 'langfuse.observation.input': bad, 'langfuse.observation.output': bad }), bad);
      assert.doesNotThrow(() => llmConversation({ 'gen_ai.prompt': bad }), bad);
    }
    assert.doesNotThrow(() => llmConversation({ 'llm.input_messages.x.message.role': 'user', 'llm.input_messages.': 'y', 'llm.input_messages.0': 'z' }));
  });

  it('labels roles in words', () => {
    assert.deepEqual(['system', 'user', 'assistant', 'tool', 'human', 'ai', 'critic', ''].map(roleLabel), ['System', 'User', 'Assistant', 'Tool', 'User', 'Assistant', 'Critic', 'Message']);
  });
});
