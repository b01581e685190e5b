/**
 * Per-tool figures for plugin code: how often each workspace plugin tool ran in recent runs, how
 * long it took (p95) and how often it failed, placed on its `_invoke` method (CodeLens, hover).
 *
 * Dify's traces name the plugin and provider of a tool node (`tool_info`), not the tool. The tool
 * comes from the app's exported DSL (the node's `tool_name`) when it is in the workspace, else
 * from a provider that declares one tool; other calls are not attributed rather than guessed.
 * The plugin's own YAML says which Python file implements each tool (`extra.python.source`).
 */
import { pathToFileURL } from 'node:url';
import { findToolClasses, readToolDeclaration, readToolProvider } from '../../dify/pluginProject';
import type { RunSummary, ToolCall } from '../../shared/runSummary';
import type { DslCache } from '../sourceLinks/codeNodeLocations';
import { joinInside, type FileAccess, type PluginRoot, type WorkspaceSnapshot } from '../workspace/workspaceIndex';
import { runEndMs } from './failureIndex';

/** One tool of a workspace plugin and where its `_invoke` is. */
export interface ToolSource {
  readonly pluginId: string;
  readonly provider: string;
  readonly tool: string;
  readonly uri: string;
  readonly className: string;
  /** 0-based line of `def _invoke` (of the class line when the class has none). */
  readonly line: number;
}

export interface ToolRunRef {
  readonly traceId: string;
  readonly startMs: number;
  readonly appName: string;
  readonly runId?: string;
  readonly failed: boolean;
  readonly durationUs: number;
}

export interface ToolStats {
  readonly source: ToolSource;
  /** Distinct runs that called the tool. */
  readonly runCount: number;
  readonly callCount: number;
  readonly errorCount: number;
  readonly p95Us: number;
  /** Newest first, at most `maxRunRefs`. */
  readonly runs: readonly ToolRunRef[];
  readonly lastError?: { readonly message: string; readonly traceId: string; readonly runId?: string; readonly endMs: number };
}

const maxRunRefs = 20;

/** The tools a plugin project declares, with the Python class and `_invoke` line of each. Unreadable files are skipped. */
export function pluginTools(root: PluginRoot, files: FileAccess): ToolSource[] {
  const tools: ToolSource[] = [];
  for (const providerPath of root.toolProviders) {
    const providerFile = joinInside(root.path, providerPath);
    const provider = providerFile === undefined ? undefined : readToolProvider(files.readText(providerFile) ?? '');
    if (!provider?.ok || provider.name === undefined) continue;
    for (const toolPath of provider.tools) {
      const toolFile = joinInside(root.path, toolPath);
      const declaration = toolFile === undefined ? undefined : readToolDeclaration(files.readText(toolFile) ?? '');
      if (!declaration?.ok || declaration.name === undefined || declaration.pythonSource === undefined) continue;
      const pythonFile = joinInside(root.path, declaration.pythonSource);
      const python = pythonFile === undefined ? undefined : files.readText(pythonFile);
      if (pythonFile === undefined || python === undefined) continue;
      const classes = findToolClasses(python);
      // One Tool class per file is the SDK's layout; with several, the file does not say which.
      if (classes.length !== 1) continue;
      const [found] = classes;
      tools.push({
        pluginId: `${root.author}/${root.name}`,
        provider: provider.name,
        tool: declaration.name,
        uri: pathToFileURL(pythonFile).href,
        className: found!.className,
        line: (found!.invokeLine ?? found!.classLine) - 1,
      });
    }
  }
  return tools;
}

/** The tool name of a call from the app's DSL: the node with the call's id (or title) that uses the same provider. */
function toolNameFromDsl(run: RunSummary, call: ToolCall, dslPaths: readonly string[], dsls: DslCache): string | undefined {
  for (const path of dslPaths) {
    const dsl = dsls.get(path);
    if (dsl === undefined || dsl.appName !== run.appName) continue;
    for (const node of dsl.nodes) {
      if (node.tool?.toolName === undefined) continue;
      if (call.nodeId !== undefined ? node.id !== call.nodeId : node.title !== call.title) continue;
      const providerId = node.tool.providerId;
      if (providerId !== undefined && call.provider !== undefined && providerId !== `${call.pluginId}/${call.provider}`) continue;
      return node.tool.toolName;
    }
  }
  return undefined;
}

function attribute(run: RunSummary, call: ToolCall, tools: readonly ToolSource[], dslPaths: readonly string[], dsls: DslCache): ToolSource[] {
  const ofPlugin = tools.filter((t) => t.pluginId === call.pluginId && (call.provider === undefined || t.provider === call.provider));
  if (ofPlugin.length === 0) return [];
  const name = toolNameFromDsl(run, call, dslPaths, dsls);
  if (name !== undefined) return ofPlugin.filter((t) => t.tool === name);
  // Without the DSL, only a provider with a single tool says which tool ran (the same tool may be
  // in several workspace copies of the plugin: all of them get the figures).
  const names = new Set(ofPlugin.map((t) => t.tool));
  return names.size === 1 ? ofPlugin : [];
}

function percentile95(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
}

/** Figures per workspace tool over the runs that ended at or after `sinceMs`. Tools that did not run get none. */
export function toolStats(runs: readonly RunSummary[], workspace: WorkspaceSnapshot, files: FileAccess, dsls: DslCache, sinceMs: number): ToolStats[] {
  const tools = workspace.pluginRoots.flatMap((root) => pluginTools(root, files));
  if (tools.length === 0) return [];
  type Acc = { source: ToolSource; runs: Map<string, ToolRunRef>; durations: number[]; errors: number; lastError?: ToolStats['lastError'] };
  const byTool = new Map<ToolSource, Acc>();
  for (const run of runs) {
    if (!run.toolCalls || runEndMs(run) < sinceMs) continue;
    for (const call of run.toolCalls) {
      for (const source of attribute(run, call, tools, workspace.yamlFiles, dsls)) {
        const acc: Acc = byTool.get(source) ?? { source, runs: new Map<string, ToolRunRef>(), durations: [], errors: 0 };
        acc.durations.push(call.durationUs);
        const before = acc.runs.get(run.traceId);
        acc.runs.set(run.traceId, {
          traceId: run.traceId,
          startMs: run.startMs,
          appName: run.appName,
          ...(run.runId ? { runId: run.runId } : {}),
          failed: (before?.failed ?? false) || call.failed,
          durationUs: (before?.durationUs ?? 0) + call.durationUs,
        });
        if (call.failed) {
          acc.errors++;
          const endMs = runEndMs(run);
          if (acc.lastError === undefined || endMs >= acc.lastError.endMs) {
            acc.lastError = { message: run.errorMessage ?? `Tool node "${call.title}" failed.`, traceId: run.traceId, ...(run.runId ? { runId: run.runId } : {}), endMs };
          }
        }
        byTool.set(source, acc);
      }
    }
  }
  return [...byTool.values()].map((acc) => ({
    source: acc.source,
    runCount: acc.runs.size,
    callCount: acc.durations.length,
    errorCount: acc.errors,
    p95Us: percentile95(acc.durations),
    runs: [...acc.runs.values()].sort((a, b) => b.startMs - a.startMs).slice(0, maxRunRefs),
    ...(acc.lastError ? { lastError: acc.lastError } : {}),
  }));
}

/** `2.87 s`, `412 ms`: durations as the Runs view prints them. */
export function formatDuration(us: number): string {
  if (us >= 1_000_000) return `${(us / 1_000_000).toFixed(2)} s`;
  if (us >= 1000) return `${Math.round(us / 1000)} ms`;
  return `${us} µs`;
}

/** `3 runs · p95 2.87 s · 1 error`: the CodeLens title. */
export function toolLensTitle(stats: ToolStats): string {
  const runs = stats.runCount === 1 ? '1 run' : `${stats.runCount} runs`;
  const errors = stats.errorCount === 1 ? '1 error' : `${stats.errorCount} errors`;
  return `${runs} · p95 ${formatDuration(stats.p95Us)} · ${errors}`;
}
