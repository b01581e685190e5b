/**
 * The "Build Itinerary" Code node: its Python source (also in workspace/travel-assistant.yml) and the
 * error Dify records when dify-sandbox runs it in run 3.
 */

/** User code as stored in the DSL's `code` (Dify exports it double-quoted; the string ends with a newline). Line 4 divides by len(days). */
export const ITINERARY_CODE = [
  'def main(forecast: list, places: str) -> dict:',
  '    days = forecast[0]["forecast"] if forecast else []',
  '    stops = [line.strip("-* ").strip() for line in places.splitlines() if line.strip()]',
  '    per_day = len(stops) // len(days)',
  '    lines = []',
  '    for i, day in enumerate(days):',
  '        todo = ", ".join(stops[i * per_day : (i + 1) * per_day])',
  `        lines.append(f"{day['date']} ({day['summary']}, {day['low']}..{day['high']}): {todo}")`,
  '    return {"itinerary": "\\n".join(lines)}',
  '',
].join('\n');

export const CODE_FAILING_LINE = 4;

/**
 * Runner line of `output_obj = main(**inputs_obj)`: the user code replaces line 1 of the runner
 * (langgenius/dify:api/core/helper/code_executor/python3/python3_transformer.py), so with
 * U = len(code.split('\n')) the call sits on line U + 9.
 */
const RUNNER_MAIN_CALL_LINE = ITINERARY_CODE.split('\n').length + 9;

/**
 * data.error of the sandbox response, which Dify's CodeExecutor raises as the node error unchanged:
 * "process exited with code N" + "\n" + stderr (langgenius/dify-sandbox@a94a466:internal/service/run_code.go
 * buildExecutionError). stderr is the prescript's sys.excepthook output (internal/core/runner/python/prescript.py);
 * the prescript is written to /var/sandbox/sandbox-python/tmp/{uuid with _}.py (python.go InitializeEnvironment),
 * and with Dify's empty preload its `exec(compile(code, "<fd3>", "exec"))` is line 36; sys.exit(-1) gives
 * exit code 255. Text checked by running that prescript and Dify's runner under CPython 3.13.
 */
export function sandboxError(prescriptName: string): string {
  return [
    'process exited with code 255',
    'Traceback (most recent call last):',
    `  File "/var/sandbox/sandbox-python/tmp/${prescriptName}.py", line 36, in <module>`,
    '    exec(compile(code, "<fd3>", "exec"))',
    '    ~~~~^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
    `  File "<fd3>", line ${RUNNER_MAIN_CALL_LINE}, in <module>`,
    `  File "<fd3>", line ${CODE_FAILING_LINE}, in main`,
    'ZeroDivisionError: integer division or modulo by zero',
    '',
  ].join('\n');
}
