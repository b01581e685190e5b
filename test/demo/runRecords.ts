/**
 * The records Dify keeps for a run (WorkflowRun + WorkflowNodeExecution rows: inputs, process_data,
 * outputs, metadata, status, error, created_at/finished_at), with a realistic timeline. Both trace
 * halves are built from these, the way Dify builds them.
 */
import { contentFor, forecastDays, forecastLine, guideDocument, itinerary, MODEL, placesText, SYSTEM_PROMPT, userPrompt, type JsonObject } from './demoContent';
import { APP, NODE_ORDER, NODES, nodeExecutionId, SLOW_RUN, type DemoNode, type DemoNodeKey, type DemoRun } from './demoRuns';
import { seededHex } from './ids';
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

type NodeDurations = Readonly<Record<DemoNodeKey, number>>;

/** Node durations in ms of the demo runs (LLM 1.6–2.4 s, retrieval ~0.2 s, plugin tool ~0.3 s, sandbox ~0.1 s). */
const DURATIONS: Readonly<Record<number, NodeDurations>> = {
  1: { start: 4, llm: 1870, retrieval: 236, tool: 312, code: 131, end: 3 },
  2: { start: 5, llm: 2410, retrieval: 198, tool: 214, code: 0, end: 0 }, // stops at the failing tool
  3: { start: 4, llm: 1630, retrieval: 251, tool: 288, code: 104, end: 3 },
};
const TTFT: Readonly<Record<number, number>> = { 1: 520, 2: 610, 3: 480 };
const GAP_MS = 7;
/** Run 1 is the typical run the history runs vary around. */
const TYPICAL_RUN = 1;
/**
 * The slow run's Get Weather node: the weather API kept the plugin waiting ~6.2 s. outboundCalls.ts and
 * daemonShapes.ts nest the HTTPX, daemon and plugin runtime spans a few ms inside the node, so the plugin
 * runtime span gets all but ~35 ms of it.
 */
const SLOW_TOOL_MS = 6_214;

/** A deterministic stand-in for run-to-run variance: 0.88–1.28 times `ms`, fixed per run and seed. */
function jittered(index: number, seed: string, ms: number): number {
  const unit = Number.parseInt(seededHex(`run${index}:duration:${seed}`, 8).slice(0, 8), 16) / 2 ** 32;
  return Math.round(ms * (0.88 + 0.4 * unit));
}

function typical<T>(table: Readonly<Record<number, T>>): T {
  const value = table[TYPICAL_RUN];
  if (value === undefined) throw new Error(`run ${TYPICAL_RUN} has no entry`);
  return value;
}

function durationsOf(run: DemoRun): NodeDurations {
  const fixed = DURATIONS[run.index];
  if (fixed !== undefined) return fixed;
  const base = typical(DURATIONS);
  const varied = Object.fromEntries(NODE_ORDER.map((key) => [key, jittered(run.index, key, base[key])])) as Record<DemoNodeKey, number>;
  return run.index === SLOW_RUN.index ? { ...varied, tool: SLOW_TOOL_MS } : varied;
}

const ttftOf = (run: DemoRun): number => TTFT[run.index] ?? jittered(run.index, 'ttft', typical(TTFT));

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
  const durations = durationsOf(run);
  const ttftMs = ttftOf(run);
  const llmUsage = { ...usage, total_tokens: totalTokens, total_price: '0.0000231', currency: 'USD', latency: durations.llm / 1000, time_to_first_token: ttftMs / 1000 };

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
    const end = begin + durations[key];
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
    llmFirstTokenMs: ttftMs,
  };
}
