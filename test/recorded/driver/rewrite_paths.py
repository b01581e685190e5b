#!/usr/bin/env python3
"""Rewrite machine paths once inside a topic folder (as the earlier recording did): decode each body, replace in
every string field, encode again; JSON files likewise.  Dify code reads as the docker image's /app/api/..., the
Python stdlib as /usr/local/lib/python3.12/, the plugin daemon source as $WORK/daemon/, other local paths as
$WORK/....  Updates index.jsonl sizes.  Usage: rewrite_paths.py OUTDIR"""
import json, os, re, sys
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from google.protobuf.descriptor import FieldDescriptor as FD

# RECORD_ROOT: the folder the recording session worked in (its Dify sources under src/); PYTHON_LIB: the stdlib of the Python that ran Dify.
ROOT = re.escape(os.environ.get("RECORD_ROOT", os.getcwd()).rstrip("/") + "/")
PYLIB = re.escape(os.environ.get("PYTHON_LIB", "/usr/lib/python3.12/"))
RULES = [(re.compile(ROOT + r"src/dify-[0-9.]+/api/"), "/app/api/"),
         (re.compile(PYLIB), "/usr/local/lib/python3.12/"),
         (re.compile(ROOT + r"src/plugin-daemon/"), "$WORK/daemon/"),
         (re.compile(ROOT), "$WORK/")]


def fix(s):
    for r, t in RULES:
        s = r.sub(t, s)
    return s


def walk(msg):
    n = 0
    for fd, val in msg.ListFields():
        if fd.type == FD.TYPE_STRING:
            if fd.is_repeated:
                new = [fix(v) for v in val]
                if new != list(val):
                    del val[:]; val.extend(new); n += 1
            elif fix(val) != val:
                setattr(msg, fd.name, fix(val)); n += 1
        elif fd.type == FD.TYPE_MESSAGE:
            if fd.is_repeated:
                if fd.message_type.GetOptions().map_entry:
                    continue
                for v in val:
                    n += walk(v)
            else:
                n += walk(val)
    return n


def fix_json(o):
    if isinstance(o, str):
        return fix(o)
    if isinstance(o, list):
        return [fix_json(x) for x in o]
    if isinstance(o, dict):
        return {k: fix_json(v) for k, v in o.items()}
    return o


out = sys.argv[1]
d = os.path.join(out, "recordings", "otlp")
idx = [json.loads(l) for l in open(os.path.join(d, "index.jsonl"))]
changed = 0
for e in idx:
    p = os.path.join(d, e["file"])
    b = open(p, "rb").read()
    if not b or e.get("content_encoding"):
        continue
    if e["content_type"] == "application/x-protobuf":
        m = ExportMetricsServiceRequest() if e["path"].endswith("/metrics") else ExportTraceServiceRequest()
        m.ParseFromString(b)
        if walk(m):
            b2 = m.SerializeToString()
        else:
            continue
    elif "json" in e["content_type"]:
        t = b.decode()
        if fix(t) == t:
            continue
        b2 = json.dumps(fix_json(json.loads(t))).encode()
    else:
        continue
    open(p, "wb").write(b2); e["size"] = len(b2); changed += 1
open(os.path.join(d, "index.jsonl"), "w").write("".join(json.dumps(e) + "\n" for e in idx))
for f in ["expected.json", "db_rows.json", "runs.json", "recordings/service_api_responses.json"]:
    p = os.path.join(out, f)
    if os.path.exists(p):
        json.dump(fix_json(json.load(open(p))), open(p, "w"), indent=1)
print(out, "bodies rewritten:", changed)
