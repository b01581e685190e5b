/**
 * Scores the extension on a recording of a real Dify: every body is posted, in arrival order, to
 * the trace server's real receiver on loopback; then each run Dify's database knows is looked up in
 * the Runs listing and compared both ways (what must be found, and that nothing else is claimed),
 * and Go to Source is resolved from its root cause against the recording's workspace (the apps'
 * exported DSLs and the plugin project). Shared by the unit tier (which requires 100%) and
 * `npm run bench` (which prints the table per release and exporter).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { difyNodesOf } from '../../src/dify/difyNodes';
import { isAppLevelSpan } from '../../src/dify/joinHalves';
import { parentIndex } from '../../src/dify/spanDepth';
import type { Span } from '../../src/model/span';
import { DslCache } from '../../src/server/sourceLinks/codeNodeLocations';
import { SourceResolver, type SourceResolution } from '../../src/server/sourceLinks/sourceResolver';
import { TraceService } from '../../src/server/traceService';
import { nodeFileAccess, scanWorkspace } from '../../src/server/workspace/workspaceIndex';
import type { TraceId } from '../../src/model/units';
import type { RunSummary } from '../../src/shared/runSummary';
import { spansFromSnapshot } from '../../src/shared/traceSnapshotCodec';
import { postRecordedBody, type RecordedCorpus, type RecordedRun } from './recordedCorpus';

/** The measures of the issue, each a share of the runs (or listed runs) it applies to. */
export const measureNames = ['listed', 'noGhostRuns', 'status', 'kind', 'app', 'failingNode', 'rootCause', 'errorKind', 'traceLink', 'goToSource', 'noMadeUpSource'] as const;
export type MeasureName = (typeof measureNames)[number];

export interface Measure {
  right: number;
  total: number;
  misses: string[];
}

export interface RecordedScores {
  readonly corpus: string;
  /** Per exporter (`aliyun`, `phoenix`, `langfuse`, ...), then `all`. */
  readonly byExporter: ReadonlyMap<string, Record<MeasureName, Measure>>;
  readonly runs: number;
  readonly listedRuns: number;
  /** Bodies the receiver did not answer 2xx, with the status (must be none). */
  readonly refused: readonly string[];
}

const emptyMeasures = (): Record<MeasureName, Measure> => Object.fromEntries(measureNames.map((n) => [n, { right: 0, total: 0, misses: [] }])) as unknown as Record<MeasureName, Measure>;

/** The run the extension lists for a run Dify knows: by workflow run id, or by its infrastructure trace when no app-level half was exported. */
function listedRunFor(expected: RecordedRun, runs: readonly RunSummary[]): RunSummary | undefined {
  if (expected.app_half_exported) return runs.find((r) => r.workflowRunId === expected.workflow_run_id && r.source === expected.exporter);
  return runs.find((r) => r.traceId === expected.infra_trace_id);
}

/** Nearest node (self or ancestor) of a span, by the same node detection the classifier uses. */
function nodeTitleOf(span: Span, spans: readonly Span[]): string | undefined {
  const parentOf = parentIndex(spans);
  const nodes = difyNodesOf(spans, parentOf);
  let current: Span | undefined = span;
  for (let hops = 0; current !== undefined && hops < 256; hops++) {
    const node = nodes.get(current);
    if (node !== undefined) return node.title;
    current = parentOf(current);
  }
  return undefined;
}

/** The line (1-based) of `def _invoke` in a plugin tool file: where the tool's code starts. */
function invokeLine(file: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  return lines.findIndex((l) => /^\s+def _invoke\(/.test(l)) + 1;
}

function describe(r: SourceResolution): string {
  if (r === null) return 'span not found';
  if (r.locations.length === 0) return `nothing (${r.problem ?? 'no reason'})`;
  return r.locations.map((l) => `${fileURLToPath(l.uri)}:${l.range.start.line + 1} via ${l.via}`).join(' | ') + (r.problem ? ` — ${r.problem}` : '');
}

/** Replays a recording and scores every measure. */
export async function evaluateRecorded(corpus: RecordedCorpus): Promise<RecordedScores> {
  const service = new TraceService({ receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 64 }, store: { maxSpans: 2_000_000 } }, { runsChanged: () => {}, statusChanged: () => {}, log: () => {} });
  await service.start();
  const state = service.status().receiver;
  if (state.state !== 'listening') throw new Error(`receiver did not start: ${JSON.stringify(state)}`);
  const refused: string[] = [];
  try {
    for (const body of corpus.bodies) {
      const status = await postRecordedBody(state.url, body);
      if (status < 200 || status > 299) refused.push(`${body.method} ${body.path} → ${status}`);
    }
    const runs = (await service.backend.listRuns({ filter: {}, limit: 10_000 })).runs;
    const workspace = scanWorkspace([pathToFileURL(corpus.workspace).href]);
    const resolver = new SourceResolver(service.backend, {
      workspace: () => workspace,
      settings: () => ({ pathMappings: [], windowMinutes: 60, diagnostics: true, codeLens: true }),
      files: nodeFileAccess,
      dsls: new DslCache(nodeFileAccess),
    });
    const byExporter = new Map<string, Record<MeasureName, Measure>>();
    const all = emptyMeasures();
    byExporter.set('all', all);
    const check = (exporter: string, name: MeasureName, ok: boolean, miss: () => string): void => {
      let m = byExporter.get(exporter);
      if (m === undefined) byExporter.set(exporter, (m = emptyMeasures()));
      for (const target of [m[name], all[name]]) {
        target.total++;
        if (ok) target.right++;
        else target.misses.push(miss());
      }
    };
    const claimed = new Map<RunSummary, string>();
    // What the recording's bytes can tell at all: an app's name is only known where Dify sent it
    // (1.13 sends `app_name: ""`; Aliyun's service name and Phoenix's project are the tracing
    // config's), a failing node only where a span of the run names it (Phoenix 1.9.2 sends no node span).
    const sent = Buffer.concat(corpus.bodies.map((b) => b.body));
    const nameSent = (name: string): boolean => sent.includes(Buffer.from(name));
    const appNames = new Set([...corpus.runs.values()].map((r) => r.app_name));
    const appIdsByName = new Map<string, Set<string>>();
    for (const [runId, expected] of corpus.runs) {
      const exporter = expected.app_half_exported ? expected.exporter : `${expected.exporter} (no app-level half)`;
      const where = `${corpus.name} ${expected.app_name} ${expected.variant} ${runId.slice(0, 8)}`;
      const run = listedRunFor(expected, runs);
      check(exporter, 'listed', run !== undefined, () => `${where}: not listed`);
      if (run === undefined) continue;
      claimed.set(run, exporter);
      check(exporter, 'status', run.status === expected.status, () => `${where}: status ${run.status}, Dify says ${expected.status}`);
      check(exporter, 'kind', run.kind === expected.kind, () => `${where}: kind ${run.kind}, Dify says ${expected.kind}`);
      // The app's name where Dify sent it; else the label the tracing config gives (or the app id), never another app's name.
      const appRight = nameSent(expected.app_name) ? run.appName === expected.app_name : run.appName !== '' && !appNames.has(run.appName);
      check(exporter, 'app', appRight, () => `${where}: app ${run.appName} (Dify's name ${expected.app_name} ${nameSent(expected.app_name) ? 'was' : 'was not'} sent)`);
      if (run.appId !== undefined) appIdsByName.set(expected.app_name, (appIdsByName.get(expected.app_name) ?? new Set()).add(run.appId));
      const runSpans = [run.traceId, ...run.linkedTraceIds, expected.infra_trace_id ?? ''].flatMap((id) => service.store.spansOf(id as TraceId) ?? []);
      const nodeKnowable = expected.failing_node !== null && runSpans.some((sp) => sp.name === expected.failing_node!.title || Object.values(sp.attributes).some((v) => typeof v === 'string' && v.includes(expected.failing_node!.title)));
      const wantNode = nodeKnowable ? expected.failing_node?.title : undefined;
      check(exporter, 'failingNode', run.failingNode?.title === wantNode, () => `${where}: failing node ${JSON.stringify(run.failingNode)}, Dify says ${JSON.stringify(expected.failing_node)}${nodeKnowable ? '' : ' (no span of the run names it)'}`);
      const wantKind = expected.expected_error_kind ?? expected.hidden_error?.error_kind ?? null;
      check(exporter, 'errorKind', (run.errorKind ?? null) === wantKind, () => `${where}: error kind ${run.errorKind}, expected ${wantKind}`);
      // The root cause lies in (or is) the node Dify says failed; a run without a failure has none.
      let rootCauseTitle: string | undefined;
      if (run.rootCause !== undefined) {
        const snapshot = await service.backend.getTrace({ traceId: run.traceId });
        const spans = snapshot === null ? [] : spansFromSnapshot(snapshot);
        const span = spans.find((s) => s.traceId === run.rootCause!.traceId && s.spanId === run.rootCause!.spanId);
        rootCauseTitle = span === undefined ? undefined : nodeTitleOf(span, spans);
      }
      // A succeeded run's hidden failure (expected only where the recording says so) is its root cause too.
      const hidden = expected.hidden_error ?? undefined;
      const rootCauseRight =
        hidden !== undefined
          ? run.hiddenErrors?.node?.title === hidden.node_title && run.rootCause !== undefined
          : expected.failing_node !== null && !nodeKnowable
            ? run.rootCause !== undefined && rootCauseTitle === undefined
            : wantNode === undefined
              ? run.rootCause === undefined && run.hiddenErrors === undefined
              : rootCauseTitle === wantNode;
      // Named by service, never `unknown_service` (Phoenix spans carry no service.name).
      const named = run.rootCause === undefined || run.rootCause.serviceName !== 'unknown_service';
      check(exporter, 'rootCause', rootCauseRight && named, () => `${where}: root cause ${run.rootCause?.name} in node ${rootCauseTitle} of ${run.rootCause?.serviceName}, hidden ${JSON.stringify(run.hiddenErrors)}, Dify says ${wantNode ?? JSON.stringify(hidden)}`);
      if (expected.infra_trace_recorded && expected.infra_trace_id !== null) {
        const infraTrace = expected.infra_trace_id;
        const joined = run.traceId === infraTrace || run.linkedTraceIds.includes(infraTrace);
        // Claimed as the infrastructure half: a linked trace that holds infrastructure spans.
        const present = run.linkedTraceIds.filter((id) => id !== run.traceId && (service.store.spansOf(id as TraceId) ?? []).some((sp) => !isAppLevelSpan(sp)));
        // Joinable by Dify's own link: joined. Not joinable: no other trace claimed as the run's infrastructure half.
        const ok = expected.trace_link_joinable ? joined : present.every((id) => id === infraTrace);
        check(exporter, 'traceLink', ok, () => `${where}: infrastructure trace ${infraTrace} ${expected.trace_link_joinable ? 'not joined' : 'not the one joined'} (links ${run.linkedTraceIds.join(', ') || 'none'})`);
      }
      await checkSource(corpus, expected, run, resolver, nodeKnowable || expected.failing_node === null, nameSent(expected.app_name), (name, ok, miss) => check(exporter, name, ok, () => `${where}: ${miss()}`));
    }
    // Runs of one app share its id, and different apps never do.
    const owners = new Map<string, string>();
    for (const [name, ids] of appIdsByName) {
      for (const id of ids) {
        const owner = owners.get(id);
        check('all', 'app', ids.size === 1 && (owner === undefined || owner === name), () => `${corpus.name}: app ${name} runs carry app ids ${[...ids].join(', ')}${owner !== undefined && owner !== name ? `, also ${owner}'s` : ''}`);
        owners.set(id, name);
      }
    }
    // Both ways: every listed run must be one Dify knows (no ghost runs, no run listed twice).
    for (const run of runs) check(claimed.get(run) ?? run.source, 'noGhostRuns', claimed.has(run), () => `${corpus.name}: listed run ${run.traceId} (${run.source}, ${run.appName}, ${run.status}) is no run of Dify's`);
    return { corpus: corpus.name, byExporter, runs: corpus.runs.size, listedRuns: runs.length, refused };
  } finally {
    await service.stop();
  }
}

type Check = (name: MeasureName, ok: boolean, miss: () => string) => void;

/** Go to Source from the run's root cause: the exact file and line Dify's truth names, or nothing. */
async function checkSource(corpus: RecordedCorpus, expected: RecordedRun, run: RunSummary, resolver: SourceResolver, nodeKnowable: boolean, appNameSent: boolean, check: Check): Promise<void> {
  const resolution = run.rootCause === undefined ? null : await resolver.resolve({ traceId: run.rootCause.traceId, spanId: run.rootCause.spanId });
  const got = resolution === null ? 'no root cause' : describe(resolution);
  const locations = resolution?.locations ?? [];
  if (expected.code_failure !== null && nodeKnowable) {
    const dsl = join(corpus.workspace, 'dsl', `${expected.app_name}.yml`);
    const first = locations[0];
    const lineRight = resolution?.codeNode?.userLine === expected.code_failure.user_line && locations.every((l) => l.via === 'dslCode');
    // Without the app's name in the traces, every DSL with that Code node is offered (the user picks), the right one among them.
    const ok = appNameSent
      ? locations.length === 1 && first !== undefined && fileURLToPath(first.uri) === dsl && lineRight
      : lineRight && locations.some((l) => fileURLToPath(l.uri) === dsl) && (locations.length === 1 || /pick/.test(resolution?.problem ?? ''));
    check('goToSource', ok, () => `Go to Source: ${got} (user line ${resolution?.codeNode?.userLine}), expected ${expected.code_failure!.language} line ${expected.code_failure!.user_line} of the node in ${dsl}`);
  } else if (expected.plugin_failure !== null) {
    const plugin = expected.plugin_failure;
    const pluginDir = join(corpus.workspace, 'inventory-plugin');
    const first = locations[0];
    if (plugin.traceback_in_traces) {
      const ok = first !== undefined && fileURLToPath(first.uri) === join(pluginDir, plugin.file) && first.range.start.line + 1 === plugin.line;
      check('goToSource', ok, () => `Go to Source: ${got}, expected ${plugin.file}:${plugin.line}`);
    } else {
      // The traceback never reached the traces: the tool's code is opened, and the exact line said to be unknown.
      const file = join(pluginDir, plugin.tool_file);
      const ok = locations.length === 1 && first !== undefined && fileURLToPath(first.uri) === file && first.range.start.line + 1 === invokeLine(file) && /exact line|line is unknown|no traceback/i.test(resolution?.problem ?? '');
      check('goToSource', ok, () => `Go to Source: ${got}, expected ${plugin.tool_file}:${invokeLine(file)} (_invoke) with the exact line said to be unknown`);
    }
  } else {
    check('noMadeUpSource', locations.length === 0, () => `Go to Source offers ${got} where Dify's truth names no source`);
  }
}

export function percent(m: Measure): string {
  return m.total === 0 ? 'n/a' : `${((100 * m.right) / m.total).toFixed(1)}% (${m.right}/${m.total})`;
}
