/**
 * Jaeger v2 (built by scripts/ensure-jaeger.sh) on free loopback ports with memory storage, or Badger
 * (its embedded on-disk store) in a temporary directory, for the benchmarks that compare against it and the tests of the Jaeger backend. The pipeline has no batch processor, so each OTLP response
 * means "stored"; the body limit is above any batch we send.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../e2e/harness/freePort';

export interface JaegerOptions {
  /** Memory storage bound; above the data's trace count so nothing is evicted. */
  readonly maxTraces: number;
  /** A Jaeger UI build for the query extension to serve (`jaeger_query.ui.assets_path`). */
  readonly uiAssetsPath?: string;
  /** `badger`: spans on disk (synchronous writes off, Jaeger's default), as durable as the embedded store's database. */
  readonly storage?: 'memory' | 'badger';
}

export interface JaegerProcess {
  readonly process: ChildProcess;
  /** OTLP/HTTP base URL (POST `${otlp}/v1/traces`). */
  readonly otlp: string;
  /** Query service base URL (`/api/...`, and the UI when one is served). */
  readonly query: string;
  /** Why the process ended, once it has. */
  readonly exited: () => string | undefined;
  /** Stops the process and removes its config directory. */
  stop(): void;
  /** Stops it and waits until it has exited, killing it after `killAfterMs` (Badger may compact for minutes on SIGTERM). */
  stopAndWait(killAfterMs?: number): Promise<void>;
}

export async function startJaeger(binary: string, options: JaegerOptions): Promise<JaegerProcess> {
  const [otlp, query, grpc, health] = [await findFreePort(), await findFreePort(), await findFreePort(), await findFreePort()];
  const dir = mkdtempSync(join(tmpdir(), 'jaeger-bench-'));
  const ui = options.uiAssetsPath === undefined ? '' : `
    ui:
      assets_path: ${JSON.stringify(options.uiAssetsPath)}`;
  writeFileSync(join(dir, 'config.yaml'), `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_query:
    storage:
      traces: memstore${ui}
    http:
      endpoint: 127.0.0.1:${query}
    grpc:
      endpoint: 127.0.0.1:${grpc}
  jaeger_storage:
    backends:
      memstore:${options.storage === 'badger' ? `
        badger:
          directories:
            keys: ${JSON.stringify(join(dir, 'badger', 'keys'))}
            values: ${JSON.stringify(join(dir, 'badger', 'values'))}
          ephemeral: false` : `
        memory:
          max_traces: ${options.maxTraces}`}
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:${health}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlp}
        max_request_body_size: 268435456
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`);
  const child = spawn(binary, ['--config', `file:${join(dir, 'config.yaml')}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let exited: string | undefined;
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.once('exit', (code, signal) => (exited = `exited with ${signal ?? code}: ${stderr.slice(-1000)}`));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  const stop = (): void => {
    // Badger writes its files until the process is gone: the directory goes once it has exited.
    if (exited !== undefined) return removeDir();
    child.once('exit', removeDir);
    child.kill();
  };
  // Poll the health endpoint: the process gives no other sign of being ready.
  for (let i = 0; i < 300 && exited === undefined; i++) {
    if (await fetch(`http://127.0.0.1:${health}/status`).then((r) => r.ok, () => false)) {
      const stopAndWait = async (killAfterMs = 10_000): Promise<void> => {
        const gone = exited === undefined ? once(child, 'exit') : Promise.resolve();
        stop();
        const hard = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        await gone;
        clearTimeout(hard);
      };
      return { process: child, otlp: `http://127.0.0.1:${otlp}`, query: `http://127.0.0.1:${query}`, exited: () => exited, stop, stopAndWait };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  stop();
  throw new Error(`Jaeger did not become healthy: ${exited ?? stderr}`);
}
