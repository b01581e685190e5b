/**
 * A workflow node's inputs and outputs, from the attribute each exporter puts them in: Aliyun and
 * Phoenix `input.value` / `output.value` (JSON strings), Langfuse `langfuse.observation.input|output`
 * and Dify's `...metadata.dify.inputs|outputs`, Dify's infrastructure spans `dify.inputs|outputs`.
 */
import type { AttributeValue, Attributes } from '../model/span';

export interface NodeValue {
  readonly key: string;
  readonly value: AttributeValue;
}

const inputKeys = ['input.value', 'langfuse.observation.input', 'langfuse.observation.metadata.dify.inputs', 'dify.inputs'];
const outputKeys = ['output.value', 'langfuse.observation.output', 'langfuse.observation.metadata.dify.outputs', 'dify.outputs'];

function firstPresent(attributes: Attributes, keys: readonly string[]): NodeValue | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (value === undefined || value === null || value === '' || value === 'null') continue;
    return { key, value };
  }
  return undefined;
}

export function nodeInputsOutputs(attributes: Attributes): { readonly inputs?: NodeValue; readonly outputs?: NodeValue } {
  const inputs = firstPresent(attributes, inputKeys);
  const outputs = firstPresent(attributes, outputKeys);
  return { ...(inputs ? { inputs } : {}), ...(outputs ? { outputs } : {}) };
}
