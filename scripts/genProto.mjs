// Regenerates the protobuf-es code for the vendored OTLP definitions (see proto/README.md).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

rmSync('src/server/receiver/gen', { recursive: true, force: true });
execFileSync('npx', ['buf', 'generate'], { stdio: 'inherit' });
