import type { DifyNode } from './difyNode';
import { stringField } from './jsonAttribute';

type PluginIdentity = NonNullable<DifyNode['plugin']>;

/**
 * The plugin behind a tool node, from Dify's `tool_info` (graphon/nodes/tool/tool_node.py):
 * `provider_id` = `author/plugin/provider`, `plugin_unique_identifier` = `author/plugin:version@sha256`.
 */
export function pluginFromToolInfo(toolInfo: Record<string, unknown> | undefined, toolName?: string): PluginIdentity | undefined {
  const providerId = stringField(toolInfo, 'provider_id');
  const unique = stringField(toolInfo, 'plugin_unique_identifier');
  const fromUnique = unique === undefined ? undefined : /^([^/]+\/[^:@]+)(?::([^@]+))?(?:@.*)?$/.exec(unique);
  const providerParts = providerId?.split('/') ?? [];
  const pluginId = fromUnique?.[1] ?? (providerParts.length >= 2 ? `${providerParts[0]}/${providerParts[1]}` : undefined);
  if (pluginId === undefined) return undefined;
  return {
    pluginId,
    ...(fromUnique?.[2] ? { version: fromUnique[2] } : {}),
    ...(providerParts.length >= 3 ? { provider: providerParts[2]! } : {}),
    ...(toolName ? { toolName } : {}),
    ...(unique ? { uniqueIdentifier: unique } : {}),
  };
}
