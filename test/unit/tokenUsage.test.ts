// The details pane's usage line: token counts and price from each exporter's attributes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPrice, modelName, tokenUsage, usageLine } from '../../src/shared/tokenUsage';

describe('token usage and price', () => {
  it('reads Aliyun gen_ai.usage.* (counts as strings)', () => {
    const usage = tokenUsage({ 'gen_ai.usage.input_tokens': '1234', 'gen_ai.usage.output_tokens': '567', 'gen_ai.usage.total_tokens': '1801' });
    assert.deepEqual(usage, { inputTokens: 1234, outputTokens: 567, totalTokens: 1801 });
    assert.equal(usageLine(usage), '1,234 in · 567 out · 1,801 tokens');
  });

  it('reads Phoenix llm.token_count.* and Dify\'s price and currency from the metadata JSON', () => {
    const usage = tokenUsage({
      'llm.token_count.prompt': 57,
      'llm.token_count.completion': 86,
      'llm.token_count.total': 143,
      metadata: JSON.stringify({ total_tokens: 143, total_price: '0.0042', currency: 'USD', node_type: 'llm' }),
    });
    assert.equal(usageLine(usage!), '57 in · 86 out · 143 tokens · $0.0042');
    assert.equal(usageLine(tokenUsage({ 'llm.token_count.total': 10, metadata: '{"total_price": "1.5", "currency": "RMB"}' })!), '10 tokens · 1.50 RMB');
  });

  it('reads Langfuse usage_details and cost_details (US dollars), preferring Dify\'s own price and currency', () => {
    const base = {
      'langfuse.observation.usage_details': '{"input": 57, "output": 86, "total": 143}',
      'langfuse.observation.cost_details': '{"total": 0.0000602}',
    };
    assert.equal(usageLine(tokenUsage(base)!), '57 in · 86 out · 143 tokens · $0.0000602');
    const withDify = tokenUsage({ ...base, 'langfuse.observation.metadata.dify.usage': '{"prompt_tokens": 57, "total_price": "0.5", "currency": "EUR"}' });
    assert.equal(withDify?.price, 0.5);
    assert.equal(withDify?.currency, 'EUR');
  });

  it('reads the usage of Dify\'s LLM node outputs in output.value, and computes a missing total', () => {
    const usage = tokenUsage({ 'output.value': JSON.stringify({ text: 'hi', usage: { prompt_tokens: 3, completion_tokens: 4, total_price: '0', currency: 'USD' } }) });
    assert.deepEqual(usage, { inputTokens: 3, outputTokens: 4, totalTokens: 7, price: 0, currency: 'USD' });
  });

  it('is undefined without usage, and survives malformed JSON and non-numbers', () => {
    assert.equal(tokenUsage({}), undefined);
    assert.equal(tokenUsage({ metadata: '{oops', 'langfuse.observation.usage_details': '[1]', 'output.value': 'plain', 'gen_ai.usage.input_tokens': 'many' }), undefined);
    assert.equal(usageLine({ totalTokens: 1 }), '1 token');
  });

  it('formats prices with their currency', () => {
    assert.equal(formatPrice(0.0042, 'USD'), '$0.0042');
    assert.equal(formatPrice(12345.678, undefined), '$12,345.68');
    assert.equal(formatPrice(0, 'USD'), '$0.00');
    assert.equal(formatPrice(0.123456, 'CNY'), '0.123 CNY');
  });

  it('names the model from each exporter', () => {
    assert.equal(modelName({ 'gen_ai.request.model': 'gpt-4o-mini' }), 'gpt-4o-mini');
    assert.equal(modelName({ 'llm.model_name': 'claude' }), 'claude');
    assert.equal(modelName({ 'langfuse.observation.model.name': 'm' }), 'm');
    assert.equal(modelName({}), undefined);
  });
});
