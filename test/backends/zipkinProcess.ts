/**
 * Zipkin (the server jar scripts/ensure-zipkin.sh fetched from Maven Central) on a free loopback
 * port with in-memory storage.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../e2e/harness/freePort';
import { startLoopbackServer, type LoopbackServer } from './loopbackServer';

export interface ZipkinProcess extends LoopbackServer {
  /** The server's base URL: `/api/v2/...` to query and to POST spans, the UI under `/zipkin/`. */
  readonly url: string;
}

export async function startZipkin(jar: string): Promise<ZipkinProcess> {
  const port = await findFreePort();
  const dir = mkdtempSync(join(tmpdir(), 'zipkin-'));
  // Armeria binds every interface unless told otherwise: keep it on loopback.
  const env = { ...process.env, QUERY_PORT: String(port), STORAGE_TYPE: 'mem', MEM_MAX_SPANS: '1000000', JAVA_OPTS: '' };
  const url = `http://127.0.0.1:${port}`;
  const server = await startLoopbackServer('Zipkin', 'java', ['-Xmx1g', `-Djava.io.tmpdir=${dir}`, '-Darmeria.ports[0].ip=127.0.0.1', `-Darmeria.ports[0].port=${port}`, '-Darmeria.ports[0].protocols=http', '-jar', jar], { env, readyUrl: `${url}/health`, scratchDir: dir });
  return { ...server, url };
}
