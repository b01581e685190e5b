/**
 * One realistic, failing, ~100k-span Dify workflow run, deterministic from a seed, as OTLP protobuf
 * batches: the Aliyun exporter's app trace (`workflow` + one span per node execution, each with the
 * Trace Link) and the request's infrastructure trace (Flask, decorator spans, ObservabilityLayer node
 * spans nested by iteration/loop, HTTPX to the plugin daemon and dify-sandbox, gin spans, plugin
 * runtime spans and their outbound HTTP).
 *
 * The app "Travel Assistant" plans a tour operator's trip catalogue: `Each Trip` (parallel iteration,
 * 10 at a time) → per trip `Search Travel Guides`, `Each Stop` (sequential iteration) → per stop
 * `Get Weather` (plugin tool), `Plan Stop` (LLM), `Is Outdoor?`, `Check Budget` (loop of `Estimate
 * Cost` code + `Update Budget`), `Build Stop Card` (code); then `Format Trip`. The weather plugin raises
 * KeyError (test/demo/plugin.ts) in trip ≈70% of the catalogue: that stop iteration, the trip iteration
 * and the run fail; trips already running finish (the executor waits for them), later ones never start.
 */
import type { JsonObject } from '../demo/demoContent';
import { MODEL } from '../demo/demoContent';
import { APP, infraSpanId, PLUGIN_RUNTIME_SPAN } from '../demo/demoRuns';
import { flaskServerAttributes, httpScope } from '../demo/httpSemconv';
import { aliyunSpanId, aliyunTraceId, seededHex, seededUuid } from '../demo/ids';
import { PLUGIN_PROVIDER_ID, PLUGIN_UNIQUE_IDENTIFIER, TOOL_NODE_ERROR } from '../demo/plugin';
import { pyJson } from '../demo/pyJson';
import { SCOPES } from '../demo/services';
import { seeded } from '../../bench/difyBatch';
import { emitNode, execIds, type GraphNode, type NodeExec, type RunIds } from './nodeSpans';
import { OtlpBatchWriter } from './otlpWriter';
import { completionId, guideSnippet, stopPlan, stopUserPrompt, STOP_SYSTEM_PROMPT, stopWeather, trip, tripItem, type Trip } from './tripContent';

export interface LargeTrace {
  readonly appTraceId: string;
  readonly infraTraceId: string;
  /** Total spans across both traces. */
  readonly spanCount: number;
  /** Protobuf ExportTraceServiceRequest bodies, ≤ BATCH_SPANS spans each. */
  readonly batches: readonly Uint8Array[];
  readonly rootCause: { readonly traceId: string; readonly spanId: string; readonly name: string };
  readonly searchTarget: { readonly text: string; readonly traceId: string; readonly spanId: string; readonly name: string };
  readonly workflowRunId: string;
}

/** Stops per trip: 3..9, drawn per trip, so the parallel workers drift apart and every trip adds ~1% at 10k spans. */
const MIN_STOPS = 3;
const MAX_STOPS = 9;
const FAIL_STOP = 2;
const PARALLEL = 10;
const BATCH_SPANS = 3000;
/** Spans: 3 infra request spans + workflow + Start (2) + Plan Tour (6) + Each Trip (2). */
const FIXED_SPANS = 14;
/** Per stop: tool 6, LLM 6, if-else 2, loop 2 + 2 rounds × (code 3 + assigner 2), code 3. */
const STOP_SPANS = 29;
/** Per trip: retrieval 6, Each Stop 2, Format Trip 2, and its stops. */
const tripSpans = (stops: number): number => 10 + stops * STOP_SPANS;
const FAILING_TRIP_SPANS = 8 + FAIL_STOP * STOP_SPANS + 6;
const MS = 1000;
const GAP = 6 * MS;
/** 2026-05-20T09:00:00Z in µs. */
const EPOCH_US = Date.UTC(2026, 4, 20, 9, 0, 0) * 1000;

const N = (id: string, type: GraphNode['type'], title: string): GraphNode => ({ id, type, title });
const NODES = {
  start: N('1750000000001', 'start', 'Start'),
  planTour: N('1750000000101', 'llm', 'Plan Tour'),
  eachTrip: N('1750000000201', 'iteration', 'Each Trip'),
  guides: N('1750000000301', 'knowledge-retrieval', 'Search Travel Guides'),
  eachStop: N('1750000000401', 'iteration', 'Each Stop'),
  weather: N('1750000000501', 'tool', 'Get Weather'),
  planStop: N('1750000000601', 'llm', 'Plan Stop'),
  outdoor: N('1750000000701', 'if-else', 'Is Outdoor?'),
  budget: N('1750000000801', 'loop', 'Check Budget'),
  estimate: N('1750000000901', 'code', 'Estimate Cost'),
  update: N('1750000001001', 'assigner', 'Update Budget'),
  card: N('1750000001101', 'code', 'Build Stop Card'),
  format: N('1750000001201', 'template-transform', 'Format Trip'),
} as const;

const DATASET_ID = seededUuid('dataset');
const TOOL_INFO: JsonObject = { provider_type: 'plugin', provider_id: PLUGIN_PROVIDER_ID, plugin_unique_identifier: PLUGIN_UNIQUE_IDENTIFIER };

/** Durations (µs) of one trip's node executions, drawn from the trip's own PRNG so they do not depend on the cut. */
interface TripLayout {
  readonly guides: number;
  readonly guidesTtfb: number;
  readonly stops: readonly { readonly weather: number; readonly llm: number; readonly ttft: number; readonly estimate: readonly [number, number]; readonly card: number }[];
}

function tripLayout(seed: number, index: number): TripLayout {
  const r = seeded(seed * 7919 + index * 104_729 + 17);
  const ms = (lo: number, hi: number): number => Math.round((lo + r() * (hi - lo)) * MS);
  return {
    guides: ms(160, 320),
    guidesTtfb: ms(70, 120),
    stops: Array.from({ length: MIN_STOPS + Math.floor(r() * (MAX_STOPS - MIN_STOPS + 1)) }, () => ({ weather: ms(220, 480), llm: ms(1300, 2700), ttft: ms(380, 720), estimate: [ms(70, 140), ms(70, 140)] as const, card: ms(80, 150) })),
  };
}

/** Offsets of one trip from its start: its end, and (for the failing trip) when the tool fails. */
function tripTimes(l: TripLayout): { end: number; fail: number } {
  let c = 2 * MS + l.guides + GAP + 2 * MS;
  let fail = 0;
  l.stops.forEach((s, i) => {
    if (i === FAIL_STOP) fail = c + s.weather;
    c += s.weather + GAP + s.llm + GAP + 2 * MS + GAP + (MS + s.estimate[0] + 3 * MS + 2 * MS + 5 * MS + s.estimate[1] + 3 * MS + 2 * MS + 5 * MS + MS) + GAP + s.card + GAP;
  });
  return { end: c + MS + GAP + 3 * MS + MS, fail };
}

interface Schedule {
  readonly starts: readonly number[];
  readonly failUs: number;
  readonly spanCount: number;
}

/** Parallel iteration with PARALLEL workers: trip i starts when a worker frees up; none starts after the failure. */
function schedule(layouts: (i: number) => TripLayout, failing: number, startUs: number): Schedule {
  const workers = Array.from({ length: PARALLEL }, (_, w) => startUs + w * 800);
  const starts: number[] = [];
  let failUs = Number.POSITIVE_INFINITY;
  let spanCount = FIXED_SPANS + FAILING_TRIP_SPANS;
  for (let i = 0; ; i++) {
    let w = 0;
    for (let k = 1; k < PARALLEL; k++) if (workers[k]! < workers[w]!) w = k;
    const start = workers[w]!;
    if (i > failing && start >= failUs) break;
    starts.push(start);
    const times = tripTimes(layouts(i));
    if (i === failing) failUs = start + times.fail;
    else spanCount += tripSpans(layouts(i).stops.length);
    workers[w] = start + times.end + 2 * MS;
  }
  return { starts, failUs, spanCount };
}

export function largeDifyTrace(options: { spanTarget?: number; seed?: number } = {}): LargeTrace {
  const spanTarget = options.spanTarget ?? 100_000;
  const seed = options.seed ?? 1;
  const seedKey = `large-trace:${seed}`;
  const workflowRunId = seededUuid(`${seedKey}:workflow-run`);
  const run: RunIds = { seedKey, workflowRunId, appTraceId: aliyunTraceId(workflowRunId), infraTraceId: seededHex(`${seedKey}:infra-trace`, 16), workflowSpanId: aliyunSpanId(workflowRunId, 'workflow') };
  const layoutCache: TripLayout[] = [];
  const layouts = (i: number): TripLayout => (layoutCache[i] ??= tripLayout(seed, i));

  // Timeline before the iteration: request → Start → Plan Tour → Each Trip.
  const runStart = EPOCH_US;
  const startNode = { s: runStart + 7 * MS, e: runStart + 11 * MS };
  const planTour = { s: startNode.e + GAP, e: startNode.e + GAP + 2140 * MS };
  const eachTripStart = planTour.e + GAP;
  const tripsStart = eachTripStart + 3 * MS;

  // The failing trip: the one whose schedule brings the total closest to the target.
  let best: { failing: number; plan: Schedule } | undefined;
  for (let failing = 0; ; failing++) {
    const plan = schedule(layouts, failing, tripsStart);
    if (best === undefined || Math.abs(plan.spanCount - spanTarget) < Math.abs(best.plan.spanCount - spanTarget)) best = { failing, plan };
    if (plan.spanCount >= spanTarget) break;
  }
  const { failing, plan } = best;
  const catalogueSize = Math.max(plan.starts.length, Math.round(failing / 0.7) + 1);
  const trips = Array.from({ length: catalogueSize }, (_, i) => trip(i, layouts(i).stops.length, seeded(seed * 31 + i * 7 + 3)));
  const searchTrip = Math.floor(failing * 0.35);

  const out = new OtlpBatchWriter(BATCH_SPANS);
  const runnerSpanId = infraSpanId(run.infraTraceId, 'runner');
  const ctx: TripContext = { out, run, failing, searchTrip, searchResponseId: '' };
  let eachTripEnd = 0;
  const eachTripInfra = execIds(run, 'eachTrip').infraSpanId;
  plan.starts.forEach((start, i) => {
    const end = emitTrip(ctx, trips[i]!, i, layouts(i), start, eachTripInfra, seeded(seed * 131 + i * 13 + 5));
    eachTripEnd = Math.max(eachTripEnd, end);
  });
  eachTripEnd += 2 * MS;
  const runEnd = eachTripEnd + 5 * MS;

  const sys: JsonObject = { 'sys.files': [], 'sys.user_id': APP.endUserId, 'sys.app_id': APP.id, 'sys.workflow_id': APP.workflowId, 'sys.workflow_run_id': workflowRunId };
  const workflowInputs: JsonObject = { trips: trips.map(tripItem), ...sys };
  const plainNode = (key: string, node: GraphNode, s: number, e: number, fields: Partial<NodeExec> = {}): NodeExec => ({
    key, node, startUs: s, endUs: e, failed: false, inputs: {}, processData: null, outputs: {}, metadata: {}, error: null, infraParent: runnerSpanId, ...fields,
  });
  emitNode(out, run, plainNode('start', NODES.start, startNode.s, startNode.e, { inputs: workflowInputs, outputs: workflowInputs }));
  const tourText = `Catalogue of ${trips.length} trips across ${new Set(trips.map((t) => t.country)).size} countries. Plan each trip stop by stop, check the weather first, keep each stop within budget.`;
  emitNode(out, run, plainNode('planTour', NODES.planTour, planTour.s, planTour.e, { ...llmRecord('You coordinate itinerary planning for a tour operator. Summarise the catalogue and the planning rules.', `Trips: ${trips.slice(0, 12).map((t) => `${t.tripId} ${t.city}`).join(', ')}, …`, tourText, 2140 * MS, 590 * MS), responseId: completionId(seeded(seed * 977 + 1)), ttfbUs: 590 * MS }));
  emitNode(out, run, plainNode('eachTrip', NODES.eachTrip, eachTripStart, eachTripEnd, {
    failed: true, error: TOOL_NODE_ERROR, outputs: null, inputs: { iterator_selector: trips.map(tripItem) },
    metadata: { iteration_duration_map: {} },
  }));
  emitRequest(out, run, runStart, runEnd, workflowInputs);

  out.flush();
  const failingKey = `trip${failing}/stop${FAIL_STOP}/weather`;
  const searchKey = `trip${searchTrip}/stop1/planStop`;
  return {
    appTraceId: run.appTraceId,
    infraTraceId: run.infraTraceId,
    spanCount: out.spanCount,
    batches: out.batches,
    rootCause: { traceId: run.infraTraceId, spanId: infraSpanId(run.infraTraceId, `runtime:${failingKey}`), name: PLUGIN_RUNTIME_SPAN },
    searchTarget: { text: ctx.searchResponseId, traceId: run.infraTraceId, spanId: infraSpanId(run.infraTraceId, `runtime:${searchKey}`), name: `chat ${MODEL.name}` },
    workflowRunId,
  };
}

interface TripContext {
  readonly out: OtlpBatchWriter;
  readonly run: RunIds;
  readonly failing: number;
  readonly searchTrip: number;
  searchResponseId: string;
}

function llmRecord(system: string, user: string, text: string, latencyUs: number, ttftUs: number): Pick<NodeExec, 'inputs' | 'processData' | 'outputs' | 'metadata'> {
  const prompt = Math.round((system.length + user.length) / 4);
  const completion = Math.round(text.length / 4);
  const price = ((prompt * 0.15 + completion * 0.6) / 1e6).toFixed(7);
  const usage: JsonObject = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, total_price: price, currency: 'USD', latency: latencyUs / 1e6, time_to_first_token: ttftUs / 1e6 };
  return {
    inputs: {},
    processData: { model_mode: 'chat', model_provider: MODEL.provider, model_name: MODEL.name, prompts: [{ role: 'system', text: system, files: [] }, { role: 'user', text: user, files: [] }], usage, finish_reason: 'stop' },
    outputs: { text, usage, finish_reason: 'stop' },
    metadata: { total_tokens: prompt + completion, total_price: price, currency: 'USD' },
  };
}

/** Emits one trip's node executions; returns the trip's end (µs). */
function emitTrip(ctx: TripContext, t: Trip, index: number, l: TripLayout, startUs: number, parent: string, pick: () => number): number {
  const { out, run } = ctx;
  const failingTrip = index === ctx.failing;
  const key = (k: string): string => `trip${index}/${k}`;
  const node = (k: string, n: GraphNode, s: number, e: number, infraParent: string, fields: Partial<NodeExec> = {}): NodeExec => ({
    key: key(k), node: n, startUs: s, endUs: e, failed: false, inputs: {}, processData: null, outputs: {}, metadata: {}, error: null, infraParent, ...fields,
  });
  let c = startUs + 2 * MS;
  const query = `${t.city} ${t.stops[0]!} group travel tips`;
  const docName = `${t.city.toLowerCase().replaceAll(' ', '-')}.md`;
  const docs: JsonObject[] = [0, 1, 2].map((position) => ({
    metadata: { _source: 'knowledge', dataset_id: DATASET_ID, dataset_name: 'City Guides', document_id: seededUuid(`doc:${t.city}`), document_name: docName, data_source_type: 'upload_file', segment_id: seededUuid(`segment:${t.city}:${position}`), retriever_from: 'workflow', score: Math.round((0.8 - position * 0.1 + pick() * 0.1) * 1000) / 1000, position: position + 1, doc_metadata: null },
    title: docName,
    content: guideSnippet(t, pick),
  }));
  emitNode(out, run, node('guides', NODES.guides, c, c + l.guides, parent, { inputs: { query }, outputs: { result: docs }, ttfbUs: l.guidesTtfb }));
  c += l.guides + GAP;
  const eachStopStart = c;
  const eachStopInfra = execIds(run, key('eachStop')).infraSpanId;
  c += 2 * MS;
  const cards: string[] = [];
  let failedAt = 0;
  for (let s = 0; s < l.stops.length; s++) {
    const st = l.stops[s]!;
    const place = t.stops[s]!;
    const w = stopWeather(t, s, pick);
    const sk = (k: string): string => `stop${s}/${k}`;
    const fails = failingTrip && s === FAIL_STOP;
    const forecast = `${w.date}: ${w.summary}, ${w.low}..${w.high}`;
    emitNode(out, run, node(sk('weather'), NODES.weather, c, c + st.weather, eachStopInfra, {
      inputs: { city: t.city, days: 1, units: 'metric' },
      outputs: fails ? null : { text: forecast, files: [], json: [{ city: t.city, units: 'metric', forecast: [{ ...w }] }] },
      metadata: { tool_info: TOOL_INFO },
      failed: fails,
      error: fails ? TOOL_NODE_ERROR : null,
    }));
    c += st.weather;
    if (fails) {
      failedAt = c;
      break;
    }
    c += GAP;
    const planned = stopPlan(place, w, pick);
    const responseId = completionId(pick);
    if (index === ctx.searchTrip && s === 1) ctx.searchResponseId = responseId;
    emitNode(out, run, node(sk('planStop'), NODES.planStop, c, c + st.llm, eachStopInfra, { ...llmRecord(STOP_SYSTEM_PROMPT, stopUserPrompt(t, place, w), planned.text, st.llm, st.ttft), responseId, ttfbUs: st.ttft }));
    c += st.llm + GAP;
    const outdoor = !/rain|Showers|Thunder/.test(w.summary);
    emitNode(out, run, node(sk('outdoor'), NODES.outdoor, c, c + 2 * MS, eachStopInfra, {
      inputs: {}, processData: { condition_results: [{ group: 'true', results: [outdoor], final_result: outdoor }] }, outputs: { result: outdoor, selected_case_id: outdoor ? 'true' : 'false' },
    }));
    c += 2 * MS + GAP;
    const budgetStart = c;
    const budgetInfra = execIds(run, key(sk('budget'))).infraSpanId;
    let b = c + MS;
    let cost = planned.cost;
    for (let r = 0; r < 2; r++) {
      const e = st.estimate[r]!;
      const next = r === 0 ? Math.round(cost * 0.9) : cost;
      emitNode(out, run, node(sk(`round${r}/estimate`), NODES.estimate, b, b + e, budgetInfra, { inputs: { plan: planned.text, budget_eur: 60, round: r }, outputs: { cost_eur: next, within_budget: next <= 60 } }));
      b += e + 3 * MS;
      emitNode(out, run, node(sk(`round${r}/update`), NODES.update, b, b + 2 * MS, budgetInfra, { inputs: {}, processData: { updated_variables: [{ name: 'cost_eur', selector: ['1750000000801', 'cost_eur'], new_value: next }] }, outputs: {} }));
      b += 2 * MS + 5 * MS;
      cost = next;
    }
    const budgetEnd = b + MS;
    emitNode(out, run, node(sk('budget'), NODES.budget, budgetStart, budgetEnd, eachStopInfra, { inputs: { loop_count: 2 }, outputs: { cost_eur: cost }, metadata: { loop_duration_map: {} } }));
    c = budgetEnd + GAP;
    const card = `${place} — ${w.date}, ${w.summary} ${w.low}..${w.high} °C, ${outdoor ? 'outdoor' : 'indoor fallback'}, ${cost} EUR pp.`;
    cards.push(card);
    emitNode(out, run, node(sk('card'), NODES.card, c, c + st.card, eachStopInfra, { inputs: { place, plan: planned.text, cost_eur: cost }, outputs: { card } }));
    c += st.card + GAP;
  }
  const eachStopEnd = (failedAt || c) + MS;
  emitNode(out, run, node('eachStop', NODES.eachStop, eachStopStart, eachStopEnd, parent, {
    inputs: { iterator_selector: t.stops }, outputs: failingTrip ? null : { output: cards }, failed: failingTrip, error: failingTrip ? TOOL_NODE_ERROR : null, metadata: { iteration_duration_map: {} },
  }));
  if (failingTrip) return eachStopEnd + 2 * MS;
  c = eachStopEnd + GAP;
  const summary = `${t.tripId} ${t.city}, ${t.country} from ${t.startDate}\n${cards.map((x, i) => `${i + 1}. ${x}`).join('\n')}`;
  emitNode(out, run, node('format', NODES.format, c, c + 3 * MS, parent, { inputs: { trip_id: t.tripId, cards }, outputs: { output: summary } }));
  return c + 3 * MS + MS;
}

/** The app trace's `workflow` root and the infra request spans (infraShapes.ts emitApiRun). */
function emitRequest(out: OtlpBatchWriter, run: RunIds, runStart: number, runEnd: number, inputs: JsonObject): void {
  out.add('aliyunApp', SCOPES.aliyun, {
    traceId: run.appTraceId, spanId: run.workflowSpanId, name: 'workflow', kind: 'server', startUs: runStart, endUs: runEnd,
    attributes: { 'gen_ai.session.id': '', 'gen_ai.user.id': APP.endUserId, 'gen_ai.span.kind': 'CHAIN', 'gen_ai.framework': 'dify', 'input.value': pyJson(inputs), 'output.value': pyJson({}), 'dify.app_id': APP.id },
    status: { code: 'error', message: TOOL_NODE_ERROR },
    links: [{ traceId: run.infraTraceId, spanId: '0000000000000000' }],
  });
  const id = (k: string): string => infraSpanId(run.infraTraceId, k);
  const user = { 'dify.app_id': APP.id, 'dify.tenant_id': APP.tenantId, 'gen_ai.user.id': APP.endUserId };
  out.add('difyApi', httpScope('flask', 'default'), {
    traceId: run.infraTraceId, spanId: id('flask'), name: 'POST /v1/workflows/run', kind: 'server', startUs: runStart - 38 * MS, endUs: runEnd + 27 * MS,
    attributes: { ...flaskServerAttributes({ method: 'POST', route: '/v1/workflows/run', host: 'dify.example.com', clientIp: '172.19.0.9', clientPort: 41872, userAgent: 'python-requests/2.32.3', status: 200 }, 'default'), 'dify.tenant_id': APP.tenantId, 'gen_ai.user.id': APP.endUserId },
    status: { code: 'ok' },
  });
  out.add('difyApi', SCOPES.decorators, {
    traceId: run.infraTraceId, spanId: id('generate'), parentSpanId: id('flask'), name: 'services.app_generate_service.AppGenerateService.generate', kind: 'internal', startUs: runStart - 31 * MS, endUs: runEnd + 19 * MS,
    attributes: { ...user, 'dify.user_type': 'EndUser', 'dify.streaming': false, 'dify.workflow_id': 'unknown' }, status: { code: 'ok' },
  });
  out.add('difyApi', SCOPES.decorators, {
    traceId: run.infraTraceId, spanId: id('runner'), parentSpanId: id('generate'), name: 'core.app.apps.workflow.app_runner.WorkflowAppRunner.run', kind: 'internal', startUs: runStart - 3 * MS, endUs: runEnd + 2 * MS,
    attributes: { ...user, 'dify.streaming': false, 'dify.workflow_id': APP.workflowId }, status: { code: 'ok' },
  });
}

/** POSTs each batch to `${baseUrl}/v1/traces`, one after another; throws on a non-2xx answer. */
export async function postLargeTrace(baseUrl: string, trace: LargeTrace): Promise<void> {
  const url = `${baseUrl.replace(/\/+$/, '')}/v1/traces`;
  for (const [i, body] of trace.batches.entries()) {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body, signal: AbortSignal.timeout(120_000) }).catch((error: unknown) => {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      throw new Error(`POST ${url} batch ${i + 1}/${trace.batches.length} failed${cause}`, { cause: error });
    });
    if (!response.ok) throw new Error(`POST ${url} batch ${i + 1}/${trace.batches.length}: HTTP ${response.status} ${(await response.text()).slice(0, 500)}`);
    await response.arrayBuffer().catch(() => undefined);
  }
}
