/**
 * The records Dify keeps for one run (WorkflowRun + WorkflowNodeExecution rows, or a Message), in the
 * small form the corpus needs. Every exporter shape is rendered from these, the way Dify renders it.
 * Node types / statuses: graphon enums.py BuiltinNodeTypes, WorkflowNodeExecutionStatus (see dify-traces.md §4).
 */
import type { ErrorKind } from '../../src/dify/errorKind';
import type { RunKind, RunStatus } from '../../src/shared/runSummary';
import { seededHex, seededUuid } from '../demo/ids';
import { PLUGIN, PLUGIN_PROVIDER_ID, PLUGIN_UNIQUE_IDENTIFIER } from '../demo/plugin';
import type { NodeError } from './errors';

export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };
export type NodeStatus = 'succeeded' | 'failed' | 'exception' | 'stopped';

export interface NodeSketch {
  readonly type: string;
  readonly title?: string;
  readonly status?: NodeStatus;
  readonly error?: NodeError;
  readonly ms?: number;
  readonly inputs?: JsonObject;
  readonly outputs?: JsonObject | null;
  readonly metadata?: JsonObject;
  /** tool nodes: provider_type of tool_info. */
  readonly toolProvider?: 'plugin' | 'builtin' | 'api' | 'workflow' | 'mcp';
  /** code nodes: the language of the DSL (not visible in traces unless the error text shows it). */
  readonly codeLanguage?: 'python3' | 'javascript';
  /** iteration / loop: the body executions per round. */
  readonly rounds?: readonly (readonly NodeSketch[])[];
}

export interface NodeExec {
  readonly key: string;
  readonly nodeId: string;
  readonly executionId: string;
  readonly type: string;
  readonly title: string;
  readonly status: NodeStatus;
  readonly error: NodeError | null;
  readonly startMs: number;
  readonly endMs: number;
  readonly inputs: JsonObject;
  readonly processData: JsonObject | null;
  readonly outputs: JsonObject | null;
  readonly metadata: JsonObject;
  readonly predecessorNodeId: string | null;
  readonly container?: { readonly type: 'iteration' | 'loop'; readonly nodeId: string; readonly executionId: string; readonly index: number };
  readonly codeLanguage?: 'python3' | 'javascript';
  /** `author/name` of the plugin behind a plugin tool node. */
  readonly pluginId?: string;
}

export interface RunRec {
  readonly seed: string;
  readonly kind: Exclude<RunKind, 'unknown'>;
  readonly appName: string;
  readonly appId: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly workflowId: string;
  readonly workflowRunId: string | null;
  readonly messageId: string | null;
  readonly conversationId: string | null;
  readonly status: Exclude<RunStatus, 'running' | 'unknown'>;
  /** WorkflowRun.error / Message.error ("" when none). */
  readonly error: string;
  readonly errorKind?: ErrorKind;
  readonly startMs: number;
  readonly endMs: number;
  readonly inputs: JsonObject;
  readonly outputs: JsonObject;
  readonly nodes: readonly NodeExec[];
  readonly tokens: { readonly prompt: number; readonly completion: number; readonly total: number };
  readonly query: string;
  /** Request trace id of the API (infrastructure half), i.e. trace_info.trace_id. */
  readonly infraTraceId: string;
  readonly model: { readonly provider: string; readonly name: string };
}

export const MODEL = { provider: 'langgenius/openai/openai', name: 'gpt-4o-mini' } as const;

const DURATION: Readonly<Record<string, number>> = {
  llm: 1420, 'question-classifier': 610, 'parameter-extractor': 730, agent: 4200, tool: 310, 'knowledge-retrieval': 190,
  code: 95, 'http-request': 260, 'document-extractor': 140, 'template-transform': 24,
};

const TITLES: Readonly<Record<string, string>> = {
  start: 'Start', end: 'End', answer: 'Answer', llm: 'LLM', 'knowledge-retrieval': 'Knowledge Retrieval', 'if-else': 'IF/ELSE',
  code: 'Code', 'template-transform': 'Template', 'question-classifier': 'Question Classifier', 'http-request': 'HTTP Request',
  tool: 'Tool', 'variable-aggregator': 'Variable Aggregator', loop: 'Loop', 'loop-start': '', 'loop-end': 'Exit Loop',
  iteration: 'Iteration', 'iteration-start': '', 'parameter-extractor': 'Parameter Extractor', assigner: 'Variable Assigner',
  'document-extractor': 'Doc Extractor', 'list-operator': 'List Operator', agent: 'Agent', 'human-input': 'Human Input',
};

function toolInfo(provider: NonNullable<NodeSketch['toolProvider']>, seed: string): JsonObject {
  switch (provider) {
    case 'plugin':
      return { provider_type: 'plugin', provider_id: PLUGIN_PROVIDER_ID, plugin_unique_identifier: PLUGIN_UNIQUE_IDENTIFIER };
    case 'builtin':
      return { provider_type: 'builtin', provider_id: 'time', plugin_unique_identifier: null };
    case 'api':
      return { provider_type: 'api', provider_id: seededUuid(`${seed}:api-provider`), plugin_unique_identifier: null };
    case 'workflow':
      return { provider_type: 'workflow', provider_id: seededUuid(`${seed}:workflow-tool`), plugin_unique_identifier: null };
    case 'mcp':
      return { provider_type: 'mcp', provider_id: seededHex(`${seed}:mcp`, 16), plugin_unique_identifier: null };
  }
}

function llmData(sk: NodeSketch, failed: boolean): { processData: JsonObject; outputs: JsonObject | null; metadata: JsonObject; tokens: [number, number] } {
  const prompt = 57;
  const completion = failed ? 0 : 86;
  const usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, total_price: '0.0000602', currency: 'USD', latency: 1.42, time_to_first_token: 0.48 };
  const processData: JsonObject = {
    model_mode: 'chat',
    model_provider: MODEL.provider,
    model_name: MODEL.name,
    prompts: [
      { role: 'system', text: 'You are a helpful assistant.', files: [] },
      { role: 'user', text: 'Summarise the latest order status for the customer.', files: [] },
    ],
    usage,
    finish_reason: 'stop',
  };
  return {
    processData,
    outputs: failed ? null : { text: 'Order 8812 shipped on 3 March and arrives Friday.', usage, finish_reason: 'stop' },
    metadata: { total_tokens: prompt + completion, total_price: '0.0000602', currency: 'USD' },
    tokens: sk.type === 'llm' ? [prompt, completion] : [0, 0],
  };
}

export interface RunOptions {
  readonly kind?: RunRec['kind'];
  readonly appName?: string;
  /** Forces a run status (e.g. `stopped`); otherwise derived from node statuses. */
  readonly status?: RunRec['status'];
  readonly error?: NodeError;
  readonly startMs: number;
}

/**
 * Builds a run from node sketches, in order, with a realistic timeline. The first `failed` node ends the run
 * (status failed, error = node error); `exception` nodes make it partial-succeeded.
 */
export function buildRun(seed: string, sketches: readonly NodeSketch[], opts: RunOptions): RunRec {
  const kind = opts.kind ?? 'workflow';
  const nodes: NodeExec[] = [];
  let cursor = opts.startMs + 11;
  let predecessor: string | null = null;
  let counter = 0;
  let prompt = 0;
  let completion = 0;
  const titleCount = new Map<string, number>();

  const emit = (sk: NodeSketch, container: NodeExec['container'] | undefined, pred: string | null): NodeExec => {
    counter += 1;
    const key = `${sk.type}#${counter}`;
    const nodeId = container ? `${container.nodeId}-body-${sk.type}` : String(1741900000000 + counter * 101);
    const baseTitle = sk.title ?? TITLES[sk.type] ?? sk.type;
    const n = (titleCount.get(baseTitle) ?? 0) + 1;
    titleCount.set(baseTitle, n);
    const title = sk.title !== undefined || n === 1 || container ? baseTitle : `${baseTitle} ${n}`;
    const status = sk.status ?? 'succeeded';
    const failed = status === 'failed' || status === 'exception';
    const start = cursor;
    let meta: Record<string, Json> = { ...(sk.metadata ?? {}) };
    let processData: JsonObject | null = null;
    let outputs: JsonObject | null = sk.outputs === undefined ? (failed ? null : { result: `${sk.type} ok` }) : sk.outputs;
    if (['llm', 'question-classifier', 'parameter-extractor'].includes(sk.type)) {
      const d = llmData(sk, failed);
      processData = d.processData;
      if (sk.outputs === undefined) outputs = d.outputs;
      meta = { ...meta, ...d.metadata };
      prompt += d.tokens[0];
      completion += d.tokens[1];
    }
    if (sk.type === 'tool') meta = { ...meta, tool_info: toolInfo(sk.toolProvider ?? 'plugin', `${seed}:${key}`) };
    if (status === 'exception') meta = { ...meta, error_strategy: 'fail-branch' };
    if (container) {
      meta = container.type === 'iteration'
        ? { ...meta, iteration_id: container.nodeId, iteration_index: container.index }
        : { ...meta, loop_id: container.nodeId, loop_index: container.index };
    }
    const exec: NodeExec = {
      key,
      nodeId,
      executionId: seededUuid(`${seed}:exec:${key}`),
      type: sk.type,
      title,
      status,
      error: failed ? (sk.error ?? null) : null,
      startMs: start,
      endMs: start + (sk.ms ?? DURATION[sk.type] ?? 4),
      inputs: sk.inputs ?? (sk.type === 'start' ? { query: 'Where is order 8812?' } : { input: `from ${pred ?? 'start'}` }),
      processData,
      outputs,
      metadata: meta,
      predecessorNodeId: pred,
      ...(container ? { container } : {}),
      ...(sk.codeLanguage ? { codeLanguage: sk.codeLanguage } : {}),
      ...(sk.type === 'tool' && (sk.toolProvider ?? 'plugin') === 'plugin' ? { pluginId: `${PLUGIN.author}/${PLUGIN.name}` } : {}),
    };
    return exec;
  };

  for (const sk of sketches) {
    if (sk.rounds) {
      // Container: its record is written when it finishes, but it starts before its body.
      const placeholder = emit({ ...sk, ms: 0 }, undefined, predecessor);
      const containerType = sk.type === 'loop' ? 'loop' : 'iteration';
      cursor = placeholder.startMs + 3;
      const body: NodeExec[] = [];
      sk.rounds.forEach((round, index) => {
        let pred: string | null = null;
        for (const child of round) {
          const c = emit(child, { type: containerType, nodeId: placeholder.nodeId, executionId: placeholder.executionId, index }, pred);
          body.push(c);
          pred = c.nodeId;
          cursor = c.endMs + 2;
        }
      });
      const output = sk.outputs === undefined ? { output: sk.rounds.map((_, i) => `round ${i}`) } : sk.outputs;
      const failedChild = body.find((b) => b.status === 'failed');
      nodes.push({ ...placeholder, endMs: cursor + 2, outputs: failedChild ? null : output, status: failedChild ? 'failed' : placeholder.status, error: failedChild?.error ?? placeholder.error });
      nodes.push(...body);
      cursor += 9;
      predecessor = placeholder.nodeId;
      if (failedChild) break;
      continue;
    }
    const exec = emit(sk, undefined, predecessor);
    nodes.push(exec);
    cursor = exec.endMs + 7;
    predecessor = exec.nodeId;
    if (exec.status === 'failed') break;
  }

  const hardFail = nodes.find((n) => n.status === 'failed' && !n.container) ?? nodes.find((n) => n.status === 'failed');
  const handled = nodes.some((n) => n.status === 'exception');
  const status = opts.status ?? (hardFail || opts.error ? 'failed' : handled ? 'partial-succeeded' : 'succeeded');
  const error = opts.error?.text ?? (status === 'failed' && hardFail?.error ? hardFail.error.text : '');
  const errorKind = opts.error?.kind ?? (status === 'failed' ? hardFail?.error?.kind : undefined);
  const hasMessage = kind !== 'workflow';
  const hasWorkflow = kind === 'workflow' || kind === 'chatflow';
  return {
    seed,
    kind,
    appName: opts.appName ?? 'Order Support',
    appId: seededUuid(`${seed}:app`),
    tenantId: seededUuid('corpus:tenant'),
    userId: seededUuid(`${seed}:end-user`),
    workflowId: seededUuid(`${seed}:workflow`),
    workflowRunId: hasWorkflow ? seededUuid(`${seed}:workflow-run`) : null,
    messageId: hasMessage ? seededUuid(`${seed}:message`) : null,
    conversationId: kind === 'completion' || kind === 'workflow' ? null : seededUuid(`${seed}:conversation`),
    status,
    error,
    ...(errorKind ? { errorKind } : {}),
    startMs: opts.startMs,
    endMs: cursor + 5,
    inputs: { query: 'Where is order 8812?' },
    outputs: status === 'failed' ? {} : { answer: 'Order 8812 shipped on 3 March and arrives Friday.' },
    nodes,
    tokens: { prompt, completion, total: prompt + completion },
    query: 'Where is order 8812?',
    infraTraceId: seededHex(`${seed}:infra-trace`, 16),
    model: MODEL,
  };
}
