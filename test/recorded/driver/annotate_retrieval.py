#!/usr/bin/env python3
"""For knowledge-retrieval runs with the vector DB down: find the infra spans that carry the vector-store error
(HTTP client spans to the vector DB with status ERROR) recorded during each run, and note in expected.json whether
they are inside the request's infra trace or in detached traces.  Usage: annotate_retrieval.py OUTDIR VDB_PORT"""
import json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from inspect_recordings import traces, av

out, port = sys.argv[1], sys.argv[2]
rec = os.path.join(out, "recordings")
exp = json.load(open(os.path.join(out, "expected.json")))
resp = json.load(open(os.path.join(rec, "service_api_responses.json")))
win = {r["response"]["workflow_run_id"]: (r["t_start"], r["t_end"]) for r in resp if isinstance(r["response"], dict) and r["response"].get("workflow_run_id")}
errs = []
for l in open(os.path.join(rec, "otlp", "index.jsonl")):
    e = json.loads(l)
    if e["sink"] != "infra" or not e["path"].endswith("/traces"):
        continue
    for res, scope, sp in traces(e, rec):
        a = {x.key: av(x.value) for x in sp.attributes}
        url = str(a.get("url.full", a.get("http.url", "")))
        if sp.status.code == 2 and (":%s/" % port) in url:
            errs.append({"file": e["file"], "trace_id": sp.trace_id.hex(), "span_id": sp.span_id.hex(),
                         "parent_span_id": sp.parent_span_id.hex() or None, "name": sp.name, "url": url,
                         "status_message": sp.status.message, "events": [ev.name for ev in sp.events],
                         "start": sp.start_time_unix_nano / 1e9})
for rid, v in exp.items():
    if not v.get("retrieval_failure"):
        continue
    t0, t1 = win.get(rid, (0, 0))
    mine = [x for x in errs if t0 <= x["start"] <= t1]
    v["retrieval_failure"]["vector_db_error_spans"] = mine
    v["expected_error_kind"] = "vector-db"
    v["retrieval_failure"]["silent"] = v["status"] == "succeeded" and not v["failed_nodes_in_db"]
    v["retrieval_failure"]["error_in_request_infra_trace"] = any(x["trace_id"] == v["infra_trace_id"] for x in mine)
    print(v["app_name"], v["status"], len(mine), "error spans; in request trace:", v["retrieval_failure"]["error_in_request_infra_trace"],
          [x["trace_id"] for x in mine])
json.dump(exp, open(os.path.join(out, "expected.json"), "w"), indent=1)
