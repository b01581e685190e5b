// Replay Tool Call's script (issue 16): the plugin's tool class imported from its module, built with
// a ToolRuntime and Session, `_invoke` called with the recorded parameters (kept intact however they
// are quoted), credentials only from the environment, cut parameters marked. The script is compiled
// by python3 here; running it against the real dify_plugin SDK is the e2e test's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CREDENTIALS_ENV, moduleOf, toolCallScript, type ToolCallScriptInput } from '../../src/dify/replay/toolCallScript';

const base: ToolCallScriptInput = { pluginRoot: '/w/weather "plugin"', pythonSource: 'tools/get_weather.py', className: 'GetWeatherTool', parameters: { city: 'New "York"\\ \n', days: 3 }, tool: 'get_weather', pluginId: 'acme/weather', nodeTitle: 'Get\nWeather', appName: 'Travel Assistant', runId: 'r2' };

describe('toolCallScript (Replay Tool Call)', () => {
  it('imports the tool class from its module and calls _invoke with the recorded parameters', () => {
    const text = toolCallScript(base);
    assert.match(text, /^from tools\.get_weather import GetWeatherTool {2}# noqa: E402$/m);
    assert.match(text, /^PLUGIN_ROOT = "\/w\/weather \\"plugin\\""$/m);
    assert.match(text, /^tool = GetWeatherTool\(runtime=ToolRuntime\(credentials=credentials, user_id="dify-trace-replay", session_id=None\), session=session\)$/m);
    assert.ok(text.includes(`os.environ.get("${CREDENTIALS_ENV}")`), 'credentials from the environment');
    assert.ok(!/api_key|secret/i.test(text), 'no credential in the file');
    assert.ok(!/^Weather"/m.test(text), 'a title with a line break stays in its comment');
  });

  it('is valid Python whose parameters read back as recorded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tool-replay-'));
    const text = toolCallScript(base);
    const json = text.slice(text.indexOf('parameters = json.loads(r"""') + 'parameters = json.loads(r"""'.length, text.indexOf('""")'));
    const check = join(dir, 'check.py');
    writeFileSync(check, `import json, sys\nparameters = json.loads(r"""${json}""")\nprint(json.dumps(parameters))\n`);
    const ran = spawnSync('python3', [check], { encoding: 'utf8' });
    assert.equal(ran.status, 0, ran.stderr);
    assert.deepEqual(JSON.parse(ran.stdout), base.parameters);
    writeFileSync(join(dir, 'replay.py'), text);
    const compiled = spawnSync('python3', ['-m', 'py_compile', join(dir, 'replay.py')], { encoding: 'utf8' });
    assert.equal(compiled.status, 0, compiled.stderr);
  });

  it('marks parameters the trace cut, and refuses paths and names it cannot import', () => {
    assert.match(toolCallScript({ ...base, cutParameters: ['city'] }), /cut or redacted these parameters, so they may differ from what ran: city\./);
    assert.equal(moduleOf('./tools/get_weather.py'), 'tools.get_weather');
    assert.equal(moduleOf('tools/get-weather.py'), undefined);
    assert.throws(() => toolCallScript({ ...base, pythonSource: 'tools/get-weather.py' }), /not a Python module path/);
    assert.throws(() => toolCallScript({ ...base, className: 'Get Weather' }), /not a Python class name/);
  });
});
