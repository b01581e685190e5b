// Dify app DSL with source positions (src/dify/dsl): every line of every Code node's code, in every
// YAML scalar style, found in the file. Fixtures in test/fixtures/dsl were written by real PyYAML
// (make_fixtures.py, the way Dify exports) or by hand, and expected.json holds what PyYAML reads
// from them: the reference that both the `yaml` package and our decoder are held to.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { NODES } from '../demo/demoRuns';
import { CODE_FAILING_LINE, ITINERARY_CODE } from '../demo/sandbox';
import { decodeBlockScalar } from '../../src/dify/dsl/blockScalar';
import { codeLineRange, looksLikeDifyDsl, parseDifyDsl, type DifyDsl, type DslCode, type DslNode, type Position, type TextRange } from '../../src/dify/dsl/difyDsl';
import { decodeFlowContent } from '../../src/dify/dsl/flowScalar';

const here = dirname(fileURLToPath(import.meta.url));
const fixtureDir = join(here, '..', 'fixtures', 'dsl');
const CRLF = ' (CRLF)';
/** A fixture file; `name (CRLF)` is the same file with CR LF line ends, as a Windows checkout with core.autocrlf has it. */
function fixture(name: string): string {
  const text = readFileSync(join(fixtureDir, name.replace(CRLF, '')), 'utf8');
  return name.endsWith(CRLF) ? text.replace(/\r?\n/g, '\r\n') : text;
}
const pyyamlReads = JSON.parse(fixture('expected.json')) as Record<string, Record<string, string>>;
/** What PyYAML reads from each fixture (CR LF variants included: make_fixtures.py checks they read the same). */
const expected: Record<string, Record<string, string>> = {
  ...pyyamlReads,
  ...Object.fromEntries(Object.entries(pyyamlReads).map(([name, codes]) => [`${name}${CRLF}`, codes])),
};
const demoDslText = readFileSync(join(here, '..', 'demo', 'workspace', 'travel-assistant.yml'), 'utf8');

function parsed(text: string): DifyDsl {
  const result = parseDifyDsl(text);
  assert.ok(result.ok, result.ok ? '' : result.error);
  return result.dsl;
}

function nodeById(dsl: DifyDsl, id: string): DslNode {
  const node = dsl.nodes.find((n) => n.id === id);
  assert.ok(node, `node ${id}`);
  return node;
}

function codeOf(dsl: DifyDsl, id: string): DslCode {
  const code = nodeById(dsl, id).code;
  assert.ok(code, `code of node ${id}`);
  return code;
}

/** Offset of an LSP position in `text`, counting lines by `\n` the way VS Code does (a `\r` before it ends the line's text). */
function offsetOf(text: string, position: Position): number {
  let offset = 0;
  for (let line = 0; line < position.line; line++) {
    const next = text.indexOf('\n', offset);
    assert.notEqual(next, -1, `line ${position.line} exists`);
    offset = next + 1;
  }
  return offset + position.character;
}

const slice = (text: string, range: TextRange): string => text.slice(offsetOf(text, range.start), offsetOf(text, range.end));
/** Python's and JavaScript's indentation white space, as codeLineRange skips it. */
const trimIndent = (line: string): string => line.replace(/^[ \t\f]+/, '');

/** A piece of the file inside one scalar decoded on its own: by our decoder and, independently, by the `yaml` package. */
function decodePiece(code: DslCode, piece: string): { ours: string | undefined; library: string } {
  switch (code.style) {
    case 'double-quoted':
    case 'single-quoted': {
      const quote = code.style === 'double-quoted' ? '"' : "'";
      return { ours: decodeFlowContent(code.style, piece, 0, piece.length)?.value, library: parse(`${quote}${piece}${quote}`, { schema: 'failsafe' }) as string };
    }
    case 'plain':
      return { ours: decodeFlowContent('plain', piece, 0, piece.length)?.value, library: (parse(`k: ${piece}`, { schema: 'failsafe' }) as { k: string }).k };
    case 'literal':
      assert.ok(!piece.includes('\n'), 'a literal line is one file line');
      return { ours: piece, library: piece };
    case 'folded': {
      // Give the first line back the content indentation the range starts after; `>-` adds no line feed.
      const indent = decodeBlockScalar(code.source, code.parentIndent)?.indent ?? 0;
      const block = `>-\n${' '.repeat(indent)}${piece}\n`;
      return { ours: decodeBlockScalar(block, 0)?.value, library: parse(block, { schema: 'failsafe' }) as string };
    }
  }
}

/**
 * The file text from the scalar's start to `offset`, plus `tail`, read by the `yaml` package as a
 * scalar of the same style (a block scalar keeps its indentation under a key at the same column,
 * and strips its last line break). Reading whole prefixes pins each end of a range absolutely,
 * where a line's own text could not tell a misplaced line feed from a right one.
 */
function readPrefix(code: DslCode, text: string, offset: number, tail: string): string {
  const prefix = text.slice(offsetOf(text, code.start), offset) + tail;
  switch (code.style) {
    case 'double-quoted':
      return parse(`${prefix}"`, { schema: 'failsafe' }) as string;
    case 'single-quoted':
      return parse(`${prefix}'`, { schema: 'failsafe' }) as string;
    case 'plain':
      return (parse(`k: ${prefix}`, { schema: 'failsafe' }) as { k: string }).k;
    case 'literal':
    case 'folded': {
      const header = prefix.replace(/^([|>])([1-9]?)[-+]?([1-9]?)/, (_all, indicator: string, a: string, b: string) => `${indicator}${a}${b}-`);
      return (parse(`${' '.repeat(code.parentIndent)}k: ${header}`, { schema: 'failsafe' }) as { k: string }).k;
    }
  }
}

const leadingBlanks = (line: string): string => /^[ \t\f]*/.exec(line)?.[0] ?? '';

const FIXTURES = Object.keys(expected);
/** The one code where the `yaml` package departs from the YAML spec and PyYAML (see codeLineRange). */
const LIBRARY_DEVIATIONS = new Set(['hand-blocks.yml h13', `hand-blocks.yml${CRLF} h13`]);

describe('codeLineRange over every fixture', () => {
  it('has fixtures of every style, generated and hand-written', () => {
    const styles = new Set(FIXTURES.flatMap((name) => parsed(fixture(name)).nodes.flatMap((n) => (n.code ? [n.code.style] : []))));
    assert.deepEqual([...styles].sort(), ['double-quoted', 'folded', 'literal', 'plain', 'single-quoted']);
    assert.ok(FIXTURES.length >= 10);
    assert.ok(fixture(`pyyaml-double.yml${CRLF}`).includes('\\\r\n'), 'CR LF after a fold');
  });

  for (const name of FIXTURES) {
    describe(name, () => {
      const text = fixture(name);
      const dsl = parsed(text);
      for (const [id, pyyamlCode] of Object.entries(expected[name] ?? {})) {
        const code = codeOf(dsl, id);
        const deviation = LIBRARY_DEVIATIONS.has(`${name} ${id}`);

        it(`${id} (${code.style}): the yaml package and our decoder read what PyYAML reads`, () => {
          const ours = code.style === 'literal' || code.style === 'folded' ? decodeBlockScalar(code.source, code.parentIndent) : code.style === 'plain' ? decodeFlowContent('plain', code.source, 0, code.source.length) : decodeFlowContent(code.style, code.source, 1, code.source.length - 1);
          assert.equal(ours?.value, pyyamlCode, 'our decoder');
          if (deviation) assert.notEqual(code.text, pyyamlCode, 'the yaml package now follows the spec here: drop the deviation');
          else assert.equal(code.text, pyyamlCode, 'the yaml package');
          assert.equal(slice(text, { start: code.start, end: code.start }), '');
          assert.equal(text.slice(offsetOf(text, code.start), offsetOf(text, code.start) + code.source.length), code.source, 'start and source agree');
        });

        if (deviation) {
          it(`${id}: where the yaml package departs from the spec, every line falls back to the scalar's start, flagged`, () => {
            const lines = code.text.split('\n');
            for (let n = 1; n <= lines.length; n++) assert.deepEqual(codeLineRange(code, n), { range: { start: code.start, end: code.start }, exact: false });
          });
          continue;
        }

        it(`${id} (${code.style}): the file text in each line's range decodes to that line`, () => {
          const lines = code.text.split('\n');
          const scalarStart = offsetOf(text, code.start);
          for (let n = 1; n <= lines.length; n++) {
            const mapped = codeLineRange(code, n);
            assert.ok(mapped, `line ${n}`);
            assert.equal(mapped.exact, true, `line ${n} exact`);
            const [from, to] = [offsetOf(text, mapped.range.start), offsetOf(text, mapped.range.end)];
            assert.ok(scalarStart <= from && from <= to && to <= scalarStart + code.source.length, `line ${n} lies in the scalar`);
            const line = lines[n - 1] ?? '';
            const decoded = decodePiece(code, text.slice(from, to));
            assert.equal(decoded.ours, trimIndent(line), `line ${n} by our decoder`);
            assert.equal(decoded.library, trimIndent(line), `line ${n} by the yaml package`);
            // Everything before the range's start is the lines before it and this line's indentation; up to its end, the lines up to it.
            const before = lines.slice(0, n - 1).join('\n') + (n > 1 ? '\n' : '');
            const blank = trimIndent(line) === '';
            // A blank line's position cannot be followed by a sentinel in plain and block scalars (it would change how the lines fold).
            if (!blank || code.style === 'double-quoted' || code.style === 'single-quoted') {
              assert.equal(readPrefix(code, text, from, 'Z'), `${before}${leadingBlanks(line)}Z`, `text before line ${n}`);
              assert.equal(readPrefix(code, text, to, ''), lines.slice(0, n).join('\n'), `text up to the end of line ${n}`);
            }
            // Outside double quotes a line feed is written as a line break: a blank line (but an empty last one, after the last break) is on a blank file line.
            if (blank && n < lines.length && code.style !== 'double-quoted') assert.match(text.split('\n')[mapped.range.start.line] ?? '', /^\s*$/, `blank line ${n} on a blank file line`);
            // In a literal block, code line n is file line n after the header, blank or not.
            if (code.style === 'literal') assert.equal(mapped.range.start.line, code.start.line + n, `line ${n} on its own file line`);
          }
          assert.equal(codeLineRange(code, lines.length + 1), undefined);
        });
      }
    });
  }
});

describe('codeLineRange positions', () => {
  const text = fixture('pyyaml-double.yml');
  const fileLines = text.split('\n');
  const code = codeOf(parsed(text), '1001');

  it('spans the fold when PyYAML broke the line with an escaped line break', () => {
    // Line 2, `days = forecast[0]["forecast"] if ...`, is cut after `[\"` and goes on on the next file line.
    const range = codeLineRange(code, 2)?.range;
    assert.ok(range);
    assert.equal(range.start.line, code.start.line);
    assert.equal(fileLines[range.start.line]?.slice(range.start.character, range.start.character + 10), 'days = for');
    assert.equal(range.end.line, code.start.line + 1);
    assert.equal(fileLines[range.end.line]?.slice(0, range.end.character).trim(), 'forecast\\"] if forecast else []');
  });

  it('starts after the escaped spaces of an indentation cut by a fold', () => {
    // Line 7 is `        todo = ...`: `\n   \` ends one file line (3 spaces), `\     todo` starts the next (an escaped space and 4 more).
    const range = codeLineRange(code, 7)?.range;
    assert.ok(range);
    const line = fileLines[range.start.line] ?? '';
    assert.match(line, /^ +\\ {5}todo/);
    assert.equal(range.start.character, line.indexOf('todo'));
  });

  it('maps a literal block line by line, and an empty line to its own file line', () => {
    const hand = fixture('hand-blocks.yml');
    const h02 = codeOf(parsed(hand), 'h02');
    const handLines = hand.split('\n');
    const first = codeLineRange(h02, 1)?.range;
    assert.deepEqual(first, { start: { line: h02.start.line + 1, character: 10 }, end: { line: h02.start.line + 1, character: 10 + 'def main() -> dict:'.length } });
    const empty = codeLineRange(h02, 2)?.range;
    assert.deepEqual(empty?.start, empty?.end);
    assert.equal(empty?.start.line, h02.start.line + 2);
    assert.equal(handLines[h02.start.line + 3]?.slice(codeLineRange(h02, 3)?.range.start.character), 'return {}');
  });

  it('counts characters in UTF-16 units and lines by \\n in a CRLF file', () => {
    const lf = codeOf(parsed(fixture('pyyaml-double.yml')), '1003');
    const crlf = codeOf(parsed(fixture(`pyyaml-double.yml${CRLF}`)), '1003');
    for (let n = 1; n <= lf.text.split('\n').length; n++) assert.deepEqual(codeLineRange(crlf, n), codeLineRange(lf, n), `line ${n}`);
  });

  it('is undefined for lines the code does not have', () => {
    // The code ends with a line feed: the empty 10th line after it is a line too (an empty range before the closing quote), the 11th is not.
    assert.equal(code.text.split('\n').length, 10);
    for (const line of [0, -1, 1.5, Number.NaN, 11]) assert.equal(codeLineRange(code, line), undefined, String(line));
    const last = codeLineRange(code, 10)?.range;
    assert.ok(last);
    assert.deepEqual(last.start, last.end);
    assert.equal(text.slice(offsetOf(text, last.start), offsetOf(text, last.start) + 1), '"');
  });
});

describe('the demo DSL (test/demo/workspace/travel-assistant.yml)', () => {
  const dsl = parsed(demoDslText);

  it('is written the way Dify exports: the code double-quoted, as PyYAML dumps it', () => {
    assert.ok(looksLikeDifyDsl(demoDslText));
    assert.deepEqual([dsl.appName, dsl.appMode, dsl.dslVersion], ['Travel Assistant', 'workflow', '0.6.0']);
    assert.equal(dsl.nodes.length, 6);
    assert.deepEqual(dsl.duplicateNodeIds, []);
    const code = codeOf(dsl, NODES.code.id);
    assert.equal(code.style, 'double-quoted');
    assert.equal(code.language, 'python3');
    assert.equal(code.text, ITINERARY_CODE);
  });

  it('maps the failing line of the Code node into the file', () => {
    const code = codeOf(dsl, NODES.code.id);
    const mapped = codeLineRange(code, CODE_FAILING_LINE);
    assert.ok(mapped?.exact);
    assert.equal(decodeFlowContent('double-quoted', slice(demoDslText, mapped.range), 0, slice(demoDslText, mapped.range).length)?.value, trimIndent(ITINERARY_CODE.split('\n')[CODE_FAILING_LINE - 1] ?? ''));
  });

  it('gives each node its item range and the tool node its plugin', () => {
    const lines = demoDslText.split('\n');
    const node = nodeById(dsl, NODES.code.id);
    assert.equal(node.title, NODES.code.title);
    assert.equal(node.type, 'code');
    assert.equal(lines[node.range.start.line]?.slice(node.range.start.character), 'data:');
    assert.equal(lines[node.range.end.line]?.slice(0, node.range.end.character).trim(), 'width: 244');
    const tool = dsl.nodes.find((n) => n.type === 'tool');
    assert.deepEqual(tool?.tool, {
      providerId: 'acme/weather/weather',
      providerName: 'acme/weather/weather',
      providerType: 'plugin',
      toolName: 'get_weather',
      toolLabel: 'Get Weather',
      pluginUniqueIdentifier: 'acme/weather:0.0.1@73ee6de12b449394005109e1895b71125771034ad6004dae8c06c13a243e0297',
    });
    assert.equal(tool?.code, undefined);
    assert.ok(dsl.nodes.filter((n) => n.type !== 'code').every((n) => n.code === undefined));
  });
});

describe('parseDifyDsl on other files', () => {
  const minimal = (nodes: string, extra = ''): string => `app:\n  mode: workflow\n  name: T\nkind: app\nversion: 0.1.5\n${extra}workflow:\n  graph:\n    nodes:\n${nodes}`;

  it('lists duplicate node ids once each and keeps every node', () => {
    const dsl = parsed(minimal(`    - id: a\n      data: {type: start, title: S}\n    - id: b\n      data: {type: end}\n    - id: a\n      data: {type: code, title: Again, code: 'x = 1'}\n    - id: a\n      data: {}\n`));
    assert.deepEqual(dsl.nodes.map((n) => n.id), ['a', 'b', 'a', 'a']);
    assert.deepEqual(dsl.duplicateNodeIds, ['a']);
    assert.equal(dsl.nodes[2]?.code?.text, 'x = 1');
    assert.equal(dsl.nodes[2]?.code?.style, 'single-quoted');
  });

  it('reads nodes inside iterations, numeric ids as written, the last of a repeated key, and skips items without an id', () => {
    const dsl = parsed(minimal(`    - id: 1747900000001\n      data: {type: iteration, title: Loop}\n    - id: '17479000000010start'\n      parentId: 1747900000001\n      data:\n        type: iteration-start\n        title: Old\n        title: New\n    - data: {type: code, code: x}\n    - just a string\n`));
    assert.deepEqual(dsl.nodes.map((n) => [n.id, n.parentId, n.title]), [['1747900000001', undefined, 'Loop'], ['17479000000010start', '1747900000001', 'New']]);
  });

  it('reads a chat app DSL as an app without nodes', () => {
    const chat = `app:\n  mode: chat\n  name: Helper\nkind: app\nmodel_config:\n  pre_prompt: 'You are helpful.'\n  model: {provider: langgenius/openai/openai, name: gpt-4o}\nversion: 0.6.0\n`;
    assert.ok(looksLikeDifyDsl(chat));
    assert.deepEqual(parseDifyDsl(chat), { ok: true, dsl: { appName: 'Helper', appMode: 'chat', dslVersion: '0.6.0', nodes: [], duplicateNodeIds: [] } });
  });

  it('leaves code out of a Code node without a string `code`, and of other node types', () => {
    const dsl = parsed(minimal(`    - id: c1\n      data: {type: code, title: Empty}\n    - id: c2\n      data: {type: code, code: [1, 2]}\n    - id: t1\n      data: {type: template-transform, code: not code}\n`));
    assert.deepEqual(dsl.nodes.map((n) => n.code), [undefined, undefined, undefined]);
    assert.deepEqual(dsl.nodes.map((n) => n.type), ['code', 'code', 'template-transform']);
  });

  it('says why a file is not an app DSL, and where YAML breaks', () => {
    const cases: [string, RegExp][] = [
      [fixture('../../demo/workspace/weather-plugin/manifest.yaml'), /^not a Dify app DSL \(no `kind: app`\)$/],
      ['kind: rag_pipeline\nrag_pipeline: {name: x}\n', /`kind: rag_pipeline`, not `kind: app`/],
      ['- kind: app\n', /the file is a sequence, not a mapping/],
      ['', /the file is empty/],
      ['# only a comment\n', /the file is empty/],
      ['just text', /the file is a scalar/],
      ['app:\n  name: x\nkind: app\nworkflow:\n  graph:\n    nodes:\n    - id: a\n     data: {}\n', /^invalid YAML: .* at line \d+, column \d+$/],
      ['kind: app\napp: {name: "unterminated}\n', /^invalid YAML: .*line \d+/],
      ['a: 1\n---\nb: 2\n', /^invalid YAML: .*multiple documents/],
    ];
    for (const [text, error] of cases) {
      const result = parseDifyDsl(text);
      assert.equal(result.ok, false, text);
      if (!result.ok) assert.match(result.error, error);
    }
  });

  it('never throws, on any cut of any fixture', () => {
    for (const name of [...FIXTURES, '../../demo/workspace/travel-assistant.yml']) {
      const text = fixture(name);
      for (let cut = 0; cut < text.length; cut += 97) {
        const result = parseDifyDsl(text.slice(0, cut));
        if (!result.ok) continue;
        for (const node of result.dsl.nodes) {
          if (!node.code) continue;
          const count = node.code.text.split('\n').length;
          for (let n = 1; n <= count + 1; n++) codeLineRange(node.code, n);
        }
      }
    }
  });
});

describe('looksLikeDifyDsl', () => {
  it('accepts exports and hand-edited DSLs, LF or CRLF, and turns down other YAML', () => {
    for (const name of FIXTURES) assert.ok(looksLikeDifyDsl(fixture(name)), name);
    assert.ok(looksLikeDifyDsl("app:\r\n  name: x\r\nkind: 'app'  # exported\r\n"));
    assert.ok(looksLikeDifyDsl(`\uFEFF${demoDslText}`), 'after a byte order mark');
    assert.ok(parseDifyDsl(`\uFEFF${demoDslText}`).ok);
    assert.ok(!looksLikeDifyDsl(fixture('../../demo/workspace/weather-plugin/manifest.yaml')));
    assert.ok(!looksLikeDifyDsl('app:\n  kind: app\n'), 'kind must be at the top level');
    assert.ok(!looksLikeDifyDsl('kind: app\n'), 'an app mapping is needed too');
    assert.ok(!looksLikeDifyDsl('kind: application\napp:\n'));
    assert.ok(!looksLikeDifyDsl(''));
  });
});
