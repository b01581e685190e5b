/**
 * The pure half of "Go to Source", shared by the host (opening) and the trace server (diagnostics): which frame to open,
 * and which plugin a workspace manifest declares.
 */
import type { SourceFrame, SourceStack } from './lspProtocol';

export type PluginFrame = SourceFrame & { readonly plugin: NonNullable<SourceFrame['plugin']> };

/** A frame to open and the exception it raised, for the message shown beside the line. */
export interface SourceTarget {
  readonly frame: PluginFrame;
  readonly stack: SourceStack;
}

/**
 * The frame "Go to Source" opens: the innermost user-code frame that maps to a plugin file, over the
 * span's stacks in the order the server found them (Python prints the innermost call last, Node.js
 * and Go first).
 */
export function bestPluginFrame(stacks: readonly SourceStack[]): SourceTarget | undefined {
  for (const stack of stacks) {
    const user = stack.frames.filter((f): f is PluginFrame => f.isUserCode && f.plugin !== undefined);
    const frame = stack.language === 'python' ? user.at(-1) : user[0];
    if (frame) return { frame, stack };
  }
  return undefined;
}

/**
 * The top-level scalar `author`, `name` and `version` of a plugin manifest. A line-based reader of
 * unindented `key: value` lines is enough for the manifests the plugin CLI writes; the Code node /
 * DSL work will bring a YAML parser that keeps source positions, and this should move onto it.
 */
export function readManifestIdentity(text: string): { author?: string; name?: string; version?: string } {
  const found: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^(author|name|version):[ \t]*(.*)$/.exec(line);
    if (!match) continue;
    const [, key = '', raw = ''] = match;
    if (key in found) continue;
    let value = raw.replace(/[ \t]+#.*$/, '').trim();
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    if (value !== '') found[key] = value;
  }
  return found;
}
