"""Shared paths and helpers of the source-corpus generators (run with the corpus venv's Python 3.12)."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from pathlib import Path
from typing import Any

GENERATE = Path(__file__).resolve().parent
CORPUS = GENERATE.parent
WORKSPACE = CORPUS / "workspace"
CASES = CORPUS / "cases"

# Fixed temp root. Every path below it is written as if the root were "/": the ONE rewrite applied to
# real output is removing this prefix (so /tmp/dte-source-corpus/app/storage/cwd/... reads /app/storage/cwd/...).
ROOT = "/tmp/dte-source-corpus"
GO = os.environ.get("GO", "/usr/local/go/bin/go")


def strip_root(text: str) -> str:
    return text.replace(ROOT, "")


def python_version() -> str:
    return f"CPython {platform.python_version()}"


def dify_plugin_version() -> str:
    from importlib.metadata import version

    return version("dify_plugin")


def go_version() -> str:
    return subprocess.run([GO, "env", "GOVERSION"], capture_output=True, text=True, check=True).stdout.strip()


def node_version() -> str:
    return subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()


def write_case(case: dict[str, Any]) -> None:
    CASES.mkdir(parents=True, exist_ok=True)
    path = CASES / f"{case['id']}.json"
    path.write_text(json.dumps(case, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """1-based number of the one line of `path` containing `needle` (the generator's prediction)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if needle.endswith("\n"):  # the needle must end the line
        hits = [i + 1 for i, line in enumerate(lines) if line.endswith(needle[:-1])]
    else:
        hits = [i + 1 for i, line in enumerate(lines) if needle in line]
    if len(hits) != 1:
        raise SystemExit(f"{path}: {needle!r} is on lines {hits}, want exactly one")
    return hits[0]


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


_wrapper: Path | None = None


def daemon_wrap(sdk_error: dict[str, Any] | str) -> str:
    """The daemon's stream line for a plugin error (or, for a str, a daemon internal error): real Go
    encoding/json (generate/daemonwrap)."""
    global _wrapper
    if _wrapper is None:
        _wrapper = Path(ROOT) / "bin" / "daemonwrap"
        _wrapper.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([GO, "build", "-o", str(_wrapper), "."], cwd=GENERATE / "daemonwrap", check=True,
                       env={**os.environ, "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local"})
    if isinstance(sdk_error, str):
        args, line = [str(_wrapper), "internal"], sdk_error
    else:
        args, line = [str(_wrapper)], json.dumps(sdk_error, ensure_ascii=False)
    out = subprocess.run(args, input=line + "\n", capture_output=True, text=True, check=True).stdout
    return out.rstrip("\n")


def api_log_body(daemon_line: str) -> str:
    """What langgenius/dify api/core/plugin/impl/base.py logs for a -500 stream line:
    logger.error("Error in stream response for plugin %s", rep.__dict__), where rep is the
    PluginDaemonBasicResponse (fields code, message, data) parsed from the line."""
    parsed = json.loads(daemon_line)
    rep_dict = {"code": parsed["code"], "message": parsed["message"], "data": parsed["data"]}
    return "Error in stream response for plugin %s" % rep_dict
