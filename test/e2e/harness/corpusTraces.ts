import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CorpusCase } from '../../corpus/corpusCase';
import { repoRoot } from './repoPaths.js';

/**
 * Posts cases of the classification corpus (test/corpus/cases/<exporter>/<name>.json, OTLP/JSON
 * bodies as Dify's exporters send them) to a receiver, in order, and returns the cases. Used to put
 * a second app ("Order Support") beside the demo's "Travel Assistant".
 */
export async function postCorpusCases(endpoint: string, names: readonly `${CorpusCase['exporter']}/${string}`[]): Promise<CorpusCase[]> {
  const cases: CorpusCase[] = [];
  for (const name of names) {
    const c = JSON.parse(readFileSync(join(repoRoot(), 'test', 'corpus', 'cases', `${name}.json`), 'utf8')) as CorpusCase;
    for (const body of c.requests) {
      const res = await fetch(`${endpoint.replace(/\/+$/, '')}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`POST ${name}: HTTP ${res.status} ${await res.text()}`);
    }
    cases.push(c);
  }
  return cases;
}
