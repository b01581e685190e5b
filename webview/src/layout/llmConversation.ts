/**
 * An LLM span's prompt and reply as a list of messages, from the attribute shapes Dify's exporters
 * really write (facts: src/dify/difyNames.ts, test/demo/aliyunShapes.ts):
 * - Aliyun: `gen_ai.input.messages` / `gen_ai.output.messages`, OTel GenAI JSON
 *   `[{role, parts: [{type: "text", content}]}]`; and `gen_ai.prompt` (JSON of Dify's
 *   `process_data.prompts`, `[{role, text, files}]`) with `gen_ai.completion` (the reply text).
 * - Phoenix (OpenInference): flattened `llm.input_messages.N.message.role|content|name|tool_calls...`
 *   and `llm.output_messages.N...`; the reply otherwise sits in `output.value` (`{text, usage}`).
 * - Langfuse generations: `langfuse.observation.input` (the prompts) and `.output` (`{text, ...}`).
 * Everything here is sender-controlled text: it is returned as strings and rendered as text only.
 * Malformed or oversized JSON never throws; the next shape is tried.
 */
import type { AttributeValue, Attributes } from '../../../src/model/span';
import { jsonParseLimit } from '../../../src/shared/jsonValue';

export interface ToolCall {
  readonly name: string;
  /** The arguments as the model wrote them (usually JSON text). */
  readonly arguments: string;
  readonly id?: string;
}

export interface LlmMessage {
  /** Lower-cased role as sent: `system`, `user`, `assistant`, `tool`, or whatever the exporter wrote. */
  readonly role: string;
  readonly content: string;
  readonly name?: string;
  readonly toolCalls?: readonly ToolCall[];
  /** Part of the prompt, or of the model's reply. */
  readonly direction: 'input' | 'output';
}

export interface LlmConversation {
  readonly messages: readonly LlmMessage[];
  /** The attribute keys the messages were read from. */
  readonly keys: readonly string[];
  /** A source was too large to parse: `messages` then holds its raw text as one message. */
  readonly unparsed?: boolean;
}

type Json = unknown;
type Direction = LlmMessage['direction'];

function parse(text: string): Json {
  if (text.length > jsonParseLimit) return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

const isRecord = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: Json): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);

/** Message content as text: a string, OTel/OpenAI parts (`{type, content|text}`), or anything else as JSON. */
function contentText(v: Json): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    return v
      .map((part: Json) => {
        if (typeof part === 'string') return part;
        if (isRecord(part)) {
          const text = str(part['content']) ?? str(part['text']);
          if (text !== undefined) return text;
          if (part['type'] === 'tool_call') return '';
          if (part['type'] === 'tool_call_response') return str(part['response']) ?? JSON.stringify(part['response'] ?? null);
        }
        return JSON.stringify(part);
      })
      .filter((t) => t !== '')
      .join('\n');
  }
  return isRecord(v) && typeof v['text'] === 'string' ? v['text'] : JSON.stringify(v, null, 2);
}

function argumentsText(v: Json): string {
  return typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v);
}

/** OpenAI `tool_calls: [{id, function: {name, arguments}}]` and OTel GenAI parts `{type: "tool_call", id, name, arguments}`. */
function toolCallsOf(m: Record<string, Json>): ToolCall[] {
  const calls: ToolCall[] = [];
  const push = (c: Json): void => {
    if (!isRecord(c)) return;
    const fn = isRecord(c['function']) ? c['function'] : c;
    const name = str(fn['name']);
    if (name === undefined) return;
    const id = str(c['id']);
    calls.push({ name, arguments: argumentsText(fn['arguments']), ...(id ? { id } : {}) });
  };
  if (Array.isArray(m['tool_calls'])) m['tool_calls'].forEach(push);
  for (const parts of [m['parts'], m['content']]) {
    if (Array.isArray(parts)) parts.filter((p: Json) => isRecord(p) && p['type'] === 'tool_call').forEach(push);
  }
  return calls;
}

function messageOf(v: Json, direction: Direction, defaultRole: string): LlmMessage | undefined {
  if (typeof v === 'string') return { role: defaultRole, content: v, direction };
  if (!isRecord(v)) return undefined;
  // An object with none of a message's fields (a workflow's `{query}` inputs) is not a message.
  if (!['role', 'content', 'text', 'parts', 'tool_calls'].some((k) => k in v)) return undefined;
  // LangChain writes the role as `type` (human, ai, system, tool).
  const langChainRole = typeof v['type'] === 'string' && ['human', 'ai', 'system', 'tool'].includes(v['type']) ? v['type'] : undefined;
  const role = (str(v['role']) ?? langChainRole ?? defaultRole).toLowerCase();
  const content = contentText(v['parts'] ?? v['content'] ?? v['text']);
  const name = str(v['name']);
  const toolCalls = toolCallsOf(v);
  return { role, content, direction, ...(name ? { name } : {}), ...(toolCalls.length > 0 ? { toolCalls } : {}) };
}

function messagesOf(v: Json, direction: Direction, defaultRole: string): LlmMessage[] | undefined {
  if (Array.isArray(v)) {
    const messages = v.map((m: Json) => messageOf(m, direction, defaultRole)).filter((m): m is LlmMessage => m !== undefined);
    return messages.length > 0 || v.length === 0 ? messages : undefined;
  }
  const one = messageOf(v, direction, defaultRole);
  return one ? [one] : undefined;
}

function stringAttr(attributes: Attributes, key: string): string | undefined {
  const v = attributes[key];
  return typeof v === 'string' ? v : undefined;
}

/** A JSON attribute as messages; `raw` when it is too large to parse. */
function jsonMessages(attributes: Attributes, key: string, direction: Direction, defaultRole: string): LlmMessage[] | 'raw' | undefined {
  const value: AttributeValue | undefined = attributes[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return messagesOf(value, direction, defaultRole);
  if (value.length > jsonParseLimit) return 'raw';
  return messagesOf(parse(value), direction, defaultRole);
}

function rawConversation(attributes: Attributes, keys: readonly string[]): LlmConversation {
  const messages = keys.flatMap((key, i): LlmMessage[] => {
    const v = stringAttr(attributes, key);
    return v === undefined ? [] : [{ role: 'raw', content: v, direction: i === 0 ? 'input' : 'output' }];
  });
  return { messages, keys, unparsed: true };
}

/** Aliyun and OTel GenAI: `gen_ai.input.messages` / `gen_ai.output.messages`. */
function genAiMessages(attributes: Attributes): LlmConversation | undefined {
  const keys = ['gen_ai.input.messages', 'gen_ai.output.messages'] as const;
  const input = jsonMessages(attributes, keys[0], 'input', 'user');
  const output = jsonMessages(attributes, keys[1], 'output', 'assistant');
  if (input === 'raw' || output === 'raw') return rawConversation(attributes, keys);
  if (input === undefined && output === undefined) return undefined;
  return { messages: [...(input ?? []), ...(output ?? [])], keys: keys.filter((k) => k in attributes) };
}

/** OpenInference: `llm.<side>_messages.N.message.role|content|name`, `.contents.K.message_content.text`, `.tool_calls.K.tool_call.function.name|arguments`. */
function flattenedMessages(attributes: Attributes, side: 'input' | 'output'): LlmMessage[] {
  const prefix = `llm.${side}_messages.`;
  const byIndex = new Map<number, Map<string, AttributeValue>>();
  for (const key of Object.keys(attributes)) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const dot = rest.indexOf('.');
    const index = Number(rest.slice(0, dot));
    if (dot < 0 || !Number.isInteger(index)) continue;
    let fields = byIndex.get(index);
    if (!fields) byIndex.set(index, (fields = new Map<string, AttributeValue>()));
    fields.set(rest.slice(dot + 1).replace(/^message\./, ''), attributes[key] ?? null);
  }
  const direction: Direction = side;
  return [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, fields]): LlmMessage => {
      const parts = [...fields.entries()].filter(([k]) => /^contents\.\d+\.message_content\.text$/.test(k)).map(([, v]) => str(v) ?? '');
      const content = str(fields.get('content')) ?? parts.join('\n');
      const name = str(fields.get('name'));
      const calls = new Map<string, { name?: string; arguments?: string; id?: string }>();
      for (const [k, v] of fields) {
        const m = /^tool_calls\.(\d+)\.tool_call\.(?:function\.)?(name|arguments|id)$/.exec(k);
        if (!m) continue;
        const call = calls.get(m[1]!) ?? {};
        call[m[2] as 'name' | 'arguments' | 'id'] = str(v) ?? '';
        calls.set(m[1]!, call);
      }
      const toolCalls = [...calls.entries()]
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([, c]): ToolCall => ({ name: c.name ?? '', arguments: c.arguments ?? '', ...(c.id ? { id: c.id } : {}) }));
      return {
        role: (str(fields.get('role')) ?? (side === 'input' ? 'user' : 'assistant')).toLowerCase(),
        content,
        direction,
        ...(name ? { name } : {}),
        ...(toolCalls.length > 0 ? { toolCalls } : {}),
      };
    });
}

/** The reply in an output JSON (`{text: ...}` of Dify's LLM node outputs), or plain reply text. */
function replyFrom(attributes: Attributes, key: string): LlmMessage[] {
  const v = stringAttr(attributes, key);
  if (v === undefined || v.trim() === '' || v === 'null') return [];
  const parsed = parse(v);
  if (isRecord(parsed)) {
    if (typeof parsed['text'] === 'string') return parsed['text'] === '' ? [] : [{ role: 'assistant', content: parsed['text'], direction: 'output' }];
    return messagesOf(parsed, 'output', 'assistant')?.filter((m) => m.content !== '' || m.toolCalls) ?? [];
  }
  if (Array.isArray(parsed)) return messagesOf(parsed, 'output', 'assistant') ?? [];
  return [{ role: 'assistant', content: v, direction: 'output' }];
}

function openInferenceMessages(attributes: Attributes): LlmConversation | undefined {
  const input = flattenedMessages(attributes, 'input');
  if (input.length === 0) return undefined;
  const output = flattenedMessages(attributes, 'output');
  const reply = output.length > 0 ? output : replyFrom(attributes, 'output.value');
  const keys = ['llm.input_messages', ...(output.length > 0 ? ['llm.output_messages'] : reply.length > 0 ? ['output.value'] : [])];
  return { messages: [...input, ...reply], keys };
}

/** Langfuse generations: the prompts as input, Dify's outputs (`{text, usage, finish_reason}`) or messages as output. */
function langfuseMessages(attributes: Attributes): LlmConversation | undefined {
  if (attributes['langfuse.observation.type'] !== 'generation') return undefined;
  const inputKey = 'langfuse.observation.input';
  const outputKey = 'langfuse.observation.output';
  const input = jsonMessages(attributes, inputKey, 'input', 'user');
  if (input === 'raw') return rawConversation(attributes, [inputKey, outputKey]);
  const raw = stringAttr(attributes, outputKey);
  if (raw !== undefined && raw.length > jsonParseLimit) return rawConversation(attributes, [inputKey, outputKey]);
  const output = replyFrom(attributes, outputKey);
  if (input === undefined && output.length === 0) return undefined;
  return { messages: [...(input ?? []), ...output], keys: [inputKey, outputKey].filter((k) => k in attributes) };
}

/** `gen_ai.prompt` (JSON prompts, or plain text) and `gen_ai.completion` (reply text). */
function promptCompletion(attributes: Attributes): LlmConversation | undefined {
  const prompt = stringAttr(attributes, 'gen_ai.prompt');
  const completion = stringAttr(attributes, 'gen_ai.completion');
  if (prompt === undefined && completion === undefined) return undefined;
  if ((prompt?.length ?? 0) > jsonParseLimit) return rawConversation(attributes, ['gen_ai.prompt', 'gen_ai.completion']);
  const input = prompt === undefined || prompt === '' ? [] : (messagesOf(parse(prompt), 'input', 'user') ?? [{ role: 'user', content: prompt, direction: 'input' as const }]);
  const output: LlmMessage[] = completion ? [{ role: 'assistant', content: completion, direction: 'output' }] : [];
  return { messages: [...input, ...output], keys: ['gen_ai.prompt', 'gen_ai.completion'].filter((k) => k in attributes) };
}

/**
 * The conversation of an LLM span, or undefined when the span carries none. The richest shape wins:
 * GenAI messages, then OpenInference, then Langfuse, then prompt/completion.
 */
export function llmConversation(attributes: Attributes): LlmConversation | undefined {
  for (const shape of [genAiMessages, openInferenceMessages, langfuseMessages, promptCompletion]) {
    const found = shape(attributes);
    if (found && found.messages.length > 0) return found;
  }
  return undefined;
}

/** The role as a label: System, User, Assistant, Tool; other roles capitalised as sent. */
export function roleLabel(role: string): string {
  switch (role) {
    case 'system':
    case 'developer':
      return 'System';
    case 'user':
    case 'human':
      return 'User';
    case 'assistant':
    case 'ai':
    case 'model':
      return 'Assistant';
    case 'tool':
    case 'function':
    case 'ipython':
      return 'Tool';
    case 'raw':
      return 'Messages (too large to parse)';
    default:
      return role === '' ? 'Message' : role.charAt(0).toUpperCase() + role.slice(1);
  }
}
