"""Self-check of the source corpus (run by generate.sh; also on its own: python3 generate/verify.py, needs PyYAML).

For every case with an expected file+line: the file exists in the workspace and
- Python plugin cases: the innermost user frame of the reported exception (last traceback block; the first
  block for `cause`) maps to exactly that file and line, and the source line the traceback prints under that
  frame is that line of the file;
- Code node cases: the innermost runner frame (`<fd3>`/`<string>` for Python, `<anonymous>:L:C` for Node)
  minus the runner offset is expected.userLine, that line exists in the node's code as stored in the DSL
  file, and expected.line of the DSL file holds the start of that code line;
- Go cases: the first daemon frame below runtime's panic() (or the first daemon frame) is that file:line.
Cases expecting none/ambiguity are checked for what they claim. Prints counts per group and carrier.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parents[1]
WORKSPACE = CORPUS / "workspace"
PY_FRAME = re.compile(r'^  File "([^"]+)", line (\d+)(?:, in (.+))?$')
NODE_FRAME = re.compile(r"<anonymous>:(\d+):(\d+)\)?$")
GO_LOC = re.compile(r"^\t(/\S+\.go):(\d+)(?: \+0x[0-9a-f]+)?$")
LIBRARY = re.compile(r"/\.venv/|/site-packages/|/lib/python3\.\d+/")
failures: list[str] = []


def fail(case_id: str, message: str) -> None:
    failures.append(f"{case_id}: {message}")


def sdk_traceback(case: dict) -> str:
    text = case["text"]
    if case["carrier"] == "logBody" and text.startswith("Error in stream response for plugin "):
        rep = ast.literal_eval(text[len("Error in stream response for plugin "):])
        daemon_error = json.loads(rep["message"])
        sdk_error = json.loads(daemon_error["message"])
        return sdk_error["args"]["traceback"]
    return text


def py_blocks(tb: str) -> list[list[tuple[str, int, str | None, str | None]]]:
    """Frames (file, line, function, printed source line) of each 'Traceback' block, in order."""
    blocks = []
    for chunk in tb.split("Traceback (most recent call last):\n")[1:]:
        frames = []
        lines = chunk.split("\n")
        for i, line in enumerate(lines):
            m = PY_FRAME.match(line)
            if m:
                nxt = lines[i + 1] if i + 1 < len(lines) else ""
                source = nxt.strip() if nxt.startswith("    ") and not PY_FRAME.match(nxt) else None
                frames.append((m.group(1), int(m.group(2)), m.group(3), source))
        blocks.append(frames)
    return blocks


def map_path(case: dict, path: str) -> str | None:
    for mapping in case.get("pathMappings", []):
        if path.startswith(mapping["from"] + "/"):
            return mapping["to"].replace("${workspace}/", "") + path[len(mapping["from"]):]
    plugin = case.get("plugin")
    if plugin and path.startswith(plugin["workingDir"] + "/"):
        folder = workspace_folder_of(plugin)
        return None if folder is None else folder + path[len(plugin["workingDir"]):]
    return None


def workspace_folder_of(plugin: dict) -> str | None:
    for manifest in WORKSPACE.glob("*/manifest.yaml"):
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
        if data.get("author") == plugin["author"] and data.get("name") == plugin["name"]:
            return manifest.parent.name
    return None


def innermost_user(case: dict, frames: list) -> tuple[str, int, str | None] | None:
    for path, line, _function, source in reversed(frames):
        if LIBRARY.search(path) or path.startswith("<"):
            continue
        return path, line, source
    return None


def check_python_plugin(case: dict) -> None:
    exp = case["expected"]
    blocks = py_blocks(sdk_traceback(case))
    if not blocks:
        if "none" not in exp:
            fail(case["id"], "no traceback found")
        return
    user = innermost_user(case, blocks[-1])
    if "none" in exp:
        if user is None:
            return
        mapped = map_path(case, user[0])
        if mapped is not None and (WORKSPACE / mapped).exists():
            fail(case["id"], f"expected none but {user[0]} maps to workspace file {mapped}")
        return
    if user is None:
        return fail(case["id"], "no user frame")
    check_frame(case, user, exp["file"], exp["line"])
    if "cause" in exp:
        cause = innermost_user(case, blocks[0])
        if cause is None:
            return fail(case["id"], "no user frame in the cause")
        check_frame(case, cause, exp["cause"]["file"], exp["cause"]["line"])


def check_frame(case: dict, frame: tuple[str, int, str | None], file: str, line: int) -> None:
    path, lineno, source = frame
    mapped = map_path(case, path)
    if mapped != file or lineno != line:
        return fail(case["id"], f"innermost user frame {path}:{lineno} -> {mapped}:{lineno}, expected {file}:{line}")
    target = WORKSPACE / file
    if not target.is_file():
        return fail(case["id"], f"{file} is not in the workspace")
    text = target.read_text(encoding="utf-8").split("\n")[line - 1].strip()
    if source is not None and not (text == source or (text.startswith(source) and case["text"].endswith(source))):
        fail(case["id"], f"traceback prints {source!r} but {file}:{line} is {text!r}")


def dsl_nodes(file: str, node_id: str) -> list[dict]:
    data = yaml.safe_load((WORKSPACE / file).read_text(encoding="utf-8"))
    return [n for n in data["workflow"]["graph"]["nodes"] if n["id"] == node_id]


def runner_lines(case: dict) -> list[int]:
    """Runner line numbers of the frames in the runner, innermost first."""
    text = case["text"]
    if case["node"]["codeLanguage"] == "python3":
        found = []
        for frames in py_blocks(text):
            found.extend(line for path, line, _f, _s in frames if path in ("<fd3>", "<string>"))
        return list(reversed(found))
    return [int(m.group(1)) for line in text.split("\n") if (m := NODE_FRAME.search(line.strip()))]


def check_code_node(case: dict) -> None:
    exp = case["expected"]
    language = case["node"]["codeLanguage"]
    offset = case["runnerLineOffset"]
    user_lines = case["code"].split("\n")
    runner = runner_lines(case)
    if not runner:
        return fail(case["id"], "no runner frame")
    inner = runner[0] - offset
    if "none" in exp:
        if 1 <= inner <= len(user_lines):
            fail(case["id"], f"expected none but the innermost runner frame is user line {inner}")
        return
    if "ambiguous" in exp:
        nodes = dsl_nodes(exp["file"], exp["node"])
        if len(nodes) < 2:
            fail(case["id"], "ambiguity claimed but the id is unique")
        if not any(n["data"]["code"] == case["code"] for n in nodes):
            fail(case["id"], "none of the same-id nodes holds the case's code")
        return
    if inner != exp["userLine"]:
        return fail(case["id"], f"runtime reports user line {inner}, expected {exp['userLine']}")
    nodes = dsl_nodes(exp["file"], exp["node"])
    if len(nodes) != 1 or nodes[0]["data"]["code"] != case["code"]:
        return fail(case["id"], "the DSL node's code differs from the case's code")
    if nodes[0]["data"]["code_language"] != language or nodes[0]["data"]["title"] != case["node"]["title"]:
        fail(case["id"], "DSL node language/title differ")
    statement = user_lines[exp["userLine"] - 1].strip()
    # The runtime's own rendering of the failing line, where it prints one, must be that statement.
    if language == "python3":
        shown = re.search(r'File "<fd3>", line \d+\n    (.+)\n', case["text"])
        if shown and "SyntaxError" in case["text"] and shown.group(1).strip() != statement:
            fail(case["id"], f"SyntaxError shows {shown.group(1)!r}, user line is {statement!r}")
    else:
        header = re.match(r"^(?:process exited with code \d+\n)?\S+:\d+\n(.*)\n", case["text"])
        if header and "<anonymous_script>" not in case["text"].split("\n", 2)[1] and header.group(1).strip() != statement:
            fail(case["id"], f"Node shows {header.group(1)!r}, user line is {statement!r}")
    # expected.line: the DSL line must hold the start of the statement (YAML double-quote escaping of '"' and '\').
    dsl_lines = (WORKSPACE / exp["file"]).read_text(encoding="utf-8").split("\n")
    token = re.escape(statement[:4]).replace('\\"', '"').replace('"', r'\\?"')
    window = "".join(l.strip().lstrip("\\").rstrip("\\") for l in dsl_lines[exp["line"] - 1 : exp["line"] + 1])
    if not re.search(token, window):
        fail(case["id"], f"{exp['file']}:{exp['line']} does not hold the start of {statement!r}")


def check_go(case: dict) -> None:
    exp = case["expected"]
    lines = case["text"].split("\n")
    first_block = []
    for i, line in enumerate(lines):
        m = GO_LOC.match(line)
        if m:
            first_block.append((lines[i - 1], m.group(1), int(m.group(2))))
        elif first_block and line == "":
            break
    after_panic = first_block
    for i, (function, _path, _line) in enumerate(first_block):
        if function.startswith("panic("):
            after_panic = first_block[i + 1:]
    for _function, path, line in after_panic:
        mapped = map_path(case, path)
        if mapped is None:
            continue
        if mapped != exp["file"] or line != exp["line"]:
            fail(case["id"], f"first daemon frame {path}:{line}, expected {exp['file']}:{exp['line']}")
        if not (WORKSPACE / mapped).is_file():
            fail(case["id"], f"{mapped} missing from the workspace")
        return
    fail(case["id"], "no daemon frame")


def group(case: dict) -> str:
    if case.get("node", {}).get("nodeType") == "code":
        return "code-node"
    if case["id"].startswith(("go-", "neg-go-")):
        return "daemon-go"
    return "plugin-python"


def main() -> int:
    cases = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((CORPUS / "cases").glob("*.json"))]
    by_group: Counter[str] = Counter()
    by_carrier: Counter[str] = Counter()
    negatives = 0
    for case in cases:
        kind = group(case)
        exp = case["expected"]
        is_negative = "none" in exp or "ambiguous" in exp
        negatives += is_negative
        by_group[kind + (" (negative)" if is_negative else "")] += 1
        by_carrier[case["carrier"]] += 1
        if "file" in exp and "ambiguous" not in exp and not (WORKSPACE / exp["file"]).is_file():
            fail(case["id"], f"{exp['file']} is not in the workspace")
        if kind == "code-node":
            check_code_node(case)
        elif kind == "daemon-go":
            if "none" in exp:
                if GO_LOC.search(case["text"]) or "goroutine " in case["text"]:
                    fail(case["id"], "expected no stack but the text has one")
            else:
                check_go(case)
        else:
            check_python_plugin(case)
    print(f"{len(cases)} cases, {negatives} expecting none/ambiguity")
    for key, count in sorted(by_group.items()):
        print(f"  {key}: {count}")
    for key, count in sorted(by_carrier.items()):
        print(f"  carrier {key}: {count}")
    for failure in failures:
        print("FAIL", failure)
    print(f"{len(cases) - len({f.split(':')[0] for f in failures})} passed, {len({f.split(':')[0] for f in failures})} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
