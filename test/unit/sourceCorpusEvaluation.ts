/**
 * Scores the stack-trace-to-source mapping on test/sourceCorpus: each case's text is put where its
 * carrier says (an exception event, the span's status, a log record's body or attributes), with the
 * Code node it belongs to when it has one, resolved by the trace server's own `resolveEvidence`
 * against test/sourceCorpus/workspace, and compared with the expected file and line, "nothing", or
 * an ambiguity. Shared by the unit test (which requires 100%) and `npm run bench` (which times it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LogRecord } from '../../src/model/logRecord';
import type { Attributes, Span, SpanEvent } from '../../src/model/span';
import { asSpanId, asTraceId, type Microseconds } from '../../src/model/units';
import { DslCache } from '../../src/server/sourceLinks/codeNodeLocations';
import { resolveEvidence, type SourceResolution, type SpanEvidence } from '../../src/server/sourceLinks/sourceResolver';
import { nodeFileAccess, scanWorkspace } from '../../src/server/workspace/workspaceIndex';
import type { SourceInsightSettings } from '../../src/shared/lspProtocol';

export const corpusRoot = join(__dirname, '..', 'sourceCorpus');
export const corpusWorkspace = join(corpusRoot, 'workspace');

export interface SourceCase {
  readonly id: string;
  readonly description: string;
  readonly carrier: 'spanEvent' | 'statusMessage' | 'logBody' | 'logException';
  readonly text: string;
  readonly event?: { readonly name: string; readonly attributes: Attributes };
  /** The attribute that holds the text, for carriers that put it in one (default `exception.stacktrace`). */
  readonly attribute?: string;
  readonly log?: { readonly body?: string; readonly severityText?: string; readonly attributes?: Attributes };
  readonly node?: { readonly appName: string; readonly nodeType: string; readonly title: string; readonly nodeId?: string; readonly codeLanguage?: string };
  readonly pathMappings?: readonly { readonly from: string; readonly to: string }[];
  readonly expected:
    | { readonly file: string; readonly line: number; readonly userLine?: number; readonly node?: string; readonly ambiguous?: undefined; readonly none?: undefined }
    | { readonly none: string; readonly file?: undefined; readonly line?: undefined; readonly ambiguous?: undefined }
    | { readonly ambiguous: readonly string[]; readonly file: string; readonly none?: undefined; readonly line?: undefined };
}

export function loadSourceCases(): SourceCase[] {
  const dir = join(corpusRoot, 'cases');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as SourceCase);
}

const traceId = asTraceId('5c0e5c0e5c0e5c0e5c0e5c0e5c0e5c0e')!;
const spanId = asSpanId('5c0e5c0e5c0e5c0e')!;
const resource = { serviceName: 'corpus', attributes: {} };

function languageOf(value: string | undefined): { language?: 'python3' | 'javascript' } {
  return value === 'python3' || value === 'javascript' ? { language: value } : {};
}

/** The span (and its log record) that carries the case's text the way Dify would. */
export function evidenceOf(c: SourceCase): SpanEvidence {
  const event = c.event ?? { name: 'exception', attributes: { [c.attribute ?? 'exception.stacktrace']: c.text } };
  const events: SpanEvent[] = c.carrier === 'spanEvent' ? [{ name: event.name, timeUs: 1 as Microseconds, attributes: event.attributes }] : [];
  const span: Span = {
    traceId,
    spanId,
    name: c.node?.title ?? c.id,
    kind: 'internal',
    startUs: 0 as Microseconds,
    endUs: 1 as Microseconds,
    status: { code: 'error', ...(c.carrier === 'statusMessage' ? { message: c.text } : {}) },
    attributes: {},
    events,
    links: [],
    resource,
    scopeName: 'corpus',
  };
  const record = (body: string, attributes: Attributes): LogRecord => ({ timeUs: 1 as Microseconds, severityNumber: 17, severityText: 'ERROR', body, attributes, traceId, spanId, resource, scopeName: 'corpus' });
  const records = c.carrier === 'logBody' ? [record(c.text, {})] : c.carrier === 'logException' ? [record(c.log?.body ?? '', c.log?.attributes ?? {})] : [];
  const codeNode =
    c.node?.nodeType === 'code'
      ? {
          appName: c.node.appName,
          title: c.node.title,
          ...(c.node.nodeId ? { nodeId: c.node.nodeId } : {}),
          ...languageOf(c.node.codeLanguage),
          errorText: c.text,
        }
      : undefined;
  return { span, records, ...(codeNode ? { codeNode } : {}) };
}

export interface CaseOutcome {
  readonly id: string;
  readonly hit: boolean;
  readonly got: string;
  readonly want: string;
}

function describeResolution(r: SourceResolution): string {
  if (r.locations.length === 0) return `nothing (${r.problem ?? 'no reason given'})`;
  return r.locations.map((l) => `${pathOf(l.uri)}:${l.range.start.line + 1}${l.frameDepth > 0 ? ` (caller +${l.frameDepth})` : ''}`).join(' | ') + (r.problem ? ` — ${r.problem}` : '');
}

function pathOf(uri: string): string {
  const path = fileURLToPath(uri);
  return path.startsWith(`${corpusWorkspace}/`) ? path.slice(corpusWorkspace.length + 1) : path;
}

export function judge(c: SourceCase, r: SourceResolution): CaseOutcome {
  const got = describeResolution(r);
  const e = c.expected;
  if (e.none !== undefined) return { id: c.id, hit: r.locations.length === 0 && r.problem !== undefined, got, want: 'nothing' };
  if (e.ambiguous !== undefined) {
    // Every candidate offered, in the named file, and the reason stated: never one picked silently.
    const hit = r.locations.length === e.ambiguous.length && r.locations.every((l) => pathOf(l.uri) === e.file) && /more than once|several|places/.test(r.problem ?? '');
    return { id: c.id, hit, got, want: `${e.ambiguous.length} candidates in ${e.file}, stated as ambiguous` };
  }
  const first = r.locations[0];
  const hit = r.locations.length === 1 && first !== undefined && first.frameDepth === 0 && pathOf(first.uri) === e.file && first.range.start.line + 1 === e.line;
  return { id: c.id, hit, got, want: `${e.file}:${e.line}` };
}

/** Resolves every case; `settings` per case carries its path mappings. */
export function evaluateSourceCorpus(cases: readonly SourceCase[] = loadSourceCases()): { outcomes: CaseOutcome[]; resolutions: SourceResolution[] } {
  const workspace = scanWorkspace([pathToFileURL(corpusWorkspace).href]);
  const dsls = new DslCache(nodeFileAccess);
  const outcomes: CaseOutcome[] = [];
  const resolutions: SourceResolution[] = [];
  for (const c of cases) {
    const settings: SourceInsightSettings = {
      pathMappings: (c.pathMappings ?? []).map((m) => ({ from: m.from, to: m.to.replace('${workspace}', corpusWorkspace) })),
      windowMinutes: 60,
      diagnostics: true,
      codeLens: true,
    };
    const resolution = resolveEvidence(evidenceOf(c), { workspace: () => workspace, settings: () => settings, files: nodeFileAccess, dsls });
    resolutions.push(resolution);
    outcomes.push(judge(c, resolution));
  }
  return { outcomes, resolutions };
}
