import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * The load target (TraceService + WorkerDecoder + trace database, test/load/loadTarget.ts) and its
 * decode worker, bundled into `dir` as the extension ships its trace server; `source` is the
 * checkout to bundle (another one for a before/after comparison). Returns the target's path.
 */
export async function bundleLoadTarget(source: string, dir: string): Promise<string> {
  const common = { bundle: true, platform: 'node' as const, format: 'cjs' as const, target: 'node20', minify: true, logLevel: 'error' as const };
  await build({ ...common, entryPoints: [join(source, 'test', 'load', 'loadTarget.ts')], outfile: join(dir, 'loadTarget.js') });
  await build({ ...common, entryPoints: [join(source, 'src', 'server', 'receiver', 'decodeWorker.ts')], outfile: join(dir, 'decodeWorker.js') });
  return join(dir, 'loadTarget.js');
}
