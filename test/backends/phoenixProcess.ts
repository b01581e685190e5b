/**
 * Arize Phoenix (installed from PyPI by scripts/ensure-phoenix.sh) on free loopback ports, its SQLite
 * database in a temporary directory, usage telemetry off (the network is closed).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../e2e/harness/freePort';
import { startLoopbackServer, type LoopbackServer } from './loopbackServer';

export interface PhoenixProcess extends LoopbackServer {
  /** Phoenix's base URL: its UI, REST API (`/v1/...`) and OTLP/HTTP (`/v1/traces`, protobuf only). */
  readonly url: string;
}

export async function startPhoenix(binary: string): Promise<PhoenixProcess> {
  const [port, grpcPort] = [await findFreePort(), await findFreePort()];
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-'));
  const env = { ...process.env, PHOENIX_WORKING_DIR: dir, PHOENIX_HOST: '127.0.0.1', PHOENIX_PORT: String(port), PHOENIX_GRPC_PORT: String(grpcPort), PHOENIX_TELEMETRY_ENABLED: 'false' };
  const url = `http://127.0.0.1:${port}`;
  const server = await startLoopbackServer('Phoenix', binary, ['serve'], { env, readyUrl: `${url}/healthz`, scratchDir: dir });
  return { ...server, url };
}
