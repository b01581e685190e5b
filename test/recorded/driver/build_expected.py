#!/usr/bin/env python3
"""Build expected.json for a topic folder from runs.json (driver), db_rows.json (Dify's DB truth) and the
recordings (what each exporter actually sent).  Usage: build_expected.py OUTDIR"""
import json, os, re, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from inspect_recordings import traces, load, av

out = sys.argv[1]
rec = os.path.join(out, "recordings")
runs = json.load(open(os.path.join(out, "runs.json")))
db = json.load(open(os.path.join(out, "db_rows.json")))
index = [json.loads(l) for l in open(os.path.join(rec, "otlp", "index.jsonl"))]

infra_traces, aliyun, phoenix, lf_events = set(), {}, [], []
flask_spans = []  # (start_s, end_s, trace_id, name) of service-API server spans, to find the infra trace of a run
resp = json.load(open(os.path.join(rec, "service_api_responses.json")))
for e in index:
    if e["size"] == 0:
        continue
    if e["path"].endswith("/traces"):
        for res, scope, sp in traces(e, rec):
            tid = sp.trace_id.hex()
            if e["sink"] == "infra":
                infra_traces.add(tid)
                if sp.name in ("POST /v1/workflows/run", "POST /v1/chat-messages"):
                    flask_spans.append((sp.start_time_unix_nano / 1e9, sp.end_time_unix_nano / 1e9, tid, sp.name))
            elif e["sink"] == "aliyun":
                aliyun.setdefault(tid, []).append(sp)
            elif e["sink"] == "phoenix":
                phoenix.append(sp)
    elif e["sink"] == "langfuse" and "ingestion" in e["path"]:
        lf_events += json.loads(load(e, rec))["batch"]

expected = {}
for r in runs:
    rid = r["workflow_run_id"]
    r["infra_trace_id_source"] = "x-trace-id response header" if r.get("infra_trace_id") else None
    if not r.get("infra_trace_id"):  # Dify < 1.10 sends no X-Trace-Id response header: match the Flask server span
        win = [(x["t_start"], x["t_end"]) for x in resp if x.get("app") == r["app_name"] and x.get("label") == r["variant"]]
        cands = [f for f in flask_spans for (t0, t1) in win if t0 - 0.5 <= f[0] <= t1]
        if len(cands) == 1:
            r["infra_trace_id"] = cands[0][2]
            r["infra_trace_id_source"] = "Flask server span matched by time window"
    rows = db.get(rid) or {"workflow_run": {}, "node_executions": []}
    wr = rows["workflow_run"] or {}
    failed = [n for n in rows["node_executions"] if n["status"] in ("failed", "exception")]
    e = {k: r.get(k) for k in ("app_name", "scenario", "exporter", "variant", "workflow_run_id", "message_id",
                               "conversation_id")}
    e.update(status=wr.get("status"), kind=r["kind"],
             failing_node={k: failed[0][k] for k in ("title", "node_type", "node_id")} if failed else None,
             failed_nodes_in_db=[{k: n[k] for k in ("title", "node_type", "node_id", "index")} for n in failed],
             error=wr.get("error"), expected_error_kind=r.get("expected_error_kind") if wr.get("error") or failed else None,
             x_trace_id_header=r.get("x_trace_id_header"))
    app_tid, targets = None, []
    if r["exporter"] == "aliyun":
        tid = rid.replace("-", "") if rid else None
        if r.get("message_id") and r["message_id"].replace("-", "") in aliyun:
            tid = r["message_id"].replace("-", "")
        if tid in aliyun:
            app_tid = tid
            targets = sorted({l.trace_id.hex() for sp in aliyun[tid] for l in sp.links})
    elif r["exporter"] == "phoenix":
        for sp in phoenix:
            attrs = {a.key: av(a.value) for a in sp.attributes}
            if rid and rid in str(attrs.get("metadata", "")) or rid and rid in str(attrs.get("dify_trace_id", "")):
                app_tid = sp.trace_id.hex()
                break
        if app_tid:
            targets = sorted({str({a.key: av(a.value) for a in sp.attributes}.get("dify_trace_id"))
                              for sp in phoenix if sp.trace_id.hex() == app_tid and sp.name == "Dify"})
    elif r["exporter"] == "langfuse":
        for ev in lf_events:
            b = ev["body"]
            if ev["type"] == "trace-create" and (b.get("metadata") or {}).get("workflow_run_id") == rid:
                app_tid = b["id"]
        if app_tid:
            targets = [app_tid] if re.fullmatch(r"[0-9a-f]{32}", app_tid) else []
    e.update(app_half_exported=app_tid is not None, app_trace_id=app_tid, app_half_link_targets=targets,
             infra_trace_id=r.get("infra_trace_id"), infra_trace_recorded=r.get("infra_trace_id") in infra_traces)
    e["infra_trace_id_source"] = r.get("infra_trace_id_source")
    e["trace_link_joinable"] = bool(e["infra_trace_recorded"] and r.get("infra_trace_id") in targets)
    e["code_failure"] = r.get("code_failure") if failed and any(n["node_type"] == "code" for n in failed) else None
    e["plugin_failure"] = r.get("plugin_failure") if failed else None
    for k in ("llm_failure", "retrieval_failure"):
        if r.get(k) is not None:
            e[k] = r[k]
    if r["exporter"] == "langfuse":
        e["langfuse_observations"] = sum(1 for ev in lf_events if (ev["body"].get("traceId") == app_tid) and app_tid)
    expected[rid] = e
json.dump(expected, open(os.path.join(out, "expected.json"), "w"), indent=1)
for k, v in expected.items():
    print(v["app_name"], v["variant"], v["status"], (v["failing_node"] or {}).get("title"), "exported", v["app_half_exported"],
          v["app_trace_id"], "infra", v["infra_trace_id"], v["infra_trace_recorded"], "joinable", v["trace_link_joinable"])
