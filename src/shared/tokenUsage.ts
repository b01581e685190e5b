/**
 * Token counts and price of an LLM span, from whichever exporter wrote them:
 * - Aliyun / OTel GenAI: `gen_ai.usage.input_tokens|output_tokens|total_tokens` (strings in Aliyun),
 *   older `gen_ai.usage.prompt_tokens|completion_tokens`;
 * - Phoenix (OpenInference): `llm.token_count.prompt|completion|total`, and the node's
 *   `metadata` JSON with Dify's `total_price` and `currency`;
 * - Langfuse: `langfuse.observation.usage_details` (`{input, output, total}`), `.cost_details`
 *   (`{total}`, US dollars), and Dify's usage (`total_price`, `currency`) in `...metadata.dify.usage`;
 * - Dify's LLM node outputs (`output.value` `{usage: {prompt_tokens, ..., total_price, currency}}`).
 * The first source holding a field wins; nothing is summed or guessed but a missing total.
 */
import type { Attributes } from '../model/span';
import { jsonParseLimit } from './jsonValue';

export interface TokenUsage {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly totalTokens?: number;
  readonly price?: number;
  /** ISO currency code as Dify writes it (`USD`, `RMB`...). */
  readonly currency?: string;
}

type Record_ = Readonly<Record<string, unknown>>;

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function jsonObject(attributes: Attributes, key: string): Record_ | undefined {
  const v = attributes[key];
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record_;
  if (typeof v !== 'string' || v.length > jsonParseLimit || !v.trimStart().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(v);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record_) : undefined;
  } catch {
    return undefined;
  }
}

const first = (...values: unknown[]): number | undefined => {
  for (const v of values) {
    const n = num(v);
    if (n !== undefined) return n;
  }
  return undefined;
};

/** Token counts and price, or undefined when the span carries neither. */
export function tokenUsage(attributes: Attributes): TokenUsage | undefined {
  const a = attributes;
  const langfuseUsage = jsonObject(a, 'langfuse.observation.usage_details');
  const langfuseCost = jsonObject(a, 'langfuse.observation.cost_details');
  const difyUsage = jsonObject(a, 'langfuse.observation.metadata.dify.usage');
  const metadata = jsonObject(a, 'metadata');
  const output = jsonObject(a, 'output.value');
  const outputUsage = output && typeof output['usage'] === 'object' && output['usage'] !== null ? (output['usage'] as Record_) : undefined;
  const inputTokens = first(a['gen_ai.usage.input_tokens'], a['gen_ai.usage.prompt_tokens'], a['llm.token_count.prompt'], langfuseUsage?.['input'], difyUsage?.['prompt_tokens'], outputUsage?.['prompt_tokens']);
  const outputTokens = first(a['gen_ai.usage.output_tokens'], a['gen_ai.usage.completion_tokens'], a['llm.token_count.completion'], langfuseUsage?.['output'], difyUsage?.['completion_tokens'], outputUsage?.['completion_tokens']);
  const totalTokens =
    first(a['gen_ai.usage.total_tokens'], a['llm.token_count.total'], langfuseUsage?.['total'], difyUsage?.['total_tokens'], outputUsage?.['total_tokens']) ??
    (inputTokens !== undefined && outputTokens !== undefined ? inputTokens + outputTokens : undefined);
  // Dify's own price comes with its currency; Langfuse's computed cost is in US dollars.
  const difyPrice = first(metadata?.['total_price'], difyUsage?.['total_price'], outputUsage?.['total_price']);
  const difyCurrency = [metadata?.['currency'], difyUsage?.['currency'], outputUsage?.['currency']].find((c): c is string => typeof c === 'string' && c !== '');
  const langfusePrice = num(langfuseCost?.['total']);
  const price = difyPrice ?? langfusePrice;
  const currency = difyPrice !== undefined ? difyCurrency : langfusePrice !== undefined ? 'USD' : undefined;
  if (inputTokens === undefined && outputTokens === undefined && totalTokens === undefined && price === undefined) return undefined;
  return {
    ...(inputTokens !== undefined ? { inputTokens } : {}),
    ...(outputTokens !== undefined ? { outputTokens } : {}),
    ...(totalTokens !== undefined ? { totalTokens } : {}),
    ...(price !== undefined ? { price } : {}),
    ...(currency !== undefined ? { currency } : {}),
  };
}

/** A price as people write it: `$0.0042`, `0.12 RMB`; small amounts keep three significant digits. */
export function formatPrice(price: number, currency: string | undefined): string {
  const digits = price !== 0 && Math.abs(price) < 1 ? { maximumSignificantDigits: 3 } : { minimumFractionDigits: 2, maximumFractionDigits: 2 };
  const amount = price.toLocaleString('en-US', { ...digits, useGrouping: true });
  if (currency === undefined || currency === 'USD') return `$${amount}`;
  return `${amount} ${currency}`;
}

/** "1,234 in · 567 out · 1,801 tokens · $0.0042": only the parts the span has. */
export function usageLine(usage: TokenUsage): string {
  const n = (v: number): string => v.toLocaleString('en-US');
  const parts: string[] = [];
  if (usage.inputTokens !== undefined) parts.push(`${n(usage.inputTokens)} in`);
  if (usage.outputTokens !== undefined) parts.push(`${n(usage.outputTokens)} out`);
  if (usage.totalTokens !== undefined) parts.push(`${n(usage.totalTokens)} token${usage.totalTokens === 1 ? '' : 's'}`);
  if (usage.price !== undefined) parts.push(formatPrice(usage.price, usage.currency));
  return parts.join(' · ');
}

/** The model an LLM span called: Aliyun `gen_ai.request.model` (older `gen_ai.model_name`), Phoenix `llm.model_name`, Langfuse `langfuse.observation.model.name`. */
export function modelName(attributes: Attributes): string | undefined {
  for (const key of ['gen_ai.request.model', 'gen_ai.response.model', 'gen_ai.model_name', 'llm.model_name', 'langfuse.observation.model.name']) {
    const v = attributes[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}
