// A plugin project's files, from manifest.yaml to the `def _invoke` line of each tool
// (src/dify/pluginProject.ts): the demo plugin, a real-shaped multi-tool plugin in
// test/fixtures/pluginProject, bad YAML, and the Python shapes findToolClasses must see through.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PLUGIN_SOURCE } from '../demo/plugin';
import { pythonStatements } from '../../src/dify/plugin/pythonStatements';
import { findToolClasses, readPluginManifest, readToolDeclaration, readToolProvider, type ToolClass } from '../../src/dify/pluginProject';

const here = dirname(fileURLToPath(import.meta.url));

/** Every tool of the plugin at `root`, walked the way the SDK loads it: manifest → providers → tools → Python file → its Tool class. */
function walkPlugin(root: string): { plugin: string; provider: string; tool: string; file: string; classes: ToolClass[] }[] {
  const read = (path: string): string => readFileSync(join(root, path), 'utf8');
  const manifest = readPluginManifest(read('manifest.yaml'));
  assert.ok(manifest.ok, manifest.ok ? '' : manifest.error);
  return manifest.toolProviders.flatMap((providerPath) => {
    const provider = readToolProvider(read(providerPath));
    assert.ok(provider.ok && provider.name, providerPath);
    return provider.tools.map((toolPath) => {
      const tool = readToolDeclaration(read(toolPath));
      assert.ok(tool.ok && tool.name && tool.pythonSource, toolPath);
      return { plugin: `${manifest.author}/${manifest.name}@${manifest.version}`, provider: provider.name ?? '', tool: tool.name, file: tool.pythonSource, classes: findToolClasses(read(tool.pythonSource)) };
    });
  });
}

/** The 1-based line `n` of `text`. */
const lineOf = (text: string, n: number): string => text.split(/\r?\n/)[n - 1] ?? '';

describe('the demo plugin (test/demo/workspace/weather-plugin)', () => {
  const root = join(here, '..', 'demo', 'workspace', 'weather-plugin');

  it('leads from the manifest to GetWeatherTool._invoke, the method holding the failing line', () => {
    const tools = walkPlugin(root);
    assert.deepEqual(tools, [{ plugin: 'acme/weather@0.0.1', provider: 'weather', tool: 'get_weather', file: PLUGIN_SOURCE.file, classes: [{ className: 'GetWeatherTool', classLine: 10, invokeLine: 11 }] }]);
    const python = readFileSync(join(root, PLUGIN_SOURCE.file), 'utf8');
    assert.match(lineOf(python, 11), /^ {4}def _invoke\(self, tool_parameters/);
    assert.ok(PLUGIN_SOURCE.line > 11);
  });

  it('reads the provider file the way the SDK does', () => {
    assert.deepEqual(readToolProvider(readFileSync(join(root, 'provider', 'weather.yaml'), 'utf8')), {
      ok: true,
      name: 'weather',
      tools: ['tools/get_weather.yaml'],
      pythonSource: 'provider/weather.py',
      // credentials_for_provider: what the tool's runtime gets (Replay Tool Call asks for them).
      credentials: [
        { name: 'api_base', secret: false, required: true },
        { name: 'api_key', secret: true, required: true },
      ],
    });
  });
});

describe('a multi-tool plugin (test/fixtures/pluginProject/translate-plugin)', () => {
  const root = join(here, '..', 'fixtures', 'pluginProject', 'translate-plugin');
  const tools = walkPlugin(root);

  it('reads quoted scalars, comments after values and flow lists', () => {
    const manifest = readPluginManifest(readFileSync(join(root, 'manifest.yaml'), 'utf8'));
    assert.deepEqual(manifest, { ok: true, author: 'acme-labs', name: 'translate', version: '0.2.1', toolProviders: ['provider/translate.yaml'] });
  });

  it('finds one Tool class per tool file, and its _invoke past decorators, nested classes, docstrings and aliases', () => {
    assert.deepEqual(
      tools.map((t) => [t.tool, t.file, t.classes.map((c) => c.className)]),
      [
        ['translate_text', 'tools/translate_text.py', ['TranslateTextTool']],
        ['detect_language', 'tools/detect_language.py', ['DetectLanguageTool']],
        ['list_languages', 'tools/list_languages.py', ['ListLanguagesTool']],
      ],
    );
    for (const { file, classes } of tools) {
      const python = readFileSync(join(root, file), 'utf8');
      const [found] = classes;
      assert.ok(found?.invokeLine, file);
      assert.match(lineOf(python, found.classLine), new RegExp(`^class ${found.className}\\b`), file);
      assert.match(lineOf(python, found.invokeLine), /^ {4}def _invoke\(/, file);
      assert.ok(!/\) -> None/.test(lineOf(python, found.invokeLine)), `${file}: not the nested class's _invoke`);
    }
  });

  it('finds the same lines in the same files with CR LF line ends', () => {
    for (const { file, classes } of tools) {
      const crlf = readFileSync(join(root, file), 'utf8').replace(/\r?\n/g, '\r\n');
      assert.deepEqual(findToolClasses(crlf), classes, file);
    }
  });

  it('finds no Tool class in the provider file (a ToolProvider)', () => {
    assert.deepEqual(findToolClasses(readFileSync(join(root, 'provider', 'translate.py'), 'utf8')), []);
  });
});

describe('plugin YAML that is not what it should be', () => {
  it('says where a manifest does not parse, and never throws', () => {
    const broken = 'author: acme\nname: [weather\nversion: 0.0.1\n';
    const result = readPluginManifest(broken);
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.error, /^invalid YAML: .*line \d+, column \d+/);
    for (const text of ['', '# nothing\n', '- a\n- b\n', 'just a string', '{', '\t\tauthor: x', 'author: &a x\nname: *a\n']) {
      for (const read of [readPluginManifest, readToolProvider, readToolDeclaration]) assert.doesNotThrow(() => read(text), text);
    }
    assert.deepEqual(readPluginManifest('- a\n'), { ok: false, error: 'not a plugin manifest: the file is a sequence, not a mapping' });
    assert.deepEqual(readPluginManifest(''), { ok: false, error: 'not a plugin manifest: the file is empty, not a mapping' });
    assert.deepEqual(readToolDeclaration('identity'), { ok: false, error: 'not a tool declaration: the file is a scalar, not a mapping' });
  });

  it('reads what is there and leaves out the rest', () => {
    assert.deepEqual(readPluginManifest('type: plugin\n'), { ok: true, toolProviders: [] });
    // Typed without quotes, a version is a number to YAML; it is kept as written.
    assert.deepEqual(readPluginManifest('author: acme\nname: w\nversion: 1.10\nplugins:\n  tools:\n    - p.yaml\n    - {not: a path}\n    - 7\n'), { ok: true, author: 'acme', name: 'w', version: '1.10', toolProviders: ['p.yaml', '7'] });
    assert.deepEqual(readToolProvider('identity: {name: p}\ntools: tools/one.yaml\n'), { ok: true, name: 'p', tools: [], credentials: [] });
    assert.deepEqual(readToolProvider('credentials_for_provider:\n  token: {type: secret-input}\n  region: text\n'), { ok: true, tools: [], credentials: [{ name: 'token', secret: true, required: false }, { name: 'region', secret: false, required: false }] });
    assert.deepEqual(readToolDeclaration('identity:\n  name: t\nextra:\n  python: {}\n'), { ok: true, name: 't' });
    // PyYAML keeps the last of a repeated key.
    assert.deepEqual(readToolDeclaration('identity: {name: old, name: new}\n'), { ok: true, name: 'new' });
  });
});

describe('findToolClasses', () => {
  const lines = (...text: string[]): string => `${text.join('\n')}\n`;

  it('puts the lens on the def line of a multi-line, decorated, async or one-line _invoke', () => {
    const python = lines(
      'from dify_plugin import Tool', //                               1
      '',
      'class Decorated(Tool):', //                                      3
      '    @staticmethod_like(',
      '        "x",',
      '    )',
      '    def _invoke(',  //                                           7
      '        self,',
      '        tool_parameters: dict,  # (a comment with a paren',
      '    ) -> Generator[ToolInvokeMessage, None, None]:',
      '        yield from ()',
      '',
      'class Spaced  (  Tool  )  :', //                                 13
      '    async   def _invoke(self, p): pass', //                      14
    );
    assert.deepEqual(findToolClasses(python), [
      { className: 'Decorated', classLine: 3, invokeLine: 7 },
      { className: 'Spaced', classLine: 13, invokeLine: 14 },
    ]);
  });

  it('skips a nested class, a method of a nested function, and a deeper _invoke, for the class body level', () => {
    const python = lines(
      'from dify_plugin import Tool',
      'class T(Tool):', //                                              2
      '    class Inner:',
      '        def _invoke(self): pass',
      '    def helper(self):',
      '        def _invoke(): pass',
      '        return _invoke',
      '    def _invoke(self, tool_parameters):', //                       8
      '        pass',
    );
    assert.deepEqual(findToolClasses(python), [{ className: 'T', classLine: 2, invokeLine: 8 }]);
  });

  it('ignores Tool in strings, comments and docstrings, and classes that are not at module level', () => {
    const python = lines(
      'from dify_plugin import Tool',
      '# class InComment(Tool):',
      'SNIPPET = """',
      'class InTripleQuotes(Tool):',
      '    def _invoke(self, p): pass',
      '"""',
      "OTHER = 'class InQuotes(Tool):'",
      'RAW = r"\\" class Escaped(Tool):"',
      'def factory():',
      '    class InFunction(Tool):',
      '        def _invoke(self, p): pass',
      '    return InFunction',
      'if True:',
      '    class InIf(Tool): pass',
      'class NotATool(ToolProvider): pass',
      'class Mentions(Base):  # derives from Tool? no',
      '    x = Tool',
    );
    assert.deepEqual(findToolClasses(python), []);
  });

  it('lists two tool classes of one file (the SDK refuses such a file; the caller must not guess)', () => {
    const python = lines('import dify_plugin', 'class A(dify_plugin.Tool):', '    def _invoke(self, p): pass', 'class B(dify_plugin.interfaces.tool.Tool):', '    pass');
    assert.deepEqual(findToolClasses(python), [
      { className: 'A', classLine: 2, invokeLine: 3 },
      { className: 'B', classLine: 4 },
    ]);
  });

  it('follows the file\'s imports: aliases, multi-line import lists, a Tool from another library, subclasses of a tool class', () => {
    assert.deepEqual(findToolClasses(lines('from dify_plugin import (', '    ToolProvider,', '    Tool as SdkTool,', ')', 'class A(SdkTool, metaclass=Meta):', '    pass')).map((c) => c.className), ['A']);
    assert.deepEqual(findToolClasses(lines('from langchain.tools import Tool', 'class A(Tool):', '    def _invoke(self, p): pass')), []);
    assert.deepEqual(findToolClasses(lines('import dify_plugin.interfaces.tool as t', 'class A(t.Tool): pass', 'class B(sdk.Tool): pass')).map((c) => c.className), ['A']);
    assert.deepEqual(findToolClasses(lines('from dify_plugin import Tool', 'class Child(Base): pass', 'class Base(Tool): pass', 'class Other(object): pass')).map((c) => c.className), ['Child', 'Base']);
    assert.deepEqual(findToolClasses(lines('from dify_plugin import Tool', 'class G[T](', '    Tool,', '    Generic[T],', '):', '    def _invoke(self, p): pass')), [{ className: 'G', classLine: 2, invokeLine: 6 }]);
  });

  it('counts lines through backslash continuations, strings with line breaks, and CR LF', () => {
    const python = ['from dify_plugin \\', '    import Tool', 'X = """a', 'b"""', "Y = 'unterminated", 'class A(Tool):', '    def _invoke(self, p):', '        pass'].join('\r\n');
    assert.deepEqual(findToolClasses(python), [{ className: 'A', classLine: 6, invokeLine: 7 }]);
    assert.deepEqual(findToolClasses(''), []);
  });
});

describe('pythonStatements', () => {
  it('joins bracketed and continued lines, empties strings and drops comments', () => {
    assert.deepEqual(pythonStatements('a = (1,\n  "x)")  # c\n\tif b: \\\n  pass\n# only a comment\n\n'), [
      { line: 1, indent: 0, code: 'a = (1,   "")' },
      { line: 3, indent: 8, code: 'if b:    pass' },
    ]);
  });
});
