// Fidelity on traces recorded from a real Dify (test/recorded/<release>/): every measure of the
// recorded tier, per release line and exporter, as a table. Not a timing: the share of runs the
// extension gets right against Dify's own database (all must be 100%; npm test fails otherwise).
import { evaluateRecorded, measureNames, type Measure, type MeasureName } from '../test/recorded/evaluateRecorded';
import { loadRecordedCorpora } from '../test/recorded/recordedCorpus';
import { writeResult } from './stats';

const short: Readonly<Record<MeasureName, string>> = {
  listed: 'listed',
  noGhostRuns: 'no ghost',
  status: 'status',
  kind: 'kind',
  app: 'app',
  failingNode: 'failing node',
  rootCause: 'root cause',
  errorKind: 'error kind',
  traceLink: 'Trace Link',
  goToSource: 'Go to Source',
  noMadeUpSource: 'no made-up source',
};

const cell = (m: Measure): string => (m.total === 0 ? '–' : `${Math.round((100 * m.right) / m.total)}% ${m.right}/${m.total}`);

async function main(): Promise<void> {
const rows: string[][] = [['release', 'exporter', 'runs', ...measureNames.map((n) => short[n])]];
const results: Record<string, unknown>[] = [];
const misses: string[] = [];
for (const corpus of loadRecordedCorpora()) {
  const scores = await evaluateRecorded(corpus);
  for (const [exporter, measures] of scores.byExporter) {
    const runs = Math.max(measures.listed.total, exporter === 'all' ? scores.runs : 0);
    rows.push([corpus.name, exporter, String(runs), ...measureNames.map((n) => cell(measures[n]))]);
    results.push({ release: corpus.name, exporter, runs, ...Object.fromEntries(measureNames.map((n) => [n, { right: measures[n].right, total: measures[n].total }])) });
    if (exporter === 'all') for (const n of measureNames) misses.push(...measures[n].misses);
  }
  if (scores.refused.length > 0) misses.push(...scores.refused.map((r) => `${corpus.name}: refused ${r}`));
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
for (const miss of misses) console.log(`  miss: ${miss}`);
writeResult('fidelity', { rows: results, misses });
}

void main();
