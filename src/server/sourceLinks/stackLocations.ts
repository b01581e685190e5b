/**
 * From a span's stack traces to workspace locations: the innermost user frame whose file is in the
 * workspace (frameFiles.ts), with the line's text range so the editor can select it. When only a
 * caller is found, the location says how deep it is and `problem` says which frame was missing,
 * so an outer frame is never presented as the failing line.
 */
import { pathToFileURL } from 'node:url';
import type { PathMapping, SourceFrame, SourceLocation, SourceRange, SourceStack } from '../../shared/lspProtocol';
import type { FileAccess, WorkspaceSnapshot } from '../workspace/workspaceIndex';
import { frameFiles } from './frameFiles';

export interface StackLocations {
  readonly locations: SourceLocation[];
  /** The stack the locations come from, for the exception shown beside the line. */
  readonly stack?: SourceStack;
  readonly problem?: string;
}

/** User frames innermost first (Python prints the innermost call last, Node.js and Go first). */
export function userFramesInnermostFirst(stack: SourceStack): SourceFrame[] {
  const user = stack.frames.filter((f) => f.isUserCode);
  return stack.language === 'python' ? user.reverse() : user;
}

export function frameLabel(frame: SourceFrame): string {
  const path = frame.plugin?.relativePath ?? frame.file;
  return `${path}:${frame.line}${frame.function ? ` in ${frame.function}` : ''}`;
}

/** The range of a line's text without its indentation; the whole line when the file cannot be read. */
export function lineTextRange(text: string | undefined, line1: number, column1?: number): SourceRange {
  const line = Math.max(0, line1 - 1);
  const lineText = text?.split(/\r?\n/)[line];
  if (lineText === undefined) return { start: { line, character: 0 }, end: { line, character: 0 } };
  const indent = lineText.search(/\S/);
  const start = column1 !== undefined && column1 - 1 <= lineText.length ? column1 - 1 : Math.max(0, indent);
  return { start: { line, character: start }, end: { line, character: lineText.trimEnd().length } };
}

/**
 * Locations for the stacks, in the order spanSourceFrames gives them (of a chained Python
 * exception, the one raised last, which Dify reports, comes first). The first stack with any user
 * frame in the workspace decides.
 */
export function stackLocations(stacks: readonly SourceStack[], workspace: WorkspaceSnapshot, mappings: readonly PathMapping[], files: FileAccess): StackLocations {
  const userFrames = stacks.flatMap(userFramesInnermostFirst);
  if (userFrames.length === 0) {
    const frames = stacks.reduce((n, s) => n + s.frames.length, 0);
    return {
      locations: [],
      problem: frames === 0 ? 'No stack trace was found in this span, its exception events or the log records logged in it.' : `None of the ${frames} stack frame(s) is the plugin's own code (they are in the SDK, the virtual environment, the standard library or the sandbox).`,
    };
  }
  for (const stack of stacks) {
    const frames = userFramesInnermostFirst(stack);
    for (const [depth, frame] of frames.entries()) {
      const found = frameFiles(frame, workspace, mappings, files);
      if (found.length === 0) continue;
      const locations = found.map(({ path, via }): SourceLocation => ({
        uri: pathToFileURL(path).href,
        range: lineTextRange(files.readText(path), frame.line, frame.column),
        via,
        label: frameLabel(frame),
        frameDepth: depth,
      }));
      const innermost = frames[0]!;
      return {
        locations,
        stack,
        ...(depth === 0 ? {} : { problem: `The innermost frame of your code, ${frameLabel(innermost)} (${innermost.file}), is not in the workspace; this is its caller ${depth} frame(s) up.` }),
      };
    }
  }
  const innermost = userFrames[0]!;
  const plugin = innermost.plugin;
  return {
    locations: [],
    problem: plugin
      ? `No folder in the workspace holds plugin ${plugin.author}/${plugin.name} ${plugin.version} (a manifest.yaml with author: ${plugin.author} and name: ${plugin.name}). The failing frame is ${frameLabel(innermost)}.`
      : `The failing frame ${innermost.file}:${innermost.line} is not a file in the workspace. If it is a container or remote path, map it to a local folder with the setting difyTrace.pathMappings.`,
  };
}
