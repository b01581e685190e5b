// Builds minified bundles and packs the .vsix from the .vscodeignore allow-list; prints its
// file list and size, and fails if it grows past the 2 MB budget.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';

const pkg = JSON.parse(execFileSync('node', ['-p', 'JSON.stringify(require("./package.json"))'], { encoding: 'utf8' }));
const out = `${pkg.name}-${pkg.version}.vsix`;
const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });

run('node', ['scripts/build.mjs', '--production']);
// The marketplace needs a PNG icon (128×128); it is rendered from the SVG the repository keeps.
mkdirSync('dist', { recursive: true });
const png = new Resvg(readFileSync('media/icon.svg', 'utf8'), { fitTo: { mode: 'width', value: 128 } }).render();
if (png.width !== 128 || png.height !== 128) throw new Error(`icon rendered at ${png.width}×${png.height}, not 128×128`);
writeFileSync('dist/icon.png', png.asPng());
console.log('Files in the package:');
run('npx', ['vsce', 'ls', '--no-dependencies']);
run('npx', ['vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--out', out]);
const bytes = statSync(out).size;
const budget = 2 * 1024 * 1024;
console.log(`${out}: ${(bytes / 1024).toFixed(1)} KiB (budget ${budget / 1024} KiB)`);
if (bytes > budget) {
  console.error(`The .vsix is over its 2 MB budget.`);
  process.exit(1);
}
