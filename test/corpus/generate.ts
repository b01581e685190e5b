/**
 * Writes test/corpus/cases/<exporter>/<name>.json. Deterministic: every id is seeded, every case gets a fixed
 * start time (its slot in the catalogue), so re-running produces byte-identical files.
 * Run: node --import tsx test/corpus/generate.ts
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseFactory } from './caseKit';
import { aliyunCases, aliyunMessageCases } from './catalog/aliyun';
import { otherCases } from './catalog/others';
import { phoenixCases, phoenixMessageCases } from './catalog/phoenix';
import type { CorpusCase } from './corpusCase';

/** 2026-03-02T09:00:00Z; case i starts at BASE + i * 2 minutes. */
const BASE_MS = Date.UTC(2026, 2, 2, 9, 0, 0);
const SLOT_MS = 120_000;

export function buildCorpus(): CorpusCase[] {
  const factories: CaseFactory[] = [
    ...Object.values(aliyunCases),
    ...Object.values(aliyunMessageCases),
    ...Object.values(phoenixCases),
    ...Object.values(phoenixMessageCases),
    ...Object.values(otherCases).flatMap((group) => Object.values(group)),
  ];
  const cases = factories.map((f, i) => f(BASE_MS + i * SLOT_MS));
  const seen = new Set<string>();
  for (const c of cases) {
    const key = `${c.exporter}/${c.name}`;
    if (seen.has(key)) throw new Error(`duplicate case ${key}`);
    seen.add(key);
  }
  return cases;
}

function main(): void {
  const root = join(__dirname, 'cases');
  rmSync(root, { recursive: true, force: true });
  const cases = buildCorpus();
  for (const c of cases) {
    const dir = join(root, c.exporter);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${c.name}.json`), `${JSON.stringify(c, null, 2)}\n`);
  }
  const counts = new Map<string, number>();
  for (const c of cases) counts.set(c.exporter, (counts.get(c.exporter) ?? 0) + 1);
  console.log(`wrote ${cases.length} cases: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
}

if (require.main === module) main();
