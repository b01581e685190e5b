/**
 * Which workspace file implements a plugin tool: the plugin's manifest → provider YAML → tool YAML
 * `extra.python.source` → the single `Tool` subclass in that file and its `_invoke`. Dify's traces
 * name the plugin and provider of a tool node (`tool_info`), not the tool: the tool comes from the
 * app's exported DSL (the node's `tool_name`) or from a provider that declares one tool.
 */
import { pathToFileURL } from 'node:url';
import { findToolClasses, readToolDeclaration, readToolProvider, type ProviderCredential } from '../../dify/pluginProject';
import type { ToolCall } from '../../shared/runSummary';
import type { DslCache } from './codeNodeLocations';
import { joinInside, type FileAccess, type PluginRoot } from '../workspace/workspaceIndex';

/** One tool of a workspace plugin and where its `_invoke` is. */
export interface ToolSource {
  readonly pluginId: string;
  readonly provider: string;
  readonly tool: string;
  readonly uri: string;
  readonly className: string;
  /** 0-based line of `def _invoke` (of the class line when the class has none). */
  readonly line: number;
  /** The plugin project's folder, and the tool's Python file relative to it (`tools/get_weather.py`). */
  readonly root: string;
  readonly pythonSource: string;
  /** What the provider asks for (`credentials_for_provider`). */
  readonly credentials: readonly ProviderCredential[];
}

/** What identifies a tool node execution: its node (id or title) and the plugin and provider behind it. */
export type ToolCallRef = Pick<ToolCall, 'title' | 'nodeId' | 'pluginId' | 'provider'>;

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
        root: root.path,
        pythonSource: declaration.pythonSource,
        credentials: provider.credentials,
      });
    }
  }
  return tools;
}

/** The tool name of a call from the app's DSL: the node with the call's id (or title) that uses the same provider. */
function toolNameFromDsl(appName: string, call: ToolCallRef, dslPaths: readonly string[], dsls: DslCache): string | undefined {
  for (const path of dslPaths) {
    const dsl = dsls.get(path);
    if (dsl === undefined || dsl.appName !== appName) continue;
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

/** The workspace tools a call ran: by the DSL's tool name, else a provider with one tool; none rather than a guess. */
export function toolSourcesOfCall(appName: string, call: ToolCallRef, tools: readonly ToolSource[], dslPaths: readonly string[], dsls: DslCache): ToolSource[] {
  const ofPlugin = tools.filter((t) => t.pluginId === call.pluginId && (call.provider === undefined || t.provider === call.provider));
  if (ofPlugin.length === 0) return [];
  const name = toolNameFromDsl(appName, call, dslPaths, dsls);
  if (name !== undefined) return ofPlugin.filter((t) => t.tool === name);
  // Without the DSL, only a provider with a single tool says which tool ran (the same tool may be
  // in several workspace copies of the plugin: all of them get the figures).
  const names = new Set(ofPlugin.map((t) => t.tool));
  return names.size === 1 ? ofPlugin : [];
}
