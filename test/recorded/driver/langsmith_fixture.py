#!/usr/bin/env python3
"""Build the LangSmith fixture folder from a recording folder (run_topic.py output + langsmith_capture.py output).

  OUTDIR/recordings/requests.jsonl  (langsmith_capture.py)   -> FIXDIR/requests.jsonl  (raw_file dropped, paths
                                                                 rewritten like rewrite_paths.py)
                                                             -> FIXDIR/runs.json       (langsmith_runs.py)
  OUTDIR/runs.json + OUTDIR/db_rows.json (run_topic.py)      -> FIXDIR/expected.json   (Dify's truth per workflow run,
                                                                 the fields build_expected.py writes, LangSmith side)
                                                             -> FIXDIR/db_rows.json    (paths rewritten)
Usage: langsmith_fixture.py OUTDIR FIXDIR [--project NAME]
"""
import json, os, re, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import langsmith_runs

# The same rewriting as rewrite_paths.py, from the same environment (RECORD_ROOT, PYTHON_LIB).
from rewrite_paths import RULES


def fix(o):
    if isinstance(o, str):
        for r, t in RULES:
            o = r.sub(t, o)
        return o
    if isinstance(o, list):
        return [fix(x) for x in o]
    if isinstance(o, dict):
        return {k: fix(v) for k, v in o.items()}
    return o


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    project = sys.argv[sys.argv.index("--project") + 1] if "--project" in sys.argv else "dify-langsmith"
    if "--project" in sys.argv:
        args.remove(project)
    out, fixdir = args
    os.makedirs(fixdir, exist_ok=True)
    reqs = []
    for line in open(os.path.join(out, "recordings", "requests.jsonl")):
        r = json.loads(line)
        r.pop("raw_file", None)
        reqs.append(fix(r))
    with open(os.path.join(fixdir, "requests.jsonl"), "w") as f:
        for r in reqs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    res = langsmith_runs.build(reqs, project)
    json.dump(res, open(os.path.join(fixdir, "runs.json"), "w"), indent=1, ensure_ascii=False)
    ls_runs = {r["id"]: r for r in res["runs"]}
    sent_trace = {}  # run id -> trace_id exactly as Dify sent it
    for rec in reqs:
        for _, r in langsmith_runs.ops_of(rec):
            if r.get("trace_id"):
                sent_trace[langsmith_runs.canon_uuid(r["id"])] = r["trace_id"]

    runs = fix(json.load(open(os.path.join(out, "runs.json"))))
    db = fix(json.load(open(os.path.join(out, "db_rows.json"))))
    json.dump(db, open(os.path.join(fixdir, "db_rows.json"), "w"), indent=1, ensure_ascii=False)
    expected = {}
    for r in runs:
        rid = r["workflow_run_id"]
        rows = db.get(rid) or {"workflow_run": {}, "node_executions": []}
        wr = rows["workflow_run"] or {}
        failed = [n for n in rows["node_executions"] if n["status"] in ("failed", "exception")]
        e = {k: r.get(k) for k in ("app_name", "scenario", "exporter", "variant", "workflow_run_id", "message_id",
                                   "conversation_id")}
        e.update(status=wr.get("status"), kind=r["kind"],
                 failing_node={k: failed[0][k] for k in ("title", "node_type", "node_id")} if failed else None,
                 failed_nodes_in_db=[{k: n[k] for k in ("title", "node_type", "node_id", "index")} for n in failed],
                 error=wr.get("error"),
                 expected_error_kind=r.get("expected_error_kind") if wr.get("error") or failed else None,
                 x_trace_id_header=r.get("x_trace_id_header"))
        wf = ls_runs.get(rid)
        app_tid = sent_trace.get(rid)
        trace_runs = [x for x in res["runs"] if wf and x["trace_id"] == wf["trace_id"]]
        e.update(app_half_exported=wf is not None, app_trace_id=app_tid,
                 langsmith_trace_id=wf["trace_id"] if wf else None,
                 infra_trace_id=r.get("infra_trace_id"),
                 infra_trace_id_source="x-trace-id response header" if r.get("infra_trace_id") else None,
                 trace_link_joinable=bool(app_tid and app_tid.replace("-", "") == (r.get("infra_trace_id") or "")),
                 code_failure=r.get("code_failure") if failed and any(n["node_type"] == "code" for n in failed) else None,
                 plugin_failure=r.get("plugin_failure") if failed else None)
        for k in ("llm_failure", "retrieval_failure"):
            if r.get(k) is not None:
                e[k] = r[k]
        e["dify_enable_otel"] = not r["variant"].endswith(".otel-off")  # second pass ran with ENABLE_OTEL=false
        # LangSmith answers 400 "trace_id does not match first part of dotted_order" when a run's trace_id is not
        # the id of the trace's root run (the first id in dotted_order); see README.md
        e["langsmith_trace_id_matches_root"] = bool(trace_runs) and all(
            x["dotted_order"] and x["trace_id"] == langsmith_runs.canon_uuid(x["dotted_order"].split(".")[0][-36:])
            for x in trace_runs)
        e["langsmith_runs_in_trace"] = len(trace_runs)
        e["langsmith_run_ids"] = {
            "message": r.get("message_id") if r.get("message_id") in ls_runs else None,
            "workflow": rid if wf else None,
            "nodes": [x["id"] for x in trace_runs if x["parent_run_id"] == rid],
        }
        expected[rid] = e
    json.dump(expected, open(os.path.join(fixdir, "expected.json"), "w"), indent=1, ensure_ascii=False)
    for v in expected.values():
        print(v["app_name"], v["variant"], v["status"], (v["failing_node"] or {}).get("title"),
              "exported", v["app_half_exported"], v["app_trace_id"], "runs", v["langsmith_runs_in_trace"],
              "otel", v["dify_enable_otel"], "root-match", v["langsmith_trace_id_matches_root"])
    print(fixdir, len(reqs), "requests,", len(res["runs"]), "runs,", len(expected), "workflow runs")


if __name__ == "__main__":
    main()
