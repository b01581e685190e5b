/**
 * Values both trace halves derive the same way from a node execution: Dify's Aliyun exporter
 * (dify_trace_aliyun utils.py format_input_messages / format_output_messages / format_retrieval_documents)
 * and its infra node parsers (api/extensions/otel/parser/llm.py, retrieval.py) carry identical copies.
 */
import type { Json, JsonObject } from './demoContent';
import { pyJson, pyStr } from './pyJson';
import type { NodeRecord } from './runRecords';

export const asObject = (value: Json | undefined): JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
const asArray = (value: Json | undefined): readonly Json[] => (Array.isArray(value) ? (value as readonly Json[]) : []);

export interface LlmFacts {
  readonly model: string;
  readonly provider: string;
  readonly usage: { readonly prompt: number; readonly completion: number; readonly total: number };
  /** JSON of process_data.prompts. */
  readonly prompts: string;
  readonly text: string;
  readonly finishReason: string;
  /** OTel GenAI message JSON: [{role, parts:[{type:"text", content}]}], output with finish_reason. */
  readonly inputMessages: string;
  readonly outputMessages: string;
}

export function llmFacts(n: NodeRecord): LlmFacts {
  const process = n.processData ?? {};
  const outputs = n.outputs ?? {};
  const usage = asObject(process['usage'] ?? outputs['usage']);
  const text = pyStr(outputs['text']);
  const finishReason = pyStr(outputs['finish_reason']);
  const inputMessages = asArray(process['prompts']).map((p) => ({
    role: asObject(p)['role'] ?? '',
    parts: [{ type: 'text', content: asObject(p)['text'] ?? '' }],
  }));
  const outputMessages = text === '' ? [] : [{ role: 'assistant', parts: [{ type: 'text', content: text }], finish_reason: finishReason }];
  return {
    model: pyStr(process['model_name']),
    provider: pyStr(process['model_provider']),
    usage: {
      prompt: Number(usage['prompt_tokens'] ?? 0),
      completion: Number(usage['completion_tokens'] ?? 0),
      total: Number(usage['total_tokens'] ?? 0),
    },
    prompts: pyJson(process['prompts'] ?? []),
    text,
    finishReason,
    inputMessages: pyJson(inputMessages),
    outputMessages: pyJson(outputMessages),
  };
}

/** outputs.result of a knowledge-retrieval node. */
export const retrievalResult = (n: NodeRecord): Json => n.outputs?.['result'] ?? [];

/** format_retrieval_documents: [{document: {content, metadata: {title, source, ...doc_metadata}, score, id}}] as JSON. */
export function retrievalDocuments(n: NodeRecord): string {
  const documents = asArray(retrievalResult(n)).map((d) => {
    const metadata = asObject(asObject(d)['metadata']);
    const title = asObject(d)['title'];
    const source = metadata['source'] ?? metadata['_source'];
    return {
      document: {
        content: asObject(d)['content'] ?? '',
        metadata: { ...(title ? { title } : {}), ...(source ? { source } : {}), ...asObject(metadata['doc_metadata']) },
        score: metadata['score'] ?? 0.0,
        id: metadata['document_id'] ?? '',
      },
    };
  });
  return pyJson(documents);
}
