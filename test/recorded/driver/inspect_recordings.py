#!/usr/bin/env python3
"""Summarise a recordings/ folder: per body the sink, path and (OTLP) resource/scope/span names, (Langfuse JSON)
event types and body keys.  Needs opentelemetry-proto.  Usage: inspect_recordings.py RECDIR [--spans] [--sink S]"""
import gzip, json, os, sys
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

rec = sys.argv[1] if len(sys.argv) > 1 else "."
show_spans = "--spans" in sys.argv
only = sys.argv[sys.argv.index("--sink") + 1] if "--sink" in sys.argv else None


def av(v):
    k = v.WhichOneof("value")
    return getattr(v, k) if k not in ("array_value", "kvlist_value") else str(getattr(v, k))[:80]


def load(entry, recdir=None):
    b = open(os.path.join(recdir or rec, "otlp", entry["file"]), "rb").read()
    if entry.get("content_encoding") == "gzip":
        b = gzip.decompress(b)
    return b


def traces(entry, recdir=None):
    req = ExportTraceServiceRequest()
    req.ParseFromString(load(entry, recdir))
    for rs in req.resource_spans:
        res = {a.key: av(a.value) for a in rs.resource.attributes}
        for ss in rs.scope_spans:
            for sp in ss.spans:
                yield res, ss.scope.name, sp


if __name__ == "__main__":
    for line in open(os.path.join(rec, "otlp", "index.jsonl")):
        e = json.loads(line)
        if only and e["sink"] != only:
            continue
        if e["path"].endswith("/traces") and e["size"]:
            spans = list(traces(e))
            svc = sorted({r.get("service.name", r.get("openinference.project.name", "?")) for r, _, _ in spans})
            scopes = sorted({s for _, s, _ in spans})
            print(e["file"], e["sink"], e["path"], "services", svc, "scopes", scopes, "n", len(spans))
            if show_spans:
                for r, s, sp in spans:
                    attrs = {a.key: av(a.value) for a in sp.attributes}
                    print("   ", sp.trace_id.hex(), sp.span_id.hex(), sp.parent_span_id.hex() or "-", sp.name,
                          "status", sp.status.code, sp.status.message[:60].replace("\n", " "),
                          "links", [l.trace_id.hex() for l in sp.links], "events", [ev.name for ev in sp.events],
                          {k: (str(v)[:40]) for k, v in attrs.items() if k in ("workflow_run_id", "node.type", "dify_trace_id", "gen_ai.span.kind", "openinference.span.kind")})
        elif e["sink"] == "langfuse" and e["size"] and "ingestion" in e["path"]:
            b = json.loads(load(e))
            for ev in b["batch"]:
                bd = ev["body"]
                print(e["file"], "langfuse", e.get("method"), e["path"], ev["type"], "event keys", sorted(ev),
                      "body keys", sorted(bd), "id", bd.get("id"), "traceId", bd.get("traceId"), "name", bd.get("name"),
                      "level", bd.get("level"))
        elif not show_spans:
            print(e["file"], e["sink"], e.get("method", "POST"), e["path"], e["size"])
