#!/usr/bin/env python3
"""Stand-in for dify-sandbox 0.2.14 on 127.0.0.1: POST /v1/sandbox/run {language, code, preload, enable_network}
-> {"code":0,"message":"success","data":{"stdout","stderr","error"}}. Runs the code for real with python3 / node.
Python is wrapped the way dify-sandbox's prescript does it (exec(code) at line 44 of
/var/sandbox/sandbox-python/tmp/<uuid>.py, user code compiled as "<string>"). The script is written under
SANDBOX_ROOT (default ./sandbox) and that prefix is removed from stderr so paths read as in the real
sandbox's chroot."""
import json, os, subprocess, sys, uuid
from http.server import ThreadingHTTPServer
from json_handler import JsonHandler

ROOT = os.environ.get("SANDBOX_ROOT", os.path.abspath("sandbox"))
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8194
PY = os.environ.get("SANDBOX_PYTHON", sys.executable)

PRESCRIPT_HEAD = [
    "import ctypes", "import os", "import sys", "import json", "import time", "import traceback",
    "from base64 import b64decode", "",
    "# setup sys.excepthook", "def excepthook(type, value, tb):",
    "    sys.stderr.write(\"\".join(traceback.format_exception(type, value, tb)))",
    "    sys.stderr.flush()", "    sys.exit(-1)", "", "sys.excepthook = excepthook", "",
]


def py_script(code, preload):
    lines = list(PRESCRIPT_HEAD)
    lines += ["code = open(sys.argv[1]).read()", "preload = open(sys.argv[2]).read()", "",
              "if preload:", "    exec(preload)", ""]
    while len(lines) < 43:
        lines.append("")
    lines.append("exec(code)")  # line 44
    return "\n".join(lines) + "\n"


class H(JsonHandler):
    def do_GET(self):
        self.send_json(200, "ok")

    def do_POST(self):
        req = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        lang, code, preload = req.get("language"), req.get("code", ""), req.get("preload", "") or ""
        uid = str(uuid.uuid4()).replace("-", "_")
        if lang == "python3":
            d = os.path.join(ROOT, "var/sandbox/sandbox-python/tmp")
            os.makedirs(d, exist_ok=True)
            f = os.path.join(d, uid + ".py")
            open(f, "w").write(py_script(code, preload))
            open(f + ".code", "w").write(code)
            open(f + ".pre", "w").write(preload)
            cmd = [PY, f, f + ".code", f + ".pre"]
            files = [f, f + ".code", f + ".pre"]
        elif lang == "nodejs":
            d = os.path.join(ROOT, "var/sandbox/sandbox-nodejs/tmp")
            os.makedirs(d, exist_ok=True)
            f = os.path.join(d, uid + ".js")
            open(f, "w").write("const vm=require('vm');const fs=require('fs');"
                               "vm.runInThisContext(fs.readFileSync(process.argv[2],'utf8'),{filename:'anonymous_script'});\n")
            open(f + ".code", "w").write(preload + "\n" + code)
            cmd = ["node", f, f + ".code"]
            files = [f, f + ".code"]
        else:
            return self.send_json(200, {"code": -400, "message": "unsupported language", "data": None})
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=30, cwd=d)
            out, err = p.stdout, p.stderr.replace(ROOT, "")
            if lang == "nodejs":
                err = err.replace("anonymous_script", "<anonymous_script>")
            error = err if p.returncode != 0 else ""
            stderr = "" if p.returncode != 0 else err
        except subprocess.TimeoutExpired:
            out, stderr, error = "", "", "error: timeout"
        finally:
            for x in files:
                try:
                    os.remove(x)
                except OSError:
                    pass
        self.send_json(200, {"code": 0, "message": "success", "data": {"stdout": out, "stderr": stderr, "error": error}})


ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()
