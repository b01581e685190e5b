/**
 * Which stack frames of a span are links to the workspace. The server (sourceLinks/stackLocations.ts)
 * labels a location `path:line in function` after the frame it maps and counts its `frameDepth` among
 * that stack's user frames innermost first (Python prints the innermost call last, Node.js and Go
 * first). A frame is a link when a location has its label and depth; locations that stand for no
 * frame (a Code node's line in the app's DSL) are listed on their own.
 */
import type { SourceFrame, SourceLocation, SourceLocationsRequest, SourceStack } from '../../../src/shared/lspProtocol';

export interface FrameRow {
  readonly frame: SourceFrame;
  /** Where the frame is in the workspace, best first; empty when it maps nowhere. */
  readonly locations: readonly SourceLocation[];
}

export interface StackRows {
  /** `KeyError: 'max_temp_c'`, when the stack names its exception. */
  readonly title: string;
  /** In printed order, like the runtime printed them. */
  readonly frames: readonly FrameRow[];
}

export interface SourceView {
  readonly stacks: readonly StackRows[];
  /** Locations not matched to any frame shown. */
  readonly otherLocations: readonly SourceLocation[];
}

/** The same text the server labels a location with. */
export function frameLabel(frame: SourceFrame): string {
  const path = frame.plugin?.relativePath ?? frame.file;
  return `${path}:${frame.line}${frame.function ? ` in ${frame.function}` : ''}`;
}

/** Depth of each user frame among the stack's user frames, innermost first; undefined for library frames. */
function userDepths(stack: SourceStack): (number | undefined)[] {
  const userIndices = stack.frames.flatMap((f, i) => (f.isUserCode ? [i] : []));
  if (stack.language === 'python') userIndices.reverse();
  const depths: (number | undefined)[] = stack.frames.map(() => undefined);
  userIndices.forEach((frameIndex, depth) => (depths[frameIndex] = depth));
  return depths;
}

function stackTitle(stack: SourceStack): string {
  if (stack.exceptionType && stack.message) return `${stack.exceptionType}: ${stack.message}`;
  return stack.exceptionType ?? stack.message ?? `${stack.language} stack`;
}

/** Stacks with their frames matched to locations; each location is used by one frame at most. */
export function sourceView(source: NonNullable<SourceLocationsRequest.Result>): SourceView {
  const unused = new Set(source.locations);
  const stacks = source.stacks.map((stack): StackRows => {
    const depths = userDepths(stack);
    const frames = stack.frames.map((frame, i): FrameRow => {
      const depth = depths[i];
      if (depth === undefined) return { frame, locations: [] };
      const label = frameLabel(frame);
      const locations = [...unused].filter((l) => l.label === label && l.frameDepth === depth);
      for (const l of locations) unused.delete(l);
      return { frame, locations };
    });
    return { title: stackTitle(stack), frames };
  });
  return { stacks, otherLocations: source.locations.filter((l) => unused.has(l)) };
}

/** A file URI's path for a tooltip (`file:///w/tools/a.py` → `/w/tools/a.py`); other URIs unchanged. */
export function locationPath(location: SourceLocation): string {
  if (!location.uri.startsWith('file://')) return location.uri;
  try {
    return decodeURIComponent(location.uri.slice('file://'.length));
  } catch {
    return location.uri;
  }
}
