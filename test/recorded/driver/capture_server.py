#!/usr/bin/env python3
"""Loopback capture server for Dify trace exporters.

Listens on several 127.0.0.1 ports, one per sink, and records every request body in arrival order:
  OUT/otlp/NNNNN.bin + OUT/otlp/index.jsonl  (POST bodies of every sink; Langfuse GETs too, size 0)
  OUT/requests.jsonl                          (every request incl. HEAD/GET: method, path, headers w/o secrets)
Answers like the real backends do:
  OTLP POST (any sink)               -> 200, empty protobuf body
  HEAD (aliyun health check)         -> 405
  langfuse GET /api/public/projects  -> {"data":[{"id":"p1","name":"rec"}]}
  langfuse POST /api/public/ingestion-> 207 {"successes":[{"id":..,"status":201}],"errors":[]}
Usage: capture_server.py OUTDIR infra=4318 phoenix=4319 aliyun=4320 langfuse=4321
"""
import json, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OUT = sys.argv[1]
SINKS = dict((kv.split("=")[0], int(kv.split("=")[1])) for kv in sys.argv[2:]) or {
    "infra": 4318, "phoenix": 4319, "aliyun": 4320, "langfuse": 4321}
os.makedirs(os.path.join(OUT, "otlp"), exist_ok=True)
LOCK = threading.Lock()
_existing = [f for f in os.listdir(os.path.join(OUT, "otlp")) if f.endswith(".bin")]
COUNTER = [len(_existing)]
SECRET_HEADERS = {"authorization", "api_key", "api-key", "x-api-key", "cookie", "space_id"}


def make_handler(sink, port):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def _headers(self):
            return {k: ("<redacted>" if k.lower() in SECRET_HEADERS else v) for k, v in self.headers.items()}

        def _record(self, body, write_body):
            ts = time.time()
            with LOCK:
                entry = None
                if write_body:
                    n = COUNTER[0]
                    COUNTER[0] += 1
                    fn = "%05d.bin" % n
                    with open(os.path.join(OUT, "otlp", fn), "wb") as f:
                        f.write(body)
                    entry = {"file": fn, "ts": ts, "sink": sink, "port": port, "path": self.path,
                             "content_type": self.headers.get("Content-Type", ""),
                             "content_encoding": self.headers.get("Content-Encoding", ""),
                             "size": len(body), "user_agent": self.headers.get("User-Agent", "")}
                    if sink == "langfuse":
                        entry["method"] = self.command
                    with open(os.path.join(OUT, "otlp", "index.jsonl"), "a") as f:
                        f.write(json.dumps(entry) + "\n")
                with open(os.path.join(OUT, "requests.jsonl"), "a") as f:
                    f.write(json.dumps({"ts": ts, "sink": sink, "port": port, "method": self.command,
                                        "path": self.path, "headers": self._headers(), "size": len(body),
                                        "file": entry["file"] if entry else None}) + "\n")

        def _read(self):
            n = int(self.headers.get("Content-Length") or 0)
            if n:
                return self.rfile.read(n)
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                data = b""
                while True:
                    line = self.rfile.readline().strip()
                    size = int(line.split(b";")[0], 16)
                    if size == 0:
                        self.rfile.readline()
                        break
                    data += self.rfile.read(size)
                    self.rfile.readline()
                return data
            return b""

        def _send(self, code, body=b"", ctype="application/json"):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self):
            self._record(b"", False)
            self._send(405, b"")

        def do_GET(self):
            self._record(b"", sink == "langfuse")
            if sink == "langfuse" and self.path.startswith("/api/public/projects"):
                return self._send(200, json.dumps({"data": [{"id": "p1", "name": "rec", "organization": {"id": "o1", "name": "rec-org"}, "metadata": {}, "retentionDays": None}]}).encode())
            if sink == "langfuse" and self.path.startswith("/api/public/health"):
                return self._send(200, b'{"status":"OK","version":"3.0.0"}')
            self._send(200, b"{}")

        def do_POST(self):
            body = self._read()
            self._record(body, True)
            if sink == "langfuse" and self.path.startswith("/api/public/ingestion"):
                try:
                    ids = [e.get("id") for e in json.loads(body or b"{}").get("batch", [])]
                except Exception:
                    ids = []
                return self._send(207, json.dumps({"successes": [{"id": i, "status": 201} for i in ids],
                                                   "errors": []}).encode())
            if self.path.endswith("/traces") or self.path.endswith("/metrics") or self.path.endswith("/logs") \
                    or "otlp" in self.path or "otel" in self.path:
                return self._send(200, b"", "application/x-protobuf")
            self._send(200, b"{}")

        do_PUT = do_POST
        do_PATCH = do_POST
    return H


servers = []
for sink, port in SINKS.items():
    s = ThreadingHTTPServer(("127.0.0.1", port), make_handler(sink, port))
    s.daemon_threads = True
    threading.Thread(target=s.serve_forever, daemon=True).start()
    servers.append(s)
print("capture listening", SINKS, "->", OUT, flush=True)
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    pass
