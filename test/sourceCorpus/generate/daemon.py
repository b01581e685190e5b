"""Plugin daemon (Go) failures: real Go panics from a tiny program laid out like dify-plugin-daemon
(workspace/dify-plugin-daemon), built the way the daemon's docker/local.dockerfile builds (sources in /app,
`go build` without -trimpath, toolchain in /usr/local/go), so frames read /app/internal/... and
/usr/local/go/src/runtime/... . Built under ROOT/app; the one rewrite removes ROOT."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from common import GO, ROOT, WORKSPACE, api_log_body, daemon_wrap, go_version, line_of, strip_root, write_case

FIXTURE = WORKSPACE / "dify-plugin-daemon"
BUILD = Path(ROOT, "app")
MAPPING = [{"from": "/app", "to": "${workspace}/dify-plugin-daemon"}]


def build() -> Path:
    if BUILD.exists():
        shutil.rmtree(BUILD)
    shutil.copytree(FIXTURE, BUILD)
    # Determinism: Go 1.26 randomises the heap base (argument words in frames would change every run) and the
    # goroutine ids depend on scheduling; GOEXPERIMENT=norandomizedheapbase64 + GOMAXPROCS=1 pin both. Frames,
    # files and lines are the same either way.
    env = {**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0",
           "GOEXPERIMENT": "norandomizedheapbase64"}
    subprocess.run([GO, "build", "-buildvcs=false", "-o", str(BUILD / "main"), "cmd/server/main.go"], cwd=BUILD,
                   env=env, check=True)
    return BUILD / "main"


def run(binary: Path, *args: str, traceback: str = "single") -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "GOTRACEBACK": traceback, "GOMAXPROCS": "1"}
    return subprocess.run([str(binary), *args], cwd=BUILD, env=env, capture_output=True, text=True, timeout=30)


def expected(rel: str, needle: str) -> dict[str, Any]:
    return {"file": f"dify-plugin-daemon/{rel}", "line": line_of(FIXTURE / rel, needle)}


def main() -> None:
    binary = build()
    produced = f"generate/daemon.py ({go_version()}, linux/amd64)"
    base = {"producedBy": produced, "pathMappings": MAPPING}

    # 1-2: recovered panics logged by slog with the stack in the `stack_trace` attribute.
    for case_id, scenario, rel, needle, desc in [
        ("go-recovered-handler-nil-map", "handler-nil-map", "internal/server/controllers/tool.go",
         'r.Params["user_id"] = r.TenantID',
         "A handler panic (assignment to entry in nil map) recovered by the HTTP recovery middleware and logged with "
         "runtime.Stack: the frames above panic() are the recovery closure; the answer is the panic site."),
        ("go-recovered-routine-index", "routine-index", "internal/core/session_manager/backwards.go",
         "target := sessions[index]",
         "Index out of range in a goroutine started by routine.Submit, recovered and logged with its stack."),
    ]:
        proc = run(binary, scenario)
        record = json.loads(strip_root(proc.stdout.strip().split("\n")[-1]))
        stack = record["stack_trace"]
        write_case({"id": case_id, "description": desc, **base, "carrier": "logException", "text": stack,
                    "attribute": "stack_trace",
                    "log": {"body": record["msg"], "severityText": record["level"],
                            "attributes": {k: v for k, v in record.items() if k not in ("msg", "level")}},
                    "exceptionType": "panic", "expected": expected(rel, needle)})

    # 3-5: unrecovered panics: the process dies, its stderr is the text (shipped as log records by the
    # deployment's log pipeline, one record per crash).
    for case_id, args, tb, rel, needle, desc in [
        ("go-crash-explicit-panic-error", ["install-explicit"], "single",
         "internal/core/plugin_manager/installer.go", "panic(fmt.Errorf(",
         "panic(fmt.Errorf(...: %w)) at startup: 'panic: ...' then goroutine 1 [running]."),
        ("go-crash-nil-map-gotraceback-all", ["cluster-nil-map-all"], "all", "internal/cluster/cluster.go",
         "c.nodes[node] = time.Unix(0, 0)",
         "GOTRACEBACK=all: the panicking goroutine first, then every other goroutine (the heartbeat loop, blocked)."),
        ("go-crash-nil-pointer", ["nil-pointer"], "single", "internal/core/plugin_manager/installer.go",
         "return m.runtimes[id]",
         "Nil pointer dereference: 'panic: runtime error: invalid memory address...' plus the [signal SIGSEGV ...] line."),
    ]:
        proc = run(binary, *args, traceback=tb)
        if proc.returncode != 2:
            raise SystemExit(f"{case_id}: exit {proc.returncode}")
        write_case({"id": case_id, "description": desc, **base, "carrier": "logBody", "text": strip_root(proc.stderr),
                    "exitCode": proc.returncode, "exceptionType": "panic", "expected": expected(rel, needle)})

    # 6: a daemon error with no stack, as the API logs it.
    message = "failed to launch plugin: acme/weather:0.0.1: dial unix /app/storage/plugin.sock: connect: no such file or directory"
    line = daemon_wrap(message)
    write_case({"id": "neg-go-daemon-error-no-stack", "producedBy": produced + " + generate/daemonwrap",
                "description": "A PluginDaemonInternalServerError as the daemon answers it (genericError JSON in the "
                               "-500 response) and the API logs it: text only, no stack.",
                "carrier": "logBody", "text": api_log_body(line), "daemonResponse": line,
                "exceptionType": "PluginDaemonInternalServerError",
                "expected": {"none": "No stack trace: the text names a socket path, not a source line."}})


if __name__ == "__main__":
    main()
