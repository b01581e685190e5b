#!/usr/bin/env python3
"""Loopback capture server that stands in for LangSmith's API (what the `langsmith` Python SDK calls).

Records every request in arrival order:
  OUT/requests.jsonl   one line per request: seq, ts, method, path, query, headers (x-api-key and other secrets
                       dropped), content type/encoding, body size, decoded body (JSON, multipart parts with their
                       JSON decoded, text, or base64), the status and body this server answered
  OUT/raw/NNNNN.bin    the request body bytes exactly as received (only for requests with a body)

Answers what the SDK needs to keep sending (paths also accepted with an /api/v1 prefix):
  GET  /info                    -> server info: batch_ingest_config.use_multipart_endpoint=true, instance_flags
                                   without zstd_compression_enabled (so the SDK sends uncompressed multipart),
                                   unless --zstd is given (then the flag is on; bodies are decoded if the
                                   `zstandard` module is importable, otherwise stored base64)
  GET  /settings                -> tenant settings
  POST /sessions                -> the created project (TracerSession JSON, id from the request)
  GET  /sessions[?name=N]       -> [project N] (a project is created on the fly for any name asked for)
  GET  /sessions/{id}           -> that project; DELETE /sessions/{id} -> 202
  POST /runs, POST /runs/batch, POST /runs/multipart, PATCH /runs/{id} -> 202 {}
  anything else                 -> 404 {"detail": "Not Found"} (still recorded)
Project ids are uuid5 of the project name, so the same project always has the same id.

Usage: langsmith_capture.py OUTDIR [--port 4322] [--host 127.0.0.1] [--tls CERT.pem KEY.pem] [--zstd]
Dify 1.13.3 only accepts an https:// LangSmith endpoint, hence --tls (a loopback certificate the Dify processes
trust through REQUESTS_CA_BUNDLE; see README.md).
"""
import base64, json, os, ssl, sys, threading, time, uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SECRET_HEADERS = {"x-api-key", "authorization", "cookie", "x-service-key"}
NS = uuid.UUID("5b0c2f7e-6a38-4f0e-9d2a-0c7c3e1d9a11")
TENANT_ID = str(uuid.uuid5(NS, "tenant"))


def project_id(name):
    return str(uuid.uuid5(NS, "project/" + name))


def parse_args(argv):
    opts = {"out": None, "host": "127.0.0.1", "port": 4322, "tls": None, "zstd": False}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--port":
            opts["port"] = int(argv[i + 1]); i += 2
        elif a == "--host":
            opts["host"] = argv[i + 1]; i += 2
        elif a == "--tls":
            opts["tls"] = (argv[i + 1], argv[i + 2]); i += 3
        elif a == "--zstd":
            opts["zstd"] = True; i += 1
        elif opts["out"] is None:
            opts["out"] = a; i += 1
        else:
            raise SystemExit(__doc__)
    if not opts["out"]:
        raise SystemExit(__doc__)
    return opts


def decode_json_or_text(b):
    try:
        t = b.decode("utf-8")
    except UnicodeDecodeError:
        return "base64", base64.b64encode(b).decode()
    try:
        return "json", json.loads(t)
    except ValueError:
        return "text", t


def parse_multipart(body, content_type):
    """Split a multipart/form-data body into parts (name, headers, decoded content)."""
    boundary = None
    for p in content_type.split(";"):
        p = p.strip()
        if p.lower().startswith("boundary="):
            boundary = p.split("=", 1)[1].strip('"')
    if not boundary:
        return None
    delim = b"--" + boundary.encode()
    parts = []
    for chunk in body.split(delim)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk
        if chunk.endswith(b"\r\n"):
            chunk = chunk[:-2]
        head, _, data = chunk.partition(b"\r\n\r\n")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip()] = v.strip()
        name = None
        disp = headers.get("Content-Disposition", "")
        for item in disp.split(";"):
            item = item.strip()
            if item.startswith("name="):
                name = item[5:].strip('"')
        kind, value = decode_json_or_text(data)
        parts.append({"name": name, "headers": headers, "length": len(data), "kind": kind, "value": value})
    return parts


def main():
    o = parse_args(sys.argv[1:])
    out = o["out"]
    os.makedirs(os.path.join(out, "raw"), exist_ok=True)
    lock = threading.Lock()
    seq = [sum(1 for _ in open(os.path.join(out, "requests.jsonl")))
           if os.path.exists(os.path.join(out, "requests.jsonl")) else 0]
    projects = {}  # id -> TracerSession JSON

    def project(name, pid=None, extra=None, description=None):
        if pid is None:  # look up by name first (a project created by POST keeps the id it was posted with)
            pid = next((k for k, v in projects.items() if v["name"] == name), None) or project_id(name)
        if pid not in projects:
            projects[pid] = {"id": pid, "name": name, "tenant_id": TENANT_ID,
                             "start_time": datetime.now(timezone.utc).isoformat(), "end_time": None,
                             "description": description, "extra": extra, "reference_dataset_id": None,
                             "run_count": 0}
        return projects[pid]

    info = {"version": "capture-0.1 (langsmith_capture.py stand-in)", "license_expiration_time": None,
            "batch_ingest_config": {"use_multipart_endpoint": True, "scale_up_qsize_trigger": 1000,
                                    "scale_up_nthreads_limit": 16, "scale_down_nempty_trigger": 4,
                                    "size_limit": 100, "size_limit_bytes": 20971520},
            "instance_flags": {"zstd_compression_enabled": bool(o["zstd"]), "dataset_examples_multipart_enabled": True,
                               "examples_multipart_enabled": True, "experimental_search_enabled": False,
                               "generate_ai_query_enabled": False, "org_creation_disabled": False,
                               "payment_enabled": False, "personal_orgs_disabled": False,
                               "playground_auth_bypass_enabled": False, "s3_storage_enabled": True,
                               "search_enabled": True, "show_ttl_ui": False, "trace_tier_duration_days": {},
                               "workspace_scope_org_invites": False}}

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def _body(self):
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                buf = b""
                while True:
                    size = int(self.rfile.readline().strip().split(b";")[0], 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return buf
                    buf += self.rfile.read(size)
                    self.rfile.readline()
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def _answer(self, method, path, query, body_obj):
            p = path[len("/api/v1"):] if path.startswith("/api/v1/") else path
            p = p.rstrip("/") or "/"
            seg = p.strip("/").split("/")
            if method == "GET" and p == "/info":
                return 200, info
            if method == "GET" and p == "/settings":
                return 200, {"id": TENANT_ID, "display_name": "capture", "created_at": "2026-01-01T00:00:00+00:00",
                             "tenant_handle": "capture"}
            if seg[0] == "sessions":
                if method == "POST" and len(seg) == 1:
                    b = body_obj if isinstance(body_obj, dict) else {}
                    return 200, project(b.get("name") or "default", b.get("id"), b.get("extra"), b.get("description"))
                if method == "GET" and len(seg) == 1:
                    name = (query.get("name") or [None])[0]
                    if name:
                        return 200, [project(name)]
                    return 200, list(projects.values())[:1] or [project("default")]
                if len(seg) == 2:
                    pr = projects.get(seg[1])
                    if method == "GET":
                        return (200, pr) if pr else (404, {"detail": "Project not found"})
                    if method == "DELETE":
                        projects.pop(seg[1], None)
                        return 202, {}
                    if method == "PATCH" and pr:
                        pr.update({k: v for k, v in (body_obj or {}).items() if v is not None})
                        return 200, pr
            if seg[0] == "runs":
                if method == "POST" and (len(seg) == 1 or seg[1:] in (["batch"], ["multipart"])):
                    return 202, {}
                if method == "PATCH" and len(seg) == 2:
                    return 202, {}
            return 404, {"detail": "Not Found"}

        def _handle(self):
            raw = self._body()
            ts = time.time()
            u = urlsplit(self.path)
            query = parse_qs(u.query, keep_blank_values=True)
            ctype = self.headers.get("Content-Type", "")
            cenc = self.headers.get("Content-Encoding", "")
            body = raw
            decoded_from = None
            if raw and cenc.lower() == "zstd":
                try:
                    import zstandard  # optional, only with --zstd
                    body = zstandard.ZstdDecompressor().decompressobj().decompress(raw)
                    decoded_from = "zstd"
                except Exception as e:  # keep the raw bytes
                    body, decoded_from = None, "zstd-undecoded: %r" % (e,)
            if body is None:
                kind, value = "base64", base64.b64encode(raw).decode()
            elif not body:
                kind, value = "empty", None
            elif ctype.lower().startswith("multipart/"):
                parts = parse_multipart(body, ctype)
                kind, value = ("multipart", parts) if parts is not None else decode_json_or_text(body)
            else:
                kind, value = decode_json_or_text(body)
            status, answer = self._answer(self.command, u.path, query, value if kind == "json" else None)
            with lock:
                n = seq[0]
                seq[0] += 1
                raw_file = None
                if raw:
                    raw_file = "raw/%05d.bin" % n
                    with open(os.path.join(out, raw_file), "wb") as f:
                        f.write(raw)
                rec = {"seq": n, "ts": ts, "method": self.command, "path": u.path, "query": query,
                       "headers": {k: v for k, v in self.headers.items() if k.lower() not in SECRET_HEADERS},
                       "dropped_headers": sorted({k.lower() for k in self.headers.keys()} & SECRET_HEADERS),
                       "content_type": ctype, "content_encoding": cenc, "body_size": len(raw),
                       "raw_file": raw_file, "decoded_from": decoded_from, "body_kind": kind, "body": value,
                       "response_status": status, "response_body": answer}
                with open(os.path.join(out, "requests.jsonl"), "a") as f:
                    f.write(json.dumps(rec) + "\n")
            b = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(b)))
            self.end_headers()
            self.wfile.write(b)
            print("%s %s %s %d bytes -> %d" % (time.strftime("%H:%M:%S"), self.command, self.path, len(raw), status),
                  flush=True)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

    srv = ThreadingHTTPServer((o["host"], o["port"]), H)
    scheme = "http"
    if o["tls"]:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*o["tls"])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        scheme = "https"
    print("langsmith capture on %s://%s:%d -> %s" % (scheme, o["host"], o["port"], out), flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
