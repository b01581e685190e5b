/**
 * A failing Code node to the line of its code in the app's exported DSL. The sandbox's traceback
 * counts lines of Dify's runner script (sandboxLines.ts); the DSL holds the node's code as a YAML
 * scalar, which Dify's export writes double-quoted with `\n` escapes, so the line is found by the
 * scalar's source positions (src/dify/dsl/difyDsl.ts), not by counting file lines.
 * The node is found by its graph node id when the trace has it, else by its title within the app's
 * DSL. Two nodes with the same id, or one title in several DSLs, give every candidate and say so:
 * the user picks; nothing is guessed.
 */
import { pathToFileURL } from 'node:url';
import { codeLineRange, looksLikeDifyDsl, parseDifyDsl, type DifyDsl, type DslNode } from '../../dify/dsl/difyDsl';
import type { CodeNodeFailure, SourceLocation, SourceStack } from '../../shared/lspProtocol';
import type { FileAccess } from '../workspace/workspaceIndex';
import { RUNNER_LINE_OFFSET, inferRunnerOffset, isRunnerFrame, userCodePosition, type CodeLanguage } from './sandboxLines';

export interface CodeNodeQuery {
  readonly appName: string;
  readonly title: string;
  readonly nodeId?: string;
  /** From the traceback's shape, when the DSL does not say. */
  readonly language?: CodeLanguage;
  readonly errorText: string;
}

export interface CodeNodeLocations {
  readonly locations: SourceLocation[];
  readonly codeNode: CodeNodeFailure;
  readonly problem?: string;
}

/** Parsed DSL files by path, re-parsed when the file changes. */
export class DslCache {
  private readonly parsed = new Map<string, { version: string; dsl: DifyDsl | undefined }>();

  constructor(private readonly files: FileAccess) {}

  /** The DSL in the file, or undefined when it is not an app DSL or does not parse. */
  get(path: string): DifyDsl | undefined {
    const version = this.files.version(path);
    if (version === undefined) return undefined;
    const known = this.parsed.get(path);
    if (known?.version === version) return known.dsl;
    const text = this.files.readText(path);
    const result = text !== undefined && looksLikeDifyDsl(text) ? parseDifyDsl(text) : undefined;
    const dsl = result?.ok ? result.dsl : undefined;
    this.parsed.set(path, { version, dsl });
    return dsl;
  }

  /** The parse error of a file the user chose explicitly, to say why it was not used. */
  explain(path: string): string | undefined {
    const text = this.files.readText(path);
    if (text === undefined) return `${path} cannot be read.`;
    const result = parseDifyDsl(text);
    return result.ok ? undefined : result.error;
  }

  retain(paths: readonly string[]): void {
    const keep = new Set(paths);
    for (const path of this.parsed.keys()) if (!keep.has(path)) this.parsed.delete(path);
  }
}

/** Runner frames innermost first. */
function runnerFrames(stacks: readonly SourceStack[], language: CodeLanguage) {
  return stacks.flatMap((stack) => {
    const frames = stack.frames.filter((f) => isRunnerFrame(f, language));
    return stack.language === 'python' ? frames.reverse() : frames;
  });
}

/** The user-code line the innermost runner frame inside the code points at. */
export function failingUserLine(stacks: readonly SourceStack[], language: CodeLanguage, code: string | undefined, errorText = ''): number | undefined {
  const frames = runnerFrames(stacks, language);
  if (code === undefined) {
    // Without the code the wrapper's lines cannot be told apart; report the innermost frame's line.
    const line = frames[0] === undefined ? 0 : frames[0].line - RUNNER_LINE_OFFSET[language];
    return line >= 1 ? line : undefined;
  }
  // A builtin called from the code (`JSON.parse (<anonymous>)`) has no position: judge by the first frame that has one.
  const positioned = frames.find((f) => f.line > 0 && f.column !== undefined) ?? frames[0];
  const offset = inferRunnerOffset(language, code, positioned, errorText, frames);
  for (const frame of frames) {
    const position = userCodePosition(frame, language, code, offset);
    if (position) return position.line;
  }
  return undefined;
}

function asLanguage(value: string | undefined): CodeLanguage | undefined {
  if (value === 'python3' || value === 'javascript') return value;
  if (value === 'nodejs') return 'javascript';
  return undefined;
}

interface NodeMatch {
  readonly path: string;
  readonly dsl: DifyDsl;
  readonly node: DslNode;
}

/**
 * Code nodes matching the query: by id when known (any app, ids are per-graph unique), else by title
 * in the app's DSLs, and when no DSL bears the app's name, by title in every DSL. Dify's exporters do
 * not always send the app's name (1.13 sends `app_name: ""`; Aliyun's service name and Phoenix's
 * project are whatever the tracing config says), so the run may be named by its id or its config.
 */
function matchNodes(paths: readonly string[], cache: DslCache, query: Pick<CodeNodeQuery, 'appName' | 'title' | 'nodeId'>): { matches: NodeMatch[]; dslCount: number } {
  const dsls = paths.flatMap((path) => {
    const dsl = cache.get(path);
    return dsl ? [{ path, dsl }] : [];
  });
  const matches: NodeMatch[] = [];
  const sameApp = dsls.filter(({ dsl }) => dsl.appName === query.appName);
  for (const { path, dsl } of query.nodeId !== undefined || sameApp.length === 0 ? dsls : sameApp) {
    for (const node of dsl.nodes) {
      const hit = query.nodeId !== undefined ? node.id === query.nodeId : node.title === query.title;
      if (hit && node.code !== undefined) matches.push({ path, dsl, node });
    }
  }
  // With the id, prefer the app's own DSLs when the id also appears elsewhere (a copied app).
  const inApp = matches.filter((m) => m.dsl.appName === query.appName);
  return { matches: inApp.length > 0 ? inApp : matches, dslCount: dsls.length };
}

/** The node's code as the first matching DSL holds it (Replay Code Node), with how many DSLs had it. */
export function codeNodeSource(
  query: Pick<CodeNodeQuery, 'appName' | 'title' | 'nodeId'>,
  dslPaths: readonly string[],
  cache: DslCache,
): { path: string; text: string; language?: CodeLanguage; declaredLanguage?: string; candidates: number } | undefined {
  const { matches } = matchNodes(dslPaths, cache, query);
  const first = matches[0];
  if (first === undefined) return undefined;
  const declared = first.node.code!.language;
  const language = asLanguage(declared);
  return { path: first.path, text: first.node.code!.text, ...(language === undefined ? {} : { language }), ...(declared === undefined ? {} : { declaredLanguage: declared }), candidates: matches.length };
}

export function codeNodeLocations(query: CodeNodeQuery, stacks: readonly SourceStack[], dslPaths: readonly string[], cache: DslCache, explicitDsl: boolean): CodeNodeLocations {
  const { matches, dslCount } = matchNodes(dslPaths, cache, query);
  const describe = `Code node "${query.title}"${query.nodeId ? ` (id ${query.nodeId})` : ''} of app "${query.appName}"`;
  const base = { appName: query.appName, title: query.title, ...(query.nodeId ? { nodeId: query.nodeId } : {}), errorText: query.errorText };

  if (matches.length === 0) {
    const language = query.language ?? 'python3';
    const userLine = failingUserLine(stacks, language, undefined);
    const codeNode: CodeNodeFailure = { ...base, language, ...(userLine === undefined ? {} : { userLine }) };
    const where = userLine === undefined ? '' : ` The traceback points at line ${userLine} of the node's code.`;
    let problem: string;
    if (explicitDsl) problem = (dslPaths[0] && cache.explain(dslPaths[0])) ?? `${dslPaths[0] ?? 'The file'} has no ${describe}.`;
    else if (dslCount === 0) problem = `No exported DSL of app "${query.appName}" is in the workspace (Dify: app menu → Export DSL), so the ${describe} cannot be shown.${where}`;
    else problem = `None of the ${dslCount} app DSL file(s) in the workspace has the ${describe}; export the app's DSL again.${where}`;
    return { locations: [], codeNode, problem };
  }

  const locations: SourceLocation[] = [];
  const problems: string[] = [];
  let first: CodeNodeFailure | undefined;
  for (const { path, dsl, node } of matches) {
    const code = node.code!;
    const language = asLanguage(code.language) ?? query.language ?? 'python3';
    const userLine = failingUserLine(stacks, language, code.text, query.errorText);
    first ??= { ...base, language, ...(userLine === undefined ? {} : { userLine }) };
    if (userLine === undefined) {
      problems.push(
        runnerFrames(stacks, language).length === 0
          ? `The error of the ${describe} has no traceback line in the node's code (${query.errorText.split('\n')[0]?.slice(0, 200) ?? ''}).`
          : `The traceback of the ${describe} ends in Dify's wrapper around the code, not in a line of it (for example, main() returned something that is not a dict), or the DSL's code is older than the run.`,
      );
      continue;
    }
    const mapped = codeLineRange(code, userLine);
    if (!mapped) {
      problems.push(`The ${describe} in ${path} has fewer than ${userLine} lines; the DSL may be older than the run.`);
      continue;
    }
    locations.push({ uri: pathToFileURL(path).href, range: mapped.range, via: 'dslCode', label: `Code node "${node.title ?? node.id}", line ${userLine}`, frameDepth: 0 });
    if (dsl.duplicateNodeIds.includes(node.id)) problems.push(`Node id ${node.id} appears more than once in ${path}; pick the node that ran.`);
  }
  if (locations.length > 1 && problems.length === 0) {
    const apps = new Set(matches.map((m) => m.dsl.appName));
    problems.push(
      apps.has(query.appName)
        ? `The ${describe} is in ${locations.length} places in the workspace; pick the one that ran.`
        : `The trace does not name the app ("${query.appName}" is its tracing config or id), and ${locations.length} apps' DSLs in the workspace have the ${describe.replace(/ of app ".*"$/, '')}; pick the one that ran.`,
    );
  }
  return { locations, codeNode: first!, ...(problems.length > 0 ? { problem: [...new Set(problems)].join(' ') } : {}) };
}
