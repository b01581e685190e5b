// Packs a recording of a real Dify (recordings/otlp/NNNNN.bin + index.jsonl, as recorded from
// Dify's exporters) into the form the recorded tier reads: the trace and log bodies concatenated
// in arrival order and gzipped (bodies.bin.gz), with an index of offsets (bodies.jsonl). Metrics
// bodies are left out: the extension reads no metrics.
//   node --import tsx test/recorded/importRecording.ts <extracted recordings/ dir> <test/recorded/<name> dir>
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  console.error('usage: importRecording.ts <recordings dir> <output dir>');
  process.exit(2);
}
interface Entry {
  readonly file: string;
  readonly port?: number;
  readonly path: string;
  readonly [key: string]: unknown;
}
const lines = readFileSync(join(from, 'otlp', 'index.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry);
const parts: Buffer[] = [];
const index: object[] = [];
let offset = 0;
for (const entry of lines) {
  if (entry.path.endsWith('/v1/metrics')) continue;
  // GETs (Langfuse's key check) are listed with an empty body, which may have no file.
  const file = join(from, 'otlp', entry.file);
  const body = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
  const kept: Record<string, unknown> = { ...entry };
  delete kept['file'];
  delete kept['port'];
  index.push({ ...kept, offset, size: body.length });
  parts.push(body);
  offset += body.length;
}
mkdirSync(to, { recursive: true });
writeFileSync(join(to, 'bodies.bin.gz'), gzipSync(Buffer.concat(parts), { level: 9 }));
writeFileSync(join(to, 'bodies.jsonl'), index.map((e) => JSON.stringify(e)).join('\n') + '\n');
console.log(`${index.length} bodies, ${offset} bytes`);
