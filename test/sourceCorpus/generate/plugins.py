"""Python plugin tool failures, produced by really running plugins built on the dify_plugin SDK.

Each plugin is installed the way dify-plugin-daemon's local runtime installs it
(internal/core/local_runtime: working path PLUGIN_WORKING_PATH/{author}/{name}-{version}@{checksum},
venv `.venv` inside it, started as `.venv/bin/python -m main` with cwd = working path and
INSTALL_METHOD=local), under the fixed temp root (common.ROOT) + /app/storage/cwd. A request line is
written to the plugin's stdin exactly as the daemon frames it ({"session_id", "event": "request",
"data": {...}}), and the SDK's own error session message is read back from stdout: its
`{"error_type", "message", "args": {"traceback"}}` is what IOServer._execute_request_in_thread sends
(dify_plugin core/server/io_server.py). The traceback therefore holds the SDK's real frames.

"Remote debug" cases run the plugin from a developer checkout (ROOT + /home/dev/plugins/<folder>, venv in
<folder>/.venv) instead. The transport is still stdio here (there is no daemon to connect to); the frames
are the same because the SDK runs a request through the same IOServer -> Plugin -> PluginExecutor call
chain whatever the reader is. In TCP (remote) mode the SDK additionally logs the exception with
logger.exception("Unexpected error occurred when executing request") - the logException carrier.

The only change made to real output: common.strip_root (the temp root prefix is removed).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from common import (
    GENERATE,
    ROOT,
    WORKSPACE,
    api_log_body,
    daemon_wrap,
    dify_plugin_version,
    fresh_dir,
    line_of,
    python_version,
    strip_root,
    write_case,
)

PORT = 18731  # loopback stand-in for the GitHub API (fixed, so URLs in messages are stable)
API = f"http://127.0.0.1:{PORT}"
CLOSED_PORT_API = "http://127.0.0.1:9"  # nothing listens: a real connection refused

PLUGINS: dict[str, dict[str, Any]] = {
    "github-issues": {"src": WORKSPACE / "github-issues", "mode": "local"},
    "notion-sync": {"src": WORKSPACE / "notion-sync", "mode": "local"},
    "text-toolkit": {"src": WORKSPACE / "text-toolkit", "mode": "local"},
    "sqlite-query": {"src": WORKSPACE / "sqlite-query", "mode": "local"},
    "feishu-notify": {"src": WORKSPACE / "feishu-notify", "mode": "remote"},
    # Installed from the marketplace; its source is deliberately NOT in the workspace.
    "stock-quotes": {"src": GENERATE / "outside" / "stock-quotes", "mode": "local", "outside": True},
}

GH = {"api_base": API, "access_token": "ghp_corpus0000000000000000000000000000"}
NOTION = {"integration_token": "secret_corpus", "api_base": CLOSED_PORT_API}
SQLITE = {"database_path": "/data/demo.db"}
FEISHU = {"app_id": "cli_a5f0c2e9b8d4", "app_secret": "0123456789abcdef0123456789abcdef"}


def case(id: str, plugin: str, tool: str | None, params: dict[str, Any], credentials: dict[str, Any], carrier: str,
         expect: tuple[str, str] | str, description: str, cause: tuple[str, str] | None = None) -> dict[str, Any]:
    """expect: (file in the plugin, text of the line the innermost user frame must name) or a reason for none."""
    return {"id": id, "plugin": plugin, "tool": tool, "params": params, "credentials": credentials,
            "carrier": carrier, "expect": expect, "description": description, "cause": cause}


CASES: list[dict[str, Any]] = [
    # --- github-issues -------------------------------------------------------------------------------
    case("py-gh-validate-chained", "github-issues", None, {}, {**GH, "access_token": "ghp_revoked"}, "spanEvent",
         ("provider/github_issues.py", "raise ToolProviderCredentialValidationError(\n"),
         "Provider _validate_credentials: the token check gets HTTP 401 (httpx.HTTPStatusError raised inside httpx) "
         "and re-raises ToolProviderCredentialValidationError `from e` (chained: two tracebacks).",
         cause=("utils/client.py", "response.raise_for_status()")),
    case("py-gh-list-issues-typeerror-helper", "github-issues", "list_issues", {"repo": "acme/shop"}, GH, "logBody",
         ("utils/parsing.py", '"author": issue["user"]["login"]'),
         "An issue from a deleted account has \"user\": null; the TypeError is raised in the helper "
         "utils/parsing.py called from a list comprehension in the tool."),
    case("py-gh-list-issues-valueerror-helper", "github-issues", "list_issues", {"repo": "acme/shop", "state": "merged"},
         GH, "spanEvent", ("utils/client.py", "raise ValueError(f\"state must be one of"),
         "ValueError raised by the GitHub client helper (utils/client.py) for an invalid state."),
    case("py-gh-get-issue-pydantic", "github-issues", "get_issue", {"repo": "acme/shop", "number": 42}, GH, "logBody",
         ("tools/get_issue.py", "issue = Issue.model_validate(raw)"),
         "pydantic ValidationError raised inside pydantic (model_validate) called from the tool; the innermost "
         "frame is pydantic's, the innermost USER frame is the model_validate call."),
    case("py-gh-search-code-httpx", "github-issues", "search_code", {"query": "def main", "repo": "acme/shop"}, GH,
         "spanEvent", ("utils/client.py", "response.raise_for_status()"),
         "HTTP 422 from the search API: httpx.HTTPStatusError raised inside httpx (_models.py) from the helper "
         "utils/client.py _get."),
    case("py-gh-create-issue-first-line", "github-issues", "create_issue", {"repo": "acme/shop", "title": "Broken checkout"},
         GH, "logBody", ("tools/create_issue.py", 'tool_parameters.get("labels").split(",")'),
         "AttributeError on the first line of _invoke (optional labels parameter missing)."),
    case("py-gh-unknown-tool-sdk-only", "github-issues", "close_issue", {"repo": "acme/shop"}, GH, "spanEvent",
         "Every frame is in the SDK (dify_plugin/core/plugin_executor.py raises 'Tool not found'): no plugin source line.",
         "The daemon asks for a tool the plugin does not declare; the ValueError comes from the SDK only."),
    # --- notion-sync ---------------------------------------------------------------------------------
    case("py-notion-append-custom-nonascii", "notion-sync", "append_block",
         {"page_id": "9b1c2e7a-55d0-4c1e-9a51-0c3f5e2d7b11", "text": "二日目: 伏見稲荷"}, NOTION, "logBody",
         ("tools/append_block.py", "raise NotionAPIError("),
         "Custom exception class (errors.NotionAPIError) with a Japanese/Chinese message and an emoji, carried "
         "through the daemon's JSON layers and the API's Python repr."),
    case("py-notion-query-chained-json", "notion-sync", "query_database",
         {"database_id": "d41f", "filter": '{"property": "Status", "select": {"equals": "Done"}'}, NOTION, "spanEvent",
         ("tools/query_database.py", "raise ValueError(f\"The filter is not valid JSON"),
         "json.JSONDecodeError raised in the stdlib json decoder, re-raised as ValueError `from e`.",
         cause=("tools/query_database.py", "notion_filter = json.loads(raw_filter)")),
    case("py-notion-export-long-message", "notion-sync", "export_page",
         {"page_id": "a0c3", "block_types": ",".join(f"synced_block_v{i}" for i in range(160))}, NOTION, "logBody",
         ("tools/export_page.py", "raise ValueError("),
         "ValueError with a very long message (160 unsupported block types, > 10 kB)."),
    case("py-notion-create-page-typeerror-helper", "notion-sync", "create_page",
         {"database_id": "d41f", "title": ["Roadmap", 2026]}, NOTION, "spanEvent",
         ("utils/blocks.py", 'text = " ".join(parts)'),
         "TypeError in the helper utils/blocks.py (str.join of a list holding an int)."),
    case("py-notion-fetch-page-connect-error", "notion-sync", "fetch_page", {"page_id": "a0c3"}, NOTION, "logBody",
         ("tools/fetch_page.py", "response = client.get("),
         "httpx.ConnectError (connection refused on loopback): the innermost frames are httpx/httpcore, chained "
         "inside the library; the user frame is the client.get call."),
    case("py-notion-search-indexerror", "notion-sync", "search_pages", {"query": "budget"}, NOTION, "spanEvent",
         ("tools/search_pages.py", "best = matches[0]"), "IndexError on an empty match list."),
    case("py-notion-validate-direct", "notion-sync", None, {}, {"integration_token": "abc"}, "logBody",
         ("provider/notion_sync.py", "raise ToolProviderCredentialValidationError("),
         "Provider _validate_credentials raises directly (no chaining)."),
    # --- text-toolkit --------------------------------------------------------------------------------
    case("py-text-split-generator-after-yield", "text-toolkit", "split_text",
         {"text": "abcdefghijklmnopqrstuvwxy", "chunk_size": 10, "overlap": 2}, {}, "spanEvent",
         ("tools/split_text.py", "following = boundaries[index + 1]"),
         "Generator tool that yields seven messages before the IndexError on the last chunk."),
    case("py-text-render-recursion", "text-toolkit", "render_template",
         {"template": "Hello {{ a }}", "variables": json.dumps({"a": "x{{ b }}", "b": "{{ a }}"})}, {}, "logBody",
         ("utils/templating/expand.py", "return expand(value, variables)"),
         "RecursionError through mutually referring template variables (traceback has '[Previous line repeated N "
         "more times]'); helper in a nested subpackage utils/templating/."),
    case("py-text-word-stats-zerodiv-helper", "text-toolkit", "word_stats", {"text": "   "}, {}, "logBody",
         ("utils/stats.py", "return len(words(text)) / sentence_count(text)"),
         "ZeroDivisionError in the helper utils/stats.py."),
    case("py-text-regex-stdlib", "text-toolkit", "regex_extract",
         {"text": "2026-05-01", "pattern": r"(?P<year>\d{4})-(?P<month>\d{2}"}, {}, "spanEvent",
         ("tools/regex_extract.py", "pattern = re.compile("),
         "re.error raised deep in the stdlib (re/_parser.py) from the tool's re.compile call."),
    case("py-text-json-extract-lambda", "text-toolkit", "json_extract",
         {"records": json.dumps([{"meta": {"rank": 2}}, {"name": "untitled"}]), "field": "meta.rank"}, {}, "logBody",
         ("tools/json_extract.py", "key=lambda record:"),
         "TypeError inside a lambda used as sort key (frame function '<lambda>')."),
    case("py-text-decode-unicode", "text-toolkit", "decode_bytes", {"hex": "e97465"}, {}, "spanEvent",
         ("tools/decode_bytes.py", "text = raw.decode(encoding)"),
         "UnicodeDecodeError raised by bytes.decode (C code: no library frame)."),
    case("py-text-count-tokens-nested", "text-toolkit", "count_tokens",
         {"text": "one two three four\nshort line"}, {}, "logBody",
         ("tools/count_tokens.py", "return len(tokens) + limit - len(tokens[limit])"),
         "IndexError in a function nested two levels deep inside _invoke, called from a list comprehension."),
    # --- sqlite-query --------------------------------------------------------------------------------
    case("py-sql-validate-direct", "sqlite-query", None, {}, {"database_path": "/data/shop.csv"}, "spanEvent",
         ("provider/sqlite_query.py", "raise ToolProviderCredentialValidationError("),
         "Provider _validate_credentials rejects the file suffix."),
    case("py-sql-run-query-operational-decorator", "sqlite-query", "run_query", {"sql": "SELECT * FROM orders"}, SQLITE,
         "logBody", ("utils/db.py", "cursor = connection.execute(sql, params)"),
         "sqlite3.OperationalError raised in a helper wrapped by a retry decorator (utils/retry.py wrapper frame "
         "between the tool and the helper)."),
    case("py-sql-permission", "sqlite-query", "run_query", {"sql": "DELETE FROM customers"}, SQLITE, "spanEvent",
         ("tools/run_query.py", 'raise PermissionError("only SELECT'), "PermissionError raised by the tool."),
    case("py-sql-describe-assert", "sqlite-query", "describe_table", {"table": "orders"}, SQLITE, "logBody",
         ("tools/describe_table.py", "assert columns, f\"table"), "AssertionError with a message."),
    case("py-sql-export-notimplemented", "sqlite-query", "export_rows", {"table": "customers", "format": "Parquet"},
         SQLITE, "spanEvent", ("utils/formats/__init__.py", "raise NotImplementedError("),
         "NotImplementedError raised in a package __init__.py (utils/formats/__init__.py)."),
    case("py-sql-sum-valueerror-genexpr", "sqlite-query", "sum_column", {"table": "invoices", "column": "total"}, SQLITE,
         "logBody", ("tools/sum_column.py", "total = sum(float(row[column])"),
         "ValueError from float('n/a') inside a generator expression (frame function '<genexpr>')."),
    case("py-sql-run-query-bindings", "sqlite-query", "run_query",
         {"sql": "SELECT * FROM customers WHERE id = ?", "params": "1, 2"}, SQLITE, "spanEvent",
         ("utils/db.py", "cursor = connection.execute(sql, params)"),
         "sqlite3.ProgrammingError (wrong number of bindings) from the decorated helper."),
    # --- feishu-notify (remote debug, developer checkout) -------------------------------------------
    case("py-feishu-remote-send-card-keyerror", "feishu-notify", "send_card",
         {"chat_id": "oc_1", "title": "部署完成", "lines": "服务: api\n版本: 1.4.2", "level": "info"}, FEISHU,
         "logException", ("feishu/cards.py", '"template": TEMPLATES[level]'),
         "Remote debug: KeyError in the helper feishu/cards.py; paths are the developer's checkout."),
    case("py-feishu-remote-list-chats-valueerror", "feishu-notify", "list_chats", {"page_size": 500}, FEISHU, "spanEvent",
         ("tools/list_chats.py", "raise ValueError(f\"page_size must be"), "Remote debug: ValueError in the tool."),
    case("py-feishu-remote-validate-custom", "feishu-notify", None, {}, {"app_id": "a1b2", "app_secret": "x"},
         "logException", ("feishu/auth.py", "raise FeishuError(10003,"),
         "Remote debug: provider validation raises a custom exception with a Chinese message from feishu/auth.py."),
    case("py-feishu-remote-send-message-keyerror", "feishu-notify", "send_message", {"chat_id": "oc_1", "mentions": "ou_7"},
         FEISHU, "logException", ("tools/send_message.py", 'content = text_content(tool_parameters["text"], mentions)'),
         "Remote debug: KeyError for a missing required parameter."),
    # --- stock-quotes: installed plugin whose source is not in the workspace ---------------------------
    case("neg-py-plugin-not-in-workspace", "stock-quotes", "get_quote", {"ticker": "zzz"}, {}, "spanEvent",
         "The failing plugin (marketdata/stock_quotes) is installed from the marketplace; its source is not in "
         "the workspace, so nothing may be opened (in particular not a same-named file of another plugin).",
         "KeyError in a third-party plugin."),
    case("neg-py-plugin-not-in-workspace-logbody", "stock-quotes", "get_quote", {"ticker": "zzz"}, {}, "logBody",
         "As neg-py-plugin-not-in-workspace, in the API's log line.", "KeyError in a third-party plugin (API log line)."),
]


class FakeGitHub(BaseHTTPRequestHandler):
    """Canned GitHub REST answers on loopback (the failures are the plugin's handling of them)."""

    ROUTES: dict[str, tuple[int, Any]] = {
        "/user": (401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}),
        "/repos/acme/shop/issues": (200, [
            {"number": 7, "title": "Checkout fails on Safari", "user": {"login": "ada"}, "labels": [{"name": "bug"}],
             "comments": 3, "html_url": "https://github.com/acme/shop/issues/7"},
            {"number": 5, "title": "Add dark mode", "user": None, "labels": [], "comments": 0,
             "html_url": "https://github.com/acme/shop/issues/5"},
        ]),
        "/repos/acme/shop/issues/42": (200, {"number": 42, "title": "Refund flow", "state": "open",
                                             "user": {"login": "grace", "id": 1001}, "body": None,
                                             "created_at": "yesterday"}),
        "/search/code": (422, {"message": "Validation Failed", "errors": [{"code": "invalid"}]}),
    }

    def do_GET(self) -> None:  # noqa: N802
        status, body = self.ROUTES.get(self.path.split("?")[0], (404, {"message": "Not Found"}))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


def checksum(src: Path) -> str:
    """Stand-in for the package checksum the daemon names the directory with (SHA-256 of the .difypkg):
    SHA-256 over the plugin's files, sorted by path - deterministic, 64 hex digits."""
    digest = hashlib.sha256()
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        digest.update(path.relative_to(src).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def install(folder: str) -> dict[str, Any]:
    spec = PLUGINS[folder]
    src: Path = spec["src"]
    manifest = yaml.safe_load((src / "manifest.yaml").read_text(encoding="utf-8"))
    info = {"folder": folder, "author": manifest["author"], "name": manifest["name"], "version": manifest["version"],
            "checksum": checksum(src), "mode": spec["mode"], "outside": spec.get("outside", False)}
    if spec["mode"] == "local":
        dest = Path(ROOT, "app/storage/cwd", info["author"], f"{info['name']}-{info['version']}@{info['checksum']}")
    else:
        dest = Path(ROOT, "home/dev/plugins", folder)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)
    # The plugin's venv: the corpus venv (dify_plugin pinned) hard-linked into .venv, laid out like `uv venv .venv`.
    shutil.copytree(sys.prefix, dest / ".venv", symlinks=True, copy_function=os.link)
    info["dest"] = dest
    provider_yaml = yaml.safe_load((src / manifest["plugins"]["tools"][0]).read_text(encoding="utf-8"))
    info["provider"] = provider_yaml["identity"]["name"]
    return info


def run_request(info: dict[str, Any], session_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Starts the plugin as the daemon does, sends one request, returns the SDK's error object."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "INSTALL_METHOD": "local", "PYTHONHASHSEED": "0",
           "LANG": "C.UTF-8", "HOME": str(Path(ROOT, "home/plugin"))}
    proc = subprocess.Popen([str(info["dest"] / ".venv/bin/python"), "-m", "main"], cwd=info["dest"], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin and proc.stdout
    request = {"session_id": session_id, "event": "request", "data": data}
    proc.stdin.write((json.dumps(request) + "\n").encode())
    proc.stdin.flush()
    error: dict[str, Any] | None = None
    streamed = 0
    timer = threading.Timer(60, proc.kill)
    timer.start()
    try:
        for raw in proc.stdout:
            line = raw.strip()
            if not line.startswith(b"{"):
                continue
            message = json.loads(line)
            if message.get("event") != "session" or message.get("session_id") != session_id:
                continue
            kind = message["data"]["type"]
            if kind == "stream":
                streamed += 1
            elif kind == "error":
                error = message["data"]["data"]
            elif kind == "end":
                break
    finally:
        timer.cancel()
        proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stdin.close()
        if proc.stderr:
            proc.stderr.close()
    if error is None:
        raise SystemExit(f"{session_id}: the plugin did not fail")
    error["_streamed"] = streamed
    return error


def tool_node_error(provider_id: str, error_type: str, message: str) -> str:
    """PluginInvokeError.to_user_friendly_error (langgenius/dify api/core/plugin/impl/exc.py) as the tool node stores it."""
    return (f"An error occurred in the {provider_id}, please contact the author of {provider_id} for help, "
            f"error type: {error_type}, error details: {message}")


def main() -> None:
    fresh_dir(Path(ROOT, "app/storage/cwd"))
    fresh_dir(Path(ROOT, "home/dev/plugins"))
    server = ThreadingHTTPServer(("127.0.0.1", PORT), FakeGitHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    installed = {folder: install(folder) for folder in PLUGINS}
    produced_by = f"generate/plugins.py (dify_plugin {dify_plugin_version()}, {python_version()})"
    payloads: dict[str, dict[str, Any]] = {}
    try:
        for index, spec in enumerate(CASES):
            info = installed[spec["plugin"]]
            session_id = f"corpus-{index:03d}"
            if spec["tool"] is None:
                data = {"type": "tool", "action": "validate_tool_credentials", "user_id": "corpus-user",
                        "provider": info["provider"], "credentials": spec["credentials"]}
            else:
                data = {"type": "tool", "action": "invoke_tool", "user_id": "corpus-user", "provider": info["provider"],
                        "tool": spec["tool"], "credentials": spec["credentials"], "credential_type": "api-key",
                        "tool_parameters": spec["params"]}
            error = run_request(info, session_id, data)
            streamed = error.pop("_streamed")
            # The one rewrite: drop the temp root from the real output, before any re-encoding.
            sdk_error = json.loads(strip_root(json.dumps(error, ensure_ascii=False)))
            payloads[spec["id"]] = sdk_error
            write_case(build_case(spec, info, sdk_error, streamed, produced_by))
    finally:
        server.shutdown()
    extra_cases(installed, payloads, produced_by)


def build_case(spec: dict[str, Any], info: dict[str, Any], sdk_error: dict[str, Any], streamed: int,
               produced_by: str) -> dict[str, Any]:
    traceback_text: str = sdk_error["args"]["traceback"]
    out: dict[str, Any] = {"id": spec["id"], "description": spec["description"], "producedBy": produced_by,
                           "carrier": spec["carrier"]}
    exc = {"exception.type": sdk_error["error_type"], "exception.message": sdk_error["message"],
           "exception.stacktrace": traceback_text}
    if spec["carrier"] == "spanEvent":
        out["text"] = traceback_text
        out["attribute"] = "exception.stacktrace"
        out["event"] = {"name": "exception", "attributes": exc}
    elif spec["carrier"] == "logException":
        out["text"] = traceback_text
        out["attribute"] = "exception.stacktrace"
        out["log"] = {"body": "Unexpected error occurred when executing request", "severityText": "ERROR",
                      "scope": "dify_plugin.core.server.io_server", "attributes": exc}
    elif spec["carrier"] == "logBody":
        daemon_line = daemon_wrap(sdk_error)
        out["text"] = api_log_body(daemon_line)
        out["daemonResponse"] = daemon_line
    else:
        raise SystemExit(f"{spec['id']}: carrier {spec['carrier']} not produced here")
    out["exceptionType"] = sdk_error["error_type"]
    provider_id = f"{info['author']}/{info['name']}/{info['provider']}"
    out["node"] = {"appName": "Plugin tools corpus", "nodeType": "tool",
                   "title": spec["tool"] or f"{info['provider']} (credentials check)",
                   "nodeId": f"tool-{spec['id']}", "provider": provider_id}
    out["plugin"] = plugin_info(info, streamed)
    if info["mode"] == "remote":
        out["pathMappings"] = [{"from": strip_root(str(info["dest"])), "to": "${workspace}/" + info["folder"]}]
    expect = spec["expect"]
    if isinstance(expect, str):
        out["expected"] = {"none": expect}
    else:
        rel, needle = expect
        src: Path = PLUGINS[spec["plugin"]]["src"]
        out["expected"] = {"file": f"{info['folder']}/{rel}", "line": line_of(src / rel, needle)}
        if spec["cause"]:
            crel, cneedle = spec["cause"]
            out["expected"]["cause"] = {"file": f"{info['folder']}/{crel}", "line": line_of(src / crel, cneedle)}
    return out


def plugin_info(info: dict[str, Any], streamed: int) -> dict[str, Any]:
    return {"author": info["author"], "name": info["name"], "version": info["version"], "checksum": info["checksum"],
            "runMode": info["mode"], "workingDir": strip_root(str(info["dest"])), "inWorkspace": not info["outside"],
            "messagesBeforeError": streamed}


def extra_cases(installed: dict[str, dict[str, Any]], payloads: dict[str, dict[str, Any]], produced_by: str) -> None:
    """Negative cases derived from the real payloads above (no new run needed)."""
    base = payloads["py-gh-list-issues-typeerror-helper"]
    tb: str = base["args"]["traceback"]
    info = installed["github-issues"]
    provider_id = f"{info['author']}/{info['name']}/{info['provider']}"
    # 1. The tool node's own error: the user-friendly text, no traceback (statusMessage of the node span).
    write_case({
        "id": "neg-py-tool-node-status-no-traceback",
        "description": "The tool node's error as Dify stores it (PluginInvokeError.to_user_friendly_error): error type "
                       "and message only, the traceback is gone.",
        "producedBy": produced_by + " + tool_node_error() on the real payload of py-gh-list-issues-typeerror-helper",
        "carrier": "statusMessage",
        "text": tool_node_error(provider_id, base["error_type"], base["message"]),
        "exceptionType": base["error_type"],
        "node": {"appName": "Plugin tools corpus", "nodeType": "tool", "title": "list_issues",
                 "nodeId": "tool-py-gh-list-issues-typeerror-helper", "provider": provider_id},
        "expected": {"none": "The status message names no file or line; the traceback only travels in the API log "
                             "line / span events."},
    })
    # 2. Truncated before the user frame (e.g. an attribute length limit): only SDK frames survive.
    cut = tb.index("\n", tb.index("plugin_executor.py")) + 1
    cut = tb.index("\n", cut) + 1  # keep the source line under the executor frame
    write_case({
        "id": "neg-py-truncated-before-user-frame",
        "description": "The real traceback of py-gh-list-issues-typeerror-helper cut after its SDK frames (as an "
                       "attribute length limit would): no user frame is left.",
        "producedBy": produced_by + "; truncated to its first %d characters" % cut,
        "carrier": "spanEvent",
        "text": tb[:cut],
        "attribute": "exception.stacktrace",
        "plugin": plugin_info(info, 0),
        "expected": {"none": "Only SDK (.venv) frames survive the truncation."},
    })
    # 3. Truncated inside the innermost user frame's source line: the user frame header survives.
    frame_at = tb.index('utils/parsing.py"')
    cut2 = tb.index("\n", frame_at) + 12
    write_case({
        "id": "py-truncated-inside-user-frame",
        "description": "The same traceback cut a few characters into the source line under the innermost user frame "
                       "(the exception line is lost): the frame header is complete, so it is still the answer.",
        "producedBy": produced_by + "; truncated to its first %d characters" % cut2,
        "carrier": "spanEvent",
        "text": tb[:cut2],
        "attribute": "exception.stacktrace",
        "plugin": plugin_info(info, 0),
        "expected": {"file": "github-issues/utils/parsing.py",
                     "line": line_of(WORKSPACE / "github-issues/utils/parsing.py", '"author": issue["user"]["login"]')},
    })


if __name__ == "__main__":
    main()
