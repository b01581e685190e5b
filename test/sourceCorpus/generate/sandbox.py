"""Code node (dify-sandbox) failures, produced by really running the code the way Dify + dify-sandbox do.

Dify (api/core/helper/code_executor) pastes the node's code into a runner script by plain str.replace
of the placeholder (python3_transformer.py / javascript_transformer.py, see RUNNER_* below), and
dify-sandbox runs that runner:
- Python: the prescript (internal/core/runner/python/prescript.py, `{{preload}}` -> "\n" for Dify's empty
  preload) is written to /var/sandbox/sandbox-python/tmp/<uuid with _>.py and started with
  argv[1] = /var/sandbox/sandbox-python, cwd there; the runner arrives on fd 3 and is run by
  `exec(compile(code, "<fd3>", "exec"))`; an uncaught exception goes through the prescript's
  sys.excepthook (traceback.format_exception to stderr, sys.exit(-1) -> exit code 255).
- JavaScript: the prescript (internal/core/runner/nodejs/prescript.js) is written to
  /tmp/sandbox-<uuid>/var/sandbox/sandbox-nodejs/nodejs-project/node_temp/node_temp/test.js and run as
  `node test.js <uid> <gid> <options json>`; it reads the runner from fd 3 and eval()s it.
- The node error is data.error of the sandbox response: "process exited with code N" + "\n" + stderr
  (internal/service/run_code.go buildExecutionError).
"Minus seccomp": the prescripts are reconstructed here (prescript_py / prescript_js) without the seccomp
library, keeping the line that runs the user code on its real line number (the only prescript line a
traceback shows).
Old sandbox (before langgenius/dify-sandbox ae79985, April 2026): the prescript decoded the code and ran
`exec(code)` (frames `File "<string>"`), the Node prescript had `eval(Buffer.from('<b64>', 'base64')...)`
appended to its last line, and the error text was stderr alone (RunCodeResponse.Stderr `json:"error"`).
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import yaml

from common import ROOT, WORKSPACE, fresh_dir, node_version, strip_root, write_case
from dsl_lines import code_line_in_dsl

PY313 = os.environ.get("SANDBOX_PYTHON", str(Path.home() / ".pyenv/versions/3.13.0/bin/python3.13"))
NODE = os.environ.get("NODE", "node")
PY_LIB = "/var/sandbox/sandbox-python"
PY_PRESCRIPT_NAME = "5f0c8a2e_91d4_4b7e_a3c6_2d8e7f104b59"  # a fixed uuid4, '-' -> '_'
NODE_TMP = "/tmp/sandbox-0b6f3e1c-7d2a-4c55-9e08-a1f4c6d2e937"
NODE_SCRIPT = NODE_TMP + "/var/sandbox/sandbox-nodejs/nodejs-project/node_temp/node_temp/test.js"

# langgenius/dify api/core/helper/code_executor/python3/python3_transformer.py (dedent of the f-string:
# the code placeholder is line 1, `output_obj = main(**inputs_obj)` is line U + 9).
RUNNER_PY = """{{code}}

import json
from base64 import b64decode

# decode and prepare input dict
inputs_obj = json.loads(b64decode('{{inputs}}').decode('utf-8'))

# execute main function
output_obj = main(**inputs_obj)

# convert output to json and print
output_json = json.dumps(output_obj, indent=4)
result = f'''<<RESULT>>{output_json}<<RESULT>>'''
print(result)
"""
# .../javascript/javascript_transformer.py: the f-string starts with a newline, so the runner's line 1 is
# empty, line 2 the comment, the code starts on line 3 (runner line = user line + 2).
RUNNER_JS = """
// declare main function
{{code}}

// decode and prepare input object
var inputs_obj = JSON.parse(Buffer.from('{{inputs}}', 'base64').toString('utf-8'))

// execute main function
var output_obj = main(inputs_obj)

// convert output to json and print
var output_json = JSON.stringify(output_obj)
var result = `<<RESULT>>${output_json}<<RESULT>>`
console.log(result)
"""
# Older Dify (langgenius/dify@0f5077a javascript_transformer.py NODEJS_RUNNER): code on line 2 (offset 1),
# inputs pasted as a JSON literal.
RUNNER_JS_OLD = """// declare main function here
{{code}}

// execute main function, and return the result
// inputs is a dict, unstructured inputs
output = main({{inputs}})

// convert output to json and print
output = JSON.stringify(output)

result = `<<RESULT>>${output}<<RESULT>>`

console.log(result)
"""


def py_runner(code: str, inputs: dict[str, Any]) -> str:
    b64 = base64.b64encode(json.dumps(inputs, ensure_ascii=False).encode()).decode()
    return RUNNER_PY.replace("{{code}}", code).replace("{{inputs}}", b64)


def js_runner(code: str, inputs: dict[str, Any], old: bool = False) -> str:
    if old:
        return RUNNER_JS_OLD.replace("{{code}}", code).replace("{{inputs}}", json.dumps(inputs, indent=4, ensure_ascii=False))
    b64 = base64.b64encode(json.dumps(inputs, ensure_ascii=False).encode()).decode()
    return RUNNER_JS.replace("{{code}}", code).replace("{{inputs}}", b64)


def _padded(head: list[str], last_line_no: int, last: str) -> str:
    """head, then blank lines, then `last` on line last_line_no (1-based)."""
    if len(head) >= last_line_no:
        raise SystemExit("prescript head too long")
    return "\n".join(head + [""] * (last_line_no - 1 - len(head)) + [last]) + "\n"


def prescript_py(old: bool) -> str:
    """Behavioural reconstruction of dify-sandbox's Python prescript minus seccomp (written here, not copied):
    the same excepthook, chdir and code hand-over, with the line that runs the user code on the line number it
    has in the real file after Dify's empty preload is substituted: `exec(compile(code, "<fd3>", "exec"))` on
    line 36 (prescript.py @a94a466, `{{preload}}` -> "\n" adds a line), old `exec(code)` on line 48
    (prescript.py before ae79985, where the code came base64/xor-encoded in the script; here base64 in argv[2]).
    Only that line and its number show in a traceback."""
    head = [
        "import os",
        "import sys",
        "import traceback",
        "",
        "",
        "# reconstruction of dify-sandbox's prescript without the seccomp library (see generate/sandbox.py)",
        "def excepthook(type, value, tb):",
        '    sys.stderr.write("".join(traceback.format_exception(type, value, tb)))',
        "    sys.stderr.flush()",
        "    sys.exit(-1)",
        "",
        "",
        "sys.excepthook = excepthook",
        "",
        "running_path = sys.argv[1]",
        "if not running_path:",
        "    exit(-1)",
        "",
        "os.chdir(running_path)",
        'os.environ.pop("GODEBUG", None)',
        "",
    ]
    if old:
        head += ["from base64 import b64decode", "", "code = b64decode(sys.argv[2])"]
        return _padded(head, 48, "exec(code)")
    head += ['with os.fdopen(3, "rb") as code_fd:', '    code = code_fd.read().decode("utf-8")']
    return _padded(head, 36, 'exec(compile(code, "<fd3>", "exec"))')


def prescript_js(old: bool, runner: str) -> str:
    """Reconstruction of dify-sandbox's Node prescript minus seccomp (koffi/DifySeccomp): the runner is eval()ed
    on line 17 (prescript.js @a94a466: `eval(fs.readFileSync(3, 'utf8'))` via `const code`), or, before
    ae79985, by `eval(Buffer.from('<base64>', 'base64').toString('utf-8'))` appended after the 13-line
    prescript (line 14)."""
    head = [
        "const argv = process.argv",
        "const fs = require('fs')",
        "",
        "// reconstruction of dify-sandbox's prescript without the seccomp library (see generate/sandbox.py)",
        "const uid = parseInt(argv[2])",
        "const gid = parseInt(argv[3])",
        "const options = JSON.parse(argv[4])",
        "delete process.env.GODEBUG",
    ]
    if old:
        encoded = base64.b64encode(runner.encode()).decode()
        return _padded(head, 14, "eval(Buffer.from('%s', 'base64').toString('utf-8'))" % encoded).rstrip("\n")
    return _padded(head + [""] * 7 + ["const code = fs.readFileSync(3, 'utf8')"], 17, "eval(code)")


def run_python(runner: str, old: bool = False) -> tuple[int, str]:
    lib = Path(ROOT + PY_LIB)
    (lib / "tmp").mkdir(parents=True, exist_ok=True)
    path = lib / "tmp" / f"{PY_PRESCRIPT_NAME}.py"
    path.write_text(prescript_py(old), encoding="utf-8")
    args = [PY313, str(path), str(lib)]
    if old:
        args.append(base64.b64encode(runner.encode()).decode())
    return _run(args, str(lib), runner)


def run_node(runner: str, old: bool = False) -> tuple[int, str]:
    script_path = Path(ROOT + NODE_SCRIPT)
    script_path.parent.mkdir(parents=True, exist_ok=True)
    script_path.write_text(prescript_js(old, runner), encoding="utf-8")
    return _run([NODE, str(script_path), "65537", "1001", json.dumps({"enable_network": True})], ROOT + NODE_TMP, runner)


def _run(args: list[str], cwd: str, runner: str) -> tuple[int, str]:
    """Runs the prescript with the runner readable on fd 3 (cmd.ExtraFiles = []*os.File{codeReader})."""
    read_fd, write_fd = os.pipe()
    os.write(write_fd, runner.encode())
    os.close(write_fd)
    if read_fd != 3:
        os.dup2(read_fd, 3)
        os.close(read_fd)
    try:
        proc = subprocess.run(args, cwd=cwd, env={"GODEBUG": "decoratemappings=0,containermaxprocs=0,updatemaxprocs=0"},
                              capture_output=True, text=True, pass_fds=(3,), timeout=30)
    finally:
        os.close(3)
    return proc.returncode, proc.stderr


def sandbox_error(exit_code: int, stderr: str, old: bool = False) -> str:
    """data.error of the sandbox response (run_code.go buildExecutionError; old sandbox: stderr only)."""
    if old:
        return stderr
    # Go's %d of the exit status: -1 from sys.exit(-1) is reported by the OS as 255.
    text = f"process exited with code {exit_code}"
    if stderr:
        text += "\n" + stderr
    return text


def code(src: str) -> str:
    """Code as the node stores it: dedented, with the one trailing newline a `|` block would keep."""
    return textwrap.dedent(src).lstrip("\n")


# ----------------------------------------------------------------------------------------------------------
# The Code nodes. `fail` is the text of the user line the runtime must report (None: no user line).
APPS: dict[str, dict[str, Any]] = {
    "travel-planner": {"name": "Travel Planner", "description": "Plans a trip from a forecast and a list of places.",
                       "icon": "🧳", "nodes": []},
    "data-cleanup": {"name": "Data Cleanup", "description": "Normalises CRM exports before they are loaded.",
                     "icon": "🧹", "nodes": []},
    "review-queue": {"name": "Review Queue", "description": "Routes support tickets to reviewers. Its DSL was "
                     "hand-merged from two copies, so two Code nodes share one id.", "icon": "📥", "nodes": []},
}

CASES: list[dict[str, Any]] = []


def node(app: str, node_id: str, title: str, language: str, src: str, inputs: dict[str, Any], *,
         case_id: str | None = None, carrier: str = "statusMessage", fail: str | None = None, none: str | None = None,
         description: str = "", old: bool = False, strip_trailing_newline: bool = False) -> None:
    text = code(src)
    if strip_trailing_newline:
        text = text.rstrip("\n")
    variables = [{"variable": k, "value_selector": ["1747900000100", k]} for k in inputs]
    outputs = {"result": {"type": "object", "children": None}}
    APPS[app]["nodes"].append({"id": node_id, "title": title, "language": language, "code": text,
                               "variables": variables, "outputs": outputs})
    if case_id:
        CASES.append({"id": case_id, "app": app, "nodeId": node_id, "title": title, "language": language, "code": text,
                      "inputs": inputs, "carrier": carrier, "fail": fail, "none": none, "description": description,
                      "old": old})


# --- Travel Planner ------------------------------------------------------------------------------------------
node("travel-planner", "1747900000301", "Build Itinerary", "python3", '''
    def main(forecast: list, places: str) -> dict:
        days = forecast[0]["forecast"] if forecast else []
        stops = [line.strip("-* ").strip() for line in places.splitlines() if line.strip()]
        per_day = len(stops) // len(days)
        lines = []
        for i, day in enumerate(days):
            todo = ", ".join(stops[i * per_day : (i + 1) * per_day])
            lines.append(f"{day['date']} ({day['summary']}): {todo}")
        return {"itinerary": "\\n".join(lines)}
    ''', {"forecast": [{"forecast": []}], "places": "- Louvre\n- Orsay"},
     case_id="code-py-zerodivision", fail="per_day = len(stops) // len(days)",
     description="ZeroDivisionError on line 4 of a Python Code node (empty forecast).")
node("travel-planner", "1747900000302", "Parse Budget", "python3", '''
    import re


    def main(budget: str, currency: str) -> dict:
        def to_number(token: str) -> float:
            token = token.replace(",", "")
            return float(token)

        amounts = [to_number(t) for t in re.findall(r"[\\d.,]+k?", budget)]
        return {"total": sum(amounts), "currency": currency.upper()}
    ''', {"budget": "1,200 + 3.5k for hotels", "currency": "eur"},
     case_id="code-py-nested-function", carrier="spanEvent", fail="return float(token)",
     description="ValueError inside a function nested in main, called from a list comprehension.")
node("travel-planner", "1747900000303", "Rank Places", "python3", '''
    def main(places: list) -> dict:
        scored = sorted(places, key=lambda p: (-p.get("rating"), p["name"]))
        return {"ranked": [p["name"] for p in scored]}
    ''', {"places": [{"name": "Louvre", "rating": 4.7}, {"name": "Tiny cafe"}]},
     case_id="code-py-lambda", fail="key=lambda p:",
     description="TypeError (bad operand for unary -: 'NoneType') inside a lambda sort key.")
node("travel-planner", "1747900000304", "Daily Highs", "python3", '''
    def main(forecast: list) -> dict:
        highs = [day["max_temp_c"] for day in forecast]
        return {"highs": highs, "warmest": max(highs)}
    ''', {"forecast": [{"date": "2026-05-01", "max_temp_c": 19}, {"date": "2026-05-02", "max": 21}]},
     case_id="code-py-listcomp-keyerror", fail='highs = [day["max_temp_c"] for day in forecast]',
     description="KeyError inside a list comprehension (inlined into main on CPython 3.12+).")
node("travel-planner", "1747900000305", "Format Summary", "python3", '''
    def main(itinerary: str) -> dict:
        lines = itinerary.splitlines()
        if len(lines) > 5
            lines = lines[:5] + ["…"]
        return {"summary": "\\n".join(lines)}
    ''', {"itinerary": "day 1\nday 2"},
     case_id="code-py-syntax-error", fail="if len(lines) > 5",
     description="SyntaxError (missing colon): raised by compile() in the prescript, no frame in main; the "
                 "SyntaxError block names <fd3> and the line of the error, which is the user line.")
node("travel-planner", "1747900000306", "Collect Tags", "python3", '''
    def main(places: list) -> dict:
        tags = set()
        for place in places:
            tags.update(place.get("tags", []))
        return {"tags": tags}
    ''', {"places": [{"name": "Louvre", "tags": ["museum"]}]},
     case_id="neg-code-py-wrapper-json", none="main returned a set: the TypeError is raised by the runner's "
     "json.dumps (a wrapper line after the user code) and json's encoder, no line of the node's code ran into it.",
     description="main() returns a value json.dumps cannot encode; the innermost runner frame is the wrapper.")
node("travel-planner", "1747900000311", "Place Names", "javascript", '''
    function main({places}) {
        const names = places.map(p => p.name.trim())
        const first = places.find(p => p.rating > 4.5)
        return { names: names, best: first.name }
    }
    ''', {"places": [{"name": " Louvre ", "rating": 4.4}]},
     case_id="code-js-typeerror-undefined", fail="return { names: names, best: first.name }",
     description="JavaScript TypeError: reading a property of undefined on line 4.")
node("travel-planner", "1747900000312", "Parse Forecast JSON", "javascript", '''
    function main({raw}) {
        // the HTTP node returns the body as a string
        const body = JSON.parse(raw)
        return { days: body.daily.length }
    }
    ''', {"raw": "{\"daily\": [1, 2,]}"},
     case_id="code-js-json-parse", fail="const body = JSON.parse(raw)",
     description="JSON.parse SyntaxError: innermost frame is JSON.parse (<anonymous>), then main in the runner.")

# --- Data Cleanup -------------------------------------------------------------------------------------------
CLEAN_EMAILS = '''
    def main(rows: list) -> dict:
        cleaned = []
        for row in rows:
            email = row["email"].strip().lower()
            cleaned.append({"email": email, "name": row.get("name", "").title()})
        return {"rows": cleaned}
    '''
node("data-cleanup", "1747900000401", "Clean Emails", "python3", CLEAN_EMAILS,
     {"rows": [{"email": " A@X.COM "}, {"name": "no email"}]},
     case_id="code-py-trailing-newline", fail='email = row["email"].strip().lower()',
     description="KeyError on line 4; the code ends with a newline (U = 7 lines by split, so the runner main call is on line U + 9 = 16).")
node("data-cleanup", "1747900000402", "Clean Emails (copy)", "python3", CLEAN_EMAILS,
     {"rows": [{"email": " A@X.COM "}, {"name": "no email"}]}, carrier="spanEvent",
     case_id="code-py-no-trailing-newline", fail='email = row["email"].strip().lower()', strip_trailing_newline=True,
     description="The same code without the trailing newline: the user line is the same, the runner's main call "
                 "moves up one line (15).")
node("data-cleanup", "1747900000403", "Dedupe Contacts", "python3", '''
    class Deduper:
        def __init__(self, key: str):
            self.key = key
            self.seen = set()

        def keep(self, row: dict) -> bool:
            value = row.get(self.key)
            normalised = value.casefold()
            if normalised in self.seen:
                return False
            self.seen.add(normalised)
            return True


    def main(rows: list) -> dict:
        deduper = Deduper("email")
        return {"rows": [row for row in rows if deduper.keep(row)]}
    ''', {"rows": [{"email": "a@x.com"}, {"email": None}]}, carrier="spanEvent",
     case_id="code-py-method", fail="normalised = value.casefold()",
     description="AttributeError in a method of a class defined in the node, two frames below main.")
node("data-cleanup", "1747900000404", "Split Names", "python3", '''
    def main(rows: list) -> dict:
        out = []
        for row in rows:
            first, last = row["name"].split(" ", 1)
            out.append({"first": first, "last": last})
        return {"rows": out}
    ''', {"rows": [{"name": "Ada Lovelace"}, {"name": "Plato"}]},
     case_id="code-py-old-sandbox-string", fail='first, last = row["name"].split(" ", 1)', old=True,
     description="Old dify-sandbox (before ae79985): the prescript ran exec(code), so frames read "
                 "File \"<string>\", and the error text is stderr alone (no 'process exited' line).")
node("data-cleanup", "1747900000411", "Normalise Phones", "javascript", '''
    function main({rows}) {
        return {
            rows: rows.map(row => ({
                ...row,
                phone: normalise(row.phone),
            })),
        }
    }

    function normalise(phone) {
        return phone.replace(/[^0-9+]/g, '')
    }
    ''', {"rows": [{"phone": "+44 20 7946 0958"}, {"phone": 2079460958}]}, carrier="spanEvent",
     case_id="code-js-arrow-map", fail="return phone.replace(/[^0-9+]/g, '')",
     description="TypeError (phone.replace is not a function) in a helper called from an arrow function in map().")
node("data-cleanup", "1747900000412", "Check Required", "javascript", '''
    const REQUIRED = ['email', 'country']

    function main({rows}) {
        rows.forEach((row, i) => {
            for (const field of REQUIRED) {
                if (!(field in row)) {
                    throw new Error(`row ${i + 1}: missing field "${field}"`)
                }
            }
        })
        return { ok: true, count: rows.length }
    }
    ''', {"rows": [{"email": "a@x.com", "country": "UK"}, {"email": "b@y.com"}]},
     case_id="code-js-throw-error", fail="throw new Error(`row ${i + 1}: missing field",
     description="An Error thrown by the user inside a nested callback.")
node("data-cleanup", "1747900000413", "Total Revenue", "javascript", '''
    function main({rows}) {
        let total = 0
        for (const row of rows) {
            total += ammount(row)
        }
        return { total }
    }
    ''', {"rows": [{"amount": 3}]}, carrier="spanEvent",
     case_id="code-js-referenceerror", fail="total += ammount(row)",
     description="ReferenceError (a typo) on line 4.")
node("data-cleanup", "1747900000414", "Row Ids", "javascript", '''
    function main({rows}) {
        return { ids: rows.map(r => BigInt(r.id)) }
    }
    ''', {"rows": [{"id": "9007199254740993"}]},
     case_id="neg-code-js-wrapper-stringify", none="main returned BigInts: JSON.stringify in the runner (a "
     "wrapper line after the user code) throws; no line of the node's code is at fault.",
     description="The runner's JSON.stringify throws on the value main returned; innermost runner frame is the wrapper.")
node("data-cleanup", "1747900000415", "Country Codes", "javascript", '''
    function main({rows}) {
        const codes = {UK: 'GB', USA: 'US'}
        return { rows: rows.map(r => ({...r, country: codes[r.country].toLowerCase()})) }
    }
    ''', {"rows": [{"country": "UK"}, {"country": "France"}]},
     case_id="code-js-old-sandbox", fail="codes[r.country].toLowerCase()", old=True,
     description="Old dify-sandbox + old Dify JS runner (code on runner line 2): the prescript evals the runner from "
                 "its last line, and the error text is stderr alone.")

# --- Review Queue: two nodes share an id -------------------------------------------------------------------
node("review-queue", "1747900000501", "Assign Reviewer", "python3", '''
    REVIEWERS = {"billing": "maria", "bugs": "li"}


    def main(ticket: dict) -> dict:
        return {"reviewer": REVIEWERS[ticket["queue"]]}
    ''', {"ticket": {"queue": "legal"}},
     case_id="code-py-duplicate-node-id", fail='return {"reviewer": REVIEWERS[ticket["queue"]]}',
     description="KeyError in a Code node whose id is shared by another Code node in the same DSL.")
node("review-queue", "1747900000501", "Assign Reviewer (EU)", "python3", '''
    REVIEWERS = {"billing": "jonas", "bugs": "eva"}


    def main(ticket: dict) -> dict:
        queue = ticket["queue"]
        return {"reviewer": REVIEWERS[queue]}
    ''', {"ticket": {"queue": "legal"}})


def dsl(app: str) -> dict[str, Any]:
    spec = APPS[app]
    nodes: list[dict[str, Any]] = [{
        "id": "1747900000100", "type": "custom", "position": {"x": 80, "y": 282}, "width": 244, "height": 90,
        "data": {"type": "start", "title": "Start", "desc": "", "selected": False, "variables": []},
    }]
    for i, n in enumerate(spec["nodes"]):
        nodes.append({
            "id": n["id"], "type": "custom", "position": {"x": 384 + 300 * i, "y": 282}, "width": 244, "height": 54,
            "data": {"type": "code", "title": n["title"], "desc": "", "selected": False, "code": n["code"],
                     "code_language": n["language"], "variables": n["variables"], "outputs": n["outputs"]},
        })
    return {
        "app": {"name": spec["name"], "mode": "workflow", "icon": spec["icon"], "icon_background": "#FFEAD5",
                "description": spec["description"], "use_icon_as_answer_icon": False},
        "kind": "app",
        "version": "0.3.0",
        "workflow": {
            "conversation_variables": [], "environment_variables": [],
            "features": {"file_upload": {"enabled": False}, "opening_statement": "", "retriever_resource": {"enabled": True},
                         "sensitive_word_avoidance": {"enabled": False}, "speech_to_text": {"enabled": False},
                         "suggested_questions": [], "suggested_questions_after_answer": {"enabled": False},
                         "text_to_speech": {"enabled": False, "language": "", "voice": ""}},
            "graph": {"edges": [], "nodes": nodes, "viewport": {"x": 0, "y": 0, "zoom": 1}},
        },
    }


def main() -> None:
    apps_dir = WORKSPACE / "apps"
    apps_dir.mkdir(parents=True, exist_ok=True)
    for app in APPS:
        # Exactly how Dify exports a DSL (services/app_dsl_service.py): yaml.dump(data, allow_unicode=True).
        (apps_dir / f"{app}.yml").write_text(yaml.dump(dsl(app), allow_unicode=True), encoding="utf-8")
    fresh_dir(Path(ROOT + "/var/sandbox"))
    fresh_dir(Path(ROOT + NODE_TMP))
    py_version = subprocess.run([PY313, "-c", "import platform; print(platform.python_version())"],
                                capture_output=True, text=True, check=True).stdout.strip()
    for spec in CASES:
        if spec["language"] == "python3":
            runner = py_runner(spec["code"], spec["inputs"])
            exit_code, stderr = run_python(runner, old=spec["old"])
            produced = f"generate/sandbox.py (dify-sandbox {'old ' if spec['old'] else ''}prescript.py, CPython {py_version})"
        else:
            runner = js_runner(spec["code"], spec["inputs"], old=spec["old"])
            exit_code, stderr = run_node(runner, old=spec["old"])
            produced = f"generate/sandbox.py (dify-sandbox {'old ' if spec['old'] else ''}prescript.js, Node {node_version()})"
        if exit_code == 0:
            raise SystemExit(f"{spec['id']}: the code did not fail")
        error = strip_root(sandbox_error(exit_code, stderr, old=spec["old"]))
        dsl_file = f"apps/{spec['app']}.yml"
        out: dict[str, Any] = {"id": spec["id"], "description": spec["description"], "producedBy": produced,
                               "carrier": spec["carrier"], "text": error}
        exc_line = [l for l in stderr.strip().split("\n") if l and not l.startswith(" ")]
        if spec["carrier"] == "spanEvent":
            # The node span's exception event: Dify's CodeNodeError carries the sandbox error as its message.
            out["attribute"] = "exception.message"
            out["event"] = {"name": "exception", "attributes": {"exception.type": "CodeNodeError",
                                                                "exception.message": error}}
        out["exceptionType"] = exception_type(stderr, spec["language"])
        out["node"] = {"appName": APPS[spec["app"]]["name"], "nodeType": "code", "title": spec["title"],
                       "nodeId": spec["nodeId"], "codeLanguage": spec["language"]}
        out["code"] = spec["code"]
        out["runnerLineOffset"] = (0 if spec["language"] == "python3" else (1 if spec["old"] else 2))
        if spec["none"]:
            out["expected"] = {"none": spec["none"]}
        else:
            lines = spec["code"].split("\n")
            hits = [i + 1 for i, l in enumerate(lines) if spec["fail"] in l]
            if len(hits) != 1:
                raise SystemExit(f"{spec['id']}: {spec['fail']!r} on user lines {hits}")
            user_line = hits[0]
            dups = [n for n in APPS[spec["app"]]["nodes"] if n["id"] == spec["nodeId"]]
            if len(dups) > 1:
                out["expected"] = {"ambiguous": [f"{dsl_file}#{n['id']} ({n['title']})" for n in dups],
                                   "file": dsl_file, "node": spec["nodeId"],
                                   "why": "two Code nodes in this DSL have the id the span names: report the ambiguity, "
                                          "do not pick one"}
            else:
                out["expected"] = {"file": dsl_file, "node": spec["nodeId"], "userLine": user_line,
                                   "line": code_line_in_dsl(apps_dir / f"{spec['app']}.yml", spec["nodeId"], user_line)}
        del exc_line
        write_case(out)


def exception_type(stderr: str, language: str) -> str | None:
    if language == "python3":
        last = [l for l in stderr.rstrip("\n").split("\n") if l and not l.startswith(" ")][-1]
        return last.split(":", 1)[0]
    match = re.search(r"^(\w*Error)\b", stderr, re.M)
    return match.group(1) if match else None


if __name__ == "__main__":
    main()
