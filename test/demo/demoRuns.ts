/**
 * What the demo emits, as tests need it: the app, its workflow graph (matching
 * workspace/travel-assistant.yml), the three runs with their ids and expected failures, and the
 * older succeeded runs of the same app that give them a history (one of them slow).
 */
import { aliyunSpanId, aliyunTraceId, seededHex, seededUuid } from './ids';
import { PLUGIN_EXCEPTION, PLUGIN_SOURCE, TOOL_NODE_ERROR } from './plugin';
import { CODE_FAILING_LINE, sandboxError } from './sandbox';
import { ALIYUN_APP_NAME, PLUGIN_RUNTIME_SERVICE } from './services';

export const APP = {
  name: ALIYUN_APP_NAME,
  id: seededUuid('app'),
  tenantId: seededUuid('tenant'),
  workflowId: seededUuid('workflow'),
  /** The Service API end user (EndUser.id) that ran the app. */
  endUserId: seededUuid('end-user'),
} as const;

export type DemoNodeKey = 'start' | 'llm' | 'retrieval' | 'tool' | 'code' | 'end';
export interface DemoNode {
  /** Graph node id (DSL `graph.nodes[].id`, infra `node.id`). */
  readonly id: string;
  /** Node type string (graphon BuiltinNodeTypes). */
  readonly type: 'start' | 'llm' | 'knowledge-retrieval' | 'tool' | 'code' | 'end';
  /** Node title: the span name in both halves. */
  readonly title: string;
}

export const NODES: Readonly<Record<DemoNodeKey, DemoNode>> = {
  start: { id: '1747900000001', type: 'start', title: 'Start' },
  llm: { id: '1747900000101', type: 'llm', title: 'Plan Trip' },
  retrieval: { id: '1747900000201', type: 'knowledge-retrieval', title: 'Search Travel Guides' },
  tool: { id: '1747900000301', type: 'tool', title: 'Get Weather' },
  code: { id: '1747900000401', type: 'code', title: 'Build Itinerary' },
  end: { id: '1747900000501', type: 'end', title: 'End' },
};
export const NODE_ORDER: readonly DemoNodeKey[] = ['start', 'llm', 'retrieval', 'tool', 'code', 'end'];

export interface FailingSpan {
  readonly service: string;
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
}

export type DemoFailure =
  | {
      readonly kind: 'plugin';
      readonly nodeKey: 'tool';
      /** Relative to the sample plugin root (`pluginRoot`), and the line that raises. */
      readonly pluginRoot: string;
      readonly pluginFile: string;
      readonly pluginLine: number;
      readonly exceptionType: string;
    }
  | {
      readonly kind: 'code';
      readonly nodeKey: 'code';
      readonly codeNodeId: string;
      /** Line of the Code node's user code (1-based) that raises. */
      readonly codeLine: number;
      readonly exceptionType: string;
    };

export interface DemoRun {
  /** 1..3: the demo runs; 4 and up: the history runs. */
  readonly index: number;
  readonly workflowRunId: string;
  /** App-level (Aliyun) trace id: the run UUID without dashes. */
  readonly appTraceId: string;
  /** Infrastructure trace id (API Flask request), the target of every app span's Trace Link. */
  readonly infraTraceId: string;
  readonly appName: string;
  readonly status: 'succeeded' | 'failed';
  readonly inputs: { readonly destination: string; readonly trip_days: number; readonly units: 'metric' | 'imperial' };
  /** Nodes that ran, in order; the last one failed when `failure` is set. */
  readonly executed: readonly DemoNodeKey[];
  readonly failingNodeTitle: string | null;
  /** Node error text as Dify records it (also the Aliyun span status message and workflow error). */
  readonly errorMessage: string | null;
  /** Spans with ERROR status, in both halves. */
  readonly failingSpans: readonly FailingSpan[];
  readonly failure: DemoFailure | null;
}

/** node_execution.id of a node in a run (a UUID Dify generates; deterministic here). */
export const nodeExecutionId = (runIndex: number, key: DemoNodeKey): string => seededUuid(`run${runIndex}:node:${key}`);
/** File name dify-sandbox gives the prescript of run 3's Code node (uuid with `-` replaced by `_`). */
export const SANDBOX_PRESCRIPT = seededUuid('run3:sandbox-prescript').replaceAll('-', '_');
export const PLUGIN_RUNTIME_SPAN = 'execute_tool get_weather';
/** Span id of an infrastructure span (random in reality; derived from the infra trace id and a key here). */
export const infraSpanId = (infraTraceId: string, key: string): string => seededHex(`${infraTraceId}:${key}`, 8);

function run(index: number, inputs: DemoRun['inputs'], failureKey: 'tool' | 'code' | null): DemoRun {
  const workflowRunId = seededUuid(`run${index}:workflow-run`);
  const appTraceId = aliyunTraceId(workflowRunId);
  const infraTraceId = seededHex(`run${index}:infra-trace`, 16);
  const executed = NODE_ORDER.slice(0, failureKey === null ? NODE_ORDER.length : NODE_ORDER.indexOf(failureKey) + 1);
  const base = { index, workflowRunId, appTraceId, infraTraceId, appName: APP.name, inputs, executed };
  if (failureKey === null) {
    return { ...base, status: 'succeeded', failingNodeTitle: null, errorMessage: null, failingSpans: [], failure: null };
  }
  const node = NODES[failureKey];
  const appSpan = (name: string, spanId: string): FailingSpan => ({ service: APP.name, name, traceId: appTraceId, spanId });
  const failingSpans: FailingSpan[] = [
    appSpan('workflow', aliyunSpanId(workflowRunId, 'workflow')),
    appSpan(node.title, aliyunSpanId(nodeExecutionId(index, failureKey), 'node')),
  ];
  if (failureKey === 'tool') {
    failingSpans.push({
      service: PLUGIN_RUNTIME_SERVICE,
      name: PLUGIN_RUNTIME_SPAN,
      traceId: infraTraceId,
      spanId: infraSpanId(infraTraceId, 'plugin-runtime:tool'),
    });
  }
  const failure: DemoFailure =
    failureKey === 'tool'
      ? {
          kind: 'plugin',
          nodeKey: 'tool',
          pluginRoot: PLUGIN_SOURCE.repoRoot,
          pluginFile: PLUGIN_SOURCE.file,
          pluginLine: PLUGIN_SOURCE.line,
          exceptionType: PLUGIN_EXCEPTION.type,
        }
      : { kind: 'code', nodeKey: 'code', codeNodeId: node.id, codeLine: CODE_FAILING_LINE, exceptionType: 'ZeroDivisionError' };
  const errorMessage = failureKey === 'tool' ? TOOL_NODE_ERROR : sandboxError(SANDBOX_PRESCRIPT);
  return { ...base, status: 'failed', failingNodeTitle: node.title, errorMessage, failingSpans, failure };
}

export const DEMO_RUNS: readonly [DemoRun, DemoRun, DemoRun] = [
  run(1, { destination: 'Paris', trip_days: 2, units: 'metric' }, null),
  run(2, { destination: 'New York', trip_days: 3, units: 'imperial' }, 'tool'),
  run(3, { destination: 'Tokyo', trip_days: 0, units: 'metric' }, 'code'),
];

/**
 * Older succeeded runs of the same app (indexes 4..22, oldest first), so the app has a performance
 * history to compare the demo runs with: 22 runs in all, enough for a p95 that is not simply the
 * slowest run. Their node durations jitter around run 1's (runRecords.ts).
 */
const HISTORY_TRIPS: readonly DemoRun['inputs'][] = [
  { destination: 'Rome', trip_days: 3, units: 'metric' },
  { destination: 'London', trip_days: 2, units: 'metric' },
  { destination: 'Paris', trip_days: 1, units: 'metric' },
  { destination: 'San Francisco', trip_days: 2, units: 'imperial' },
  { destination: 'Barcelona', trip_days: 3, units: 'metric' },
  { destination: 'Kyoto', trip_days: 2, units: 'metric' },
  { destination: 'Lisbon', trip_days: 2, units: 'metric' },
  { destination: 'New York', trip_days: 2, units: 'imperial' },
  { destination: 'Rome', trip_days: 2, units: 'metric' },
  { destination: 'Tokyo', trip_days: 3, units: 'metric' },
  { destination: 'London', trip_days: 1, units: 'metric' },
  { destination: 'Barcelona', trip_days: 2, units: 'metric' },
  { destination: 'San Francisco', trip_days: 3, units: 'imperial' },
  { destination: 'Kyoto', trip_days: 1, units: 'metric' },
  { destination: 'Paris', trip_days: 3, units: 'metric' },
  { destination: 'Lisbon', trip_days: 1, units: 'metric' },
  { destination: 'Rome', trip_days: 1, units: 'metric' },
  { destination: 'Tokyo', trip_days: 2, units: 'metric' },
  { destination: 'London', trip_days: 3, units: 'metric' },
];
export const HISTORY_RUNS: readonly DemoRun[] = HISTORY_TRIPS.map((inputs, i) => run(i + 4, inputs, null));

function historyRun(index: number): DemoRun {
  const found = HISTORY_RUNS.find((r) => r.index === index);
  if (found === undefined) throw new Error(`no history run ${index}`);
  return found;
}

/**
 * The history run the plugin made slow: the weather API behind get_weather took ~6 s to answer, so
 * the tool node's time is nearly all in the plugin runtime span (PLUGIN_RUNTIME_SPAN), not in the
 * daemon or the API. It still succeeded: only a performance view shows it.
 */
export const SLOW_RUN: DemoRun = historyRun(9);
