// Frames to workspace files: path mappings (explicit, longest prefix, nothing guessed), the plugin
// daemon's install layout, and paths already inside a workspace folder; and the stack-level choice
// of the innermost user frame that resolves, saying so when only a caller does.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { frameFiles, mapPath } from '../../src/server/sourceLinks/frameFiles';
import { containedPath } from '../../src/server/workspace/containedPath';
import { nodeFileAccess } from '../../src/server/workspace/workspaceIndex';
import { lineTextRange, stackLocations } from '../../src/server/sourceLinks/stackLocations';
import type { FileAccess, WorkspaceSnapshot } from '../../src/server/workspace/workspaceIndex';
import type { SourceFrame, SourceStack } from '../../src/shared/lspProtocol';

/** A file system of the given files (POSIX paths), each with its text. */
function files(texts: Record<string, string>): FileAccess {
  return {
    isFile: (path) => path in texts,
    readText: (path) => texts[path],
    version: (path) => (path in texts ? String(texts[path]?.length) : undefined),
    realPath: (path) => (path in texts || path === '/ws' ? path : undefined),
  };
}

const workspace: WorkspaceSnapshot = {
  folders: ['/ws'],
  pluginRoots: [
    { author: 'acme', name: 'weather', version: '0.0.1', path: '/ws/weather', toolProviders: [] },
    { author: 'acme', name: 'weather', version: '0.0.2', path: '/ws/weather-next', toolProviders: [] },
  ],
  yamlFiles: [],
};

const fs = files({
  '/ws/weather/tools/get_weather.py': 'import x\n\n    raise KeyError("k")\n',
  '/ws/weather-next/tools/get_weather.py': 'x\n',
  '/ws/weather/utils/client.py': 'def get():\n    return 1 / 0\n',
  '/ws/daemon/internal/core/plugin_manager/manager.go': 'package plugin_manager\n',
  '/elsewhere/tool.py': 'x\n',
});

const layoutFrame = (relativePath: string, line: number, version = '0.0.1'): SourceFrame => ({
  file: `/app/storage/cwd/acme/weather-${version}@${'a'.repeat(64)}/${relativePath}`,
  line,
  function: 'f',
  isUserCode: true,
  plugin: { author: 'acme', name: 'weather', version, relativePath },
});

describe('frame files', () => {
  it('maps a daemon install path to the plugin of the same version first', () => {
    assert.deepEqual(frameFiles(layoutFrame('tools/get_weather.py', 3), workspace, [], fs), [{ path: '/ws/weather/tools/get_weather.py', via: 'pluginLayout' }]);
    assert.deepEqual(
      frameFiles(layoutFrame('tools/get_weather.py', 3, '9.9.9'), workspace, [], fs).map((f) => f.path),
      ['/ws/weather/tools/get_weather.py', '/ws/weather-next/tools/get_weather.py'],
      'an unknown version: every copy, for the user to pick',
    );
    assert.deepEqual(frameFiles(layoutFrame('tools/missing.py', 3), workspace, [], fs), []);
  });

  it('uses the longest matching path mapping, and only it', () => {
    const mappings = [
      { from: '/home/dev', to: '/nowhere' },
      { from: '/home/dev/plugins/weather', to: '/ws/weather' },
    ];
    const frame: SourceFrame = { file: '/home/dev/plugins/weather/utils/client.py', line: 2, isUserCode: true };
    assert.deepEqual(frameFiles(frame, workspace, mappings, fs), [{ path: '/ws/weather/utils/client.py', via: 'pathMapping' }]);
    assert.equal(mapPath('/home/dev/plugins/weatherman/x.py', mappings), '/nowhere/plugins/weatherman/x.py', 'prefixes match whole segments');
    assert.equal(mapPath('C:\\build\\plugin\\tools\\a.py', [{ from: 'c:/build/plugin', to: '/ws/weather' }]), '/ws/weather/tools/a.py', 'Windows paths and drive case');
    assert.equal(mapPath('/home/dev/../etc/passwd', [{ from: '/home/dev', to: '/ws' }]), undefined, 'no climbing out of the target');
    // A mapping that matches but leads nowhere is not followed by a guess from the layout.
    assert.deepEqual(frameFiles(layoutFrame('tools/get_weather.py', 3), workspace, [{ from: '/app/storage/cwd', to: '/nowhere' }], fs), []);
  });

  it('opens a path inside a workspace folder as it is, and nothing outside', () => {
    assert.deepEqual(frameFiles({ file: '/ws/weather/utils/client.py', line: 2, isUserCode: true }, workspace, [], fs), [{ path: '/ws/weather/utils/client.py', via: 'workspacePath' }]);
    assert.deepEqual(frameFiles({ file: '/elsewhere/tool.py', line: 1, isUserCode: true }, workspace, [], fs), []);
    assert.deepEqual(frameFiles({ file: 'tools/get_weather.py', line: 1, isUserCode: true }, workspace, [], fs), [], 'a relative path is not guessed');
  });
});

describe('stack locations', () => {
  const python = (frames: SourceFrame[]): SourceStack => ({ language: 'python', exceptionType: 'KeyError', message: "'k'", frames });

  it('picks the innermost user frame (last in a Python traceback) and selects its statement', () => {
    const stack = python([
      { file: '/app/.venv/lib/python3.12/site-packages/dify_plugin/tool.py', line: 9, isUserCode: false },
      layoutFrame('tools/get_weather.py', 1),
      layoutFrame('tools/get_weather.py', 3),
      { file: '/usr/lib/python3.12/json/__init__.py', line: 2, isUserCode: false },
    ]);
    const result = stackLocations([stack], workspace, [], fs);
    assert.equal(result.problem, undefined);
    assert.equal(result.locations.length, 1);
    assert.deepEqual(result.locations[0]?.range, { start: { line: 2, character: 4 }, end: { line: 2, character: 23 } });
    assert.equal(result.locations[0]?.frameDepth, 0);
    assert.equal(result.locations[0]?.label, 'tools/get_weather.py:3 in f');
  });

  it('falls back to a caller in the workspace and says which frame was missing', () => {
    const stack = python([layoutFrame('tools/get_weather.py', 3), { file: '/opt/shared/lib.py', line: 7, function: 'helper', isUserCode: true }]);
    const result = stackLocations([stack], workspace, [], fs);
    assert.equal(result.locations[0]?.frameDepth, 1);
    assert.match(result.problem ?? '', /innermost frame of your code, \/opt\/shared\/lib\.py:7 in helper/);
  });

  it('explains an empty answer: no trace, only library frames, a plugin not in the workspace, an unmapped path', () => {
    assert.match(stackLocations([], workspace, [], fs).problem ?? '', /No stack trace/);
    assert.match(stackLocations([python([{ file: '/x/site-packages/httpx/a.py', line: 1, isUserCode: false }])], workspace, [], fs).problem ?? '', /None of the 1 stack frame/);
    const other: SourceFrame = { ...layoutFrame('a.py', 1), plugin: { author: 'other', name: 'p', version: '1.0.0', relativePath: 'a.py' } };
    assert.match(stackLocations([python([other])], workspace, [], fs).problem ?? '', /No folder in the workspace holds plugin other\/p 1\.0\.0/);
    assert.match(stackLocations([python([{ file: '/srv/app/x.py', line: 4, isUserCode: true }])], workspace, [], fs).problem ?? '', /difyTrace\.pathMappings/);
  });

  it('ranges a line without its indentation, honouring a column', () => {
    assert.deepEqual(lineTextRange('a\n    b = 1  \n', 2), { start: { line: 1, character: 4 }, end: { line: 1, character: 9 } });
    assert.deepEqual(lineTextRange('a\n    b = 1\n', 2, 9), { start: { line: 1, character: 8 }, end: { line: 1, character: 9 } });
    assert.deepEqual(lineTextRange(undefined, 3), { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } });
    assert.deepEqual(lineTextRange('one line', 40), { start: { line: 39, character: 0 }, end: { line: 39, character: 0 } });
  });
});

describe('paths from traces are data', () => {
  it('opens no file that a trace names inside a workspace folder but lies outside it once ".." and symbolic links are resolved', () => {
    const root = mkdtempSync(join(tmpdir(), 'contained-'));
    try {
      const ws = join(root, 'ws');
      mkdirSync(join(ws, 'tools'), { recursive: true });
      writeFileSync(join(root, 'secret.txt'), 'not yours\n');
      writeFileSync(join(ws, 'tools', 'ok.py'), 'x = 1\n');
      symlinkSync(join(root, 'secret.txt'), join(ws, 'tools', 'link.py'));
      const snapshot: WorkspaceSnapshot = { folders: [ws], pluginRoots: [], yamlFiles: [] };
      const at = (file: string): SourceFrame => ({ file, line: 1, isUserCode: true });
      assert.deepEqual(frameFiles(at(`${ws}/tools/../../secret.txt`), snapshot, [], nodeFileAccess), [], '.. out of the folder');
      assert.deepEqual(frameFiles(at(`${ws}/tools/link.py`), snapshot, [], nodeFileAccess), [], 'a symlink out of the folder');
      assert.deepEqual(frameFiles(at(`${ws}/tools/./ok.py`), snapshot, [], nodeFileAccess).map((f) => f.via), ['workspacePath'], 'a file inside still opens');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('applies POSIX and Windows rules alike', () => {
    const same = (p: string): string => p;
    assert.equal(containedPath('C:\\ws\\tools\\a.py', ['C:\\ws'], same), 'C:\\ws\\tools\\a.py');
    assert.equal(containedPath('c:\\WS\\tools\\a.py', ['C:\\ws'], same), 'c:\\WS\\tools\\a.py', 'drive letters and case do not matter on Windows');
    assert.equal(containedPath('C:\\ws\\..\\secret.txt', ['C:\\ws'], same), undefined);
    assert.equal(containedPath('C:\\wsother\\a.py', ['C:\\ws'], same), undefined, 'a sibling folder with the same prefix');
    assert.equal(containedPath('/ws/../etc/passwd', ['/ws'], same), undefined);
    assert.equal(containedPath('/wsother/a.py', ['/ws'], same), undefined);
    assert.equal(containedPath('/WS/a.py', ['/ws'], same), undefined, 'POSIX paths are case-sensitive');
    assert.equal(containedPath('relative/a.py', ['/ws'], same), undefined);
  });
});
