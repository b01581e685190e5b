import type { DifyNode } from './difyNode';
import { stringField } from './jsonAttribute';

type PluginIdentity = NonNullable<DifyNode['plugin']>;

/**
 * The plugin behind a tool node, from Dify's `tool_info` (graphon/nodes/tool/tool_node.py):
 * `provider_id` = `author/plugin/provider`, `plugin_unique_identifier` = `author/plugin:version@sha256`.
 * A plugin in remote-debug mode is the exception: its unique identifier carries the tenant id where
 * the author stands (`<tenant id>/inventory:0.0.1@…`, recorded on Dify 1.13.3 with
 * dify-plugin-daemon 0.5.5), while `provider_id` keeps the manifest's author, so the plugin id is
 * read from `provider_id` first: the manifest in the workspace is matched on it.
 */
export function pluginFromToolInfo(toolInfo: Record<string, unknown> | undefined, toolName?: string): PluginIdentity | undefined {
  const providerId = stringField(toolInfo, 'provider_id');
  const unique = stringField(toolInfo, 'plugin_unique_identifier');
  const fromUnique = unique === undefined ? undefined : /^([^/]+\/[^:@]+)(?::([^@]+))?(?:@.*)?$/.exec(unique);
  const providerParts = providerId?.split('/') ?? [];
  const pluginId = providerParts.length >= 2 ? `${providerParts[0]}/${providerParts[1]}` : fromUnique?.[1];
  if (pluginId === undefined) return undefined;
  return {
    pluginId,
    ...(fromUnique?.[2] ? { version: fromUnique[2] } : {}),
    ...(providerParts.length >= 3 ? { provider: providerParts[2]! } : {}),
    ...(toolName ? { toolName } : {}),
    ...(unique ? { uniqueIdentifier: unique } : {}),
  };
}
