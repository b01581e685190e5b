/**
 * The records Dify keeps for a run (WorkflowRun + WorkflowNodeExecution rows: inputs, process_data,
 * outputs, metadata, status, error, created_at/finished_at), with a realistic timeline. Both trace
 * halves are built from these, the way Dify builds them.
 */
import { contentFor, forecastDays, forecastLine, guideDocument, itinerary, MODEL, placesText, SYSTEM_PROMPT, userPrompt, type JsonObject } from './demoContent';
import { APP, NODES, nodeExecutionId, type DemoNode, type DemoNodeKey, type DemoRun } from './demoRuns';
import { PLUGIN_PROVIDER_ID, PLUGIN_UNIQUE_IDENTIFIER } from './plugin';

export interface NodeRecord {
  readonly key: DemoNodeKey;
  readonly node: DemoNode;
  readonly executionId: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly status: 'succeeded' | 'failed';
  readonly inputs: JsonObject;
  readonly processData: JsonObject | null;
  readonly outputs: JsonObject | null;
  readonly metadata: JsonObject;
  readonly error: string | null;
}

export interface RunRecord {
  readonly run: DemoRun;
  readonly startMs: number;
  readonly endMs: number;
  readonly inputs: JsonObject;
  readonly outputs: JsonObject;
  readonly error: string | null;
  readonly nodes: readonly NodeRecord[];
  /** LLM time to first token (ms): when the plugin daemon's streamed response starts. */
  readonly llmFirstTokenMs: number;
}

/** Node durations in ms per run (LLM 1.6–2.4 s, retrieval ~0.2 s, plugin tool ~0.3 s, sandbox ~0.1 s). */
const DURATIONS: Readonly<Record<1 | 2 | 3, Readonly<Record<DemoNodeKey, number>>>> = {
  1: { start: 4, llm: 1870, retrieval: 236, tool: 312, code: 131, end: 3 },
  2: { start: 5, llm: 2410, retrieval: 198, tool: 214, code: 0, end: 0 }, // stops at the failing tool
  3: { start: 4, llm: 1630, retrieval: 251, tool: 288, code: 104, end: 3 },
};
const TTFT: Readonly<Record<1 | 2 | 3, number>> = { 1: 520, 2: 610, 3: 480 };
const GAP_MS = 7;

export function buildRunRecord(run: DemoRun, startMs: number): RunRecord {
  const { destination, trip_days: days, units } = run.inputs;
  const content = contentFor(destination);
  const answer = placesText(content.places.slice(0, Math.max(days * 2, 3)));
  const forecast = forecastDays(destination, days, startMs);
  const weather: JsonObject = { city: destination, units, forecast };
  const weatherText = forecast.map(forecastLine).join('\n');
  const plan = run.failure === null ? itinerary(answer, forecast) : null;
  const usage = { prompt_tokens: 58 + destination.length, completion_tokens: 6 * answer.split('\n').length + 4 };
  const sys: JsonObject = {
    'sys.files': [],
    'sys.user_id': APP.endUserId,
    'sys.app_id': APP.id,
    'sys.workflow_id': APP.workflowId,
    'sys.workflow_run_id': run.workflowRunId,
  };
  const workflowInputs: JsonObject = { ...run.inputs, ...sys };
  const toolInfo = { provider_type: 'plugin', provider_id: PLUGIN_PROVIDER_ID, plugin_unique_identifier: PLUGIN_UNIQUE_IDENTIFIER };
  const totalTokens = usage.prompt_tokens + usage.completion_tokens;
  const llmUsage = { ...usage, total_tokens: totalTokens, total_price: '0.0000231', currency: 'USD', latency: DURATIONS[run.index].llm / 1000, time_to_first_token: TTFT[run.index] / 1000 };

  const data: Record<DemoNodeKey, Omit<NodeRecord, 'key' | 'node' | 'executionId' | 'startMs' | 'endMs' | 'status' | 'error'>> = {
    start: { inputs: workflowInputs, processData: null, outputs: workflowInputs, metadata: {} },
    llm: {
      inputs: {},
      processData: {
        model_mode: 'chat',
        model_provider: MODEL.provider,
        model_name: MODEL.name,
        prompts: [
          { role: 'system', text: SYSTEM_PROMPT, files: [] },
          { role: 'user', text: userPrompt(destination, days), files: [] },
        ],
        usage: llmUsage,
        finish_reason: 'stop',
      },
      outputs: { text: answer, usage: llmUsage, finish_reason: 'stop' },
      metadata: { total_tokens: totalTokens, total_price: '0.0000231', currency: 'USD' },
    },
    retrieval: { inputs: { query: destination }, processData: null, outputs: { result: [guideDocument(destination, 0.82)] }, metadata: {} },
    tool: { inputs: { city: destination, days, units }, processData: null, outputs: { text: weatherText, files: [], json: [weather] }, metadata: { tool_info: toolInfo } },
    code: { inputs: { forecast: [weather], places: answer }, processData: null, outputs: plan === null ? null : { itinerary: plan }, metadata: {} },
    end: { inputs: { itinerary: plan ?? '' }, processData: null, outputs: { itinerary: plan ?? '' }, metadata: {} },
  };

  let cursor = startMs + GAP_MS;
  const nodes = run.executed.map((key): NodeRecord => {
    const failed = run.failure?.nodeKey === key;
    const begin = cursor;
    const end = begin + DURATIONS[run.index][key];
    cursor = end + GAP_MS;
    const record = data[key];
    return {
      key,
      node: NODES[key],
      executionId: nodeExecutionId(run.index, key),
      startMs: begin,
      endMs: end,
      status: failed ? 'failed' : 'succeeded',
      ...record,
      outputs: failed ? null : record.outputs,
      error: failed ? run.errorMessage : null,
    };
  });
  return {
    run,
    startMs,
    endMs: cursor + 4,
    inputs: workflowInputs,
    outputs: plan === null ? {} : { itinerary: plan },
    error: run.errorMessage,
    nodes,
    llmFirstTokenMs: TTFT[run.index],
  };
}
