/** Reads every test/corpus/cases/<exporter>/<name>.json (sync) and checks the CorpusCase shape minimally. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CorpusCase } from './corpusCase';

const EXPORTERS = new Set(['aliyun', 'phoenix', 'langfuse', 'langsmith', 'infrastructure', 'pluginDaemon', 'mixed']);
const HEX32 = /^[0-9a-f]{32}$/;
/** Array.isArray without its `any[]` narrowing. */
const isArray = (v: unknown): boolean => Array.isArray(v);

function fail(file: string, why: string): never {
  throw new Error(`corpus case ${file}: ${why}`);
}

function check(file: string, exporterDir: string, c: CorpusCase): CorpusCase {
  if (typeof c.name !== 'string' || c.name === '') fail(file, 'no name');
  if (!EXPORTERS.has(c.exporter) || c.exporter !== exporterDir) fail(file, `exporter "${c.exporter}" does not match its folder`);
  if (!isArray(c.sources) || c.sources.length === 0) fail(file, 'no sources');
  if (!isArray(c.requests)) fail(file, 'requests is not an array');
  for (const r of c.requests) if (typeof r !== 'object' || r === null || !isArray((r as { resourceSpans?: unknown }).resourceSpans)) fail(file, 'a request has no resourceSpans');
  if (!isArray(c.expected?.runs) || !isArray(c.expected?.nodes)) fail(file, 'expected.runs / expected.nodes missing');
  for (const run of c.expected.runs) {
    if (!HEX32.test(run.traceId)) fail(file, `run trace id ${run.traceId}`);
    if (!isArray(run.linkedTraceIds)) fail(file, 'run without linkedTraceIds');
  }
  for (const n of c.expected.nodes) if (!HEX32.test(n.traceId) || !/^[0-9a-f]{16}$/.test(n.spanId) || !n.nodeType) fail(file, `bad node ${JSON.stringify(n)}`);
  return c;
}

export function loadCorpus(root: string = join(__dirname, 'cases')): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const dir of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const file of readdirSync(join(root, dir)).filter((f) => f.endsWith('.json')).sort()) {
      const path = join(root, dir, file);
      cases.push(check(`${dir}/${file}`, dir, JSON.parse(readFileSync(path, 'utf8')) as CorpusCase));
    }
  }
  return cases;
}
