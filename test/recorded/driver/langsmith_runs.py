#!/usr/bin/env python3
"""Turn the requests recorded by langsmith_capture.py into the runs LangSmith would store and return from its
runs query API (POST /api/v1/runs/query -> {"runs": [...], "cursors": {"next": null}}).

One object per run id: the create (POST /runs, POST /runs/batch "post", multipart `post.<id>` + `post.<id>.<field>`
parts) merged with any updates (PATCH /runs/<id>, batch "patch", multipart `patch.<id>...`), later non-null fields
winning. Fields are those of the langsmith SDK's `schemas.Run` model:
  id, name, run_type, start_time, end_time  (naive UTC ISO strings with microseconds, as the API returns them)
  status        "error" if error is a non-empty string, else "success" if end_time is set, else "pending"
  error, inputs, outputs, extra (as sent, incl. extra.metadata and the SDK's extra.runtime), tags, events,
  serialized, reference_example_id
  trace_id      canonical UUID text (the 32-hex ids Dify sends are the same UUIDs without dashes); the run's own id
                when none was sent (a root run is its own trace)
  dotted_order  as sent; for a root run sent without one: <start_time %Y%m%dT%H%M%S%fZ><id>, as the server derives it
  parent_run_id, parent_run_ids (ancestors from dotted_order, root first), session_id (one fixed project id: uuid5
                of the project name, the same id langsmith_capture.py answers), child_run_ids (null)
  prompt_tokens / completion_tokens / total_tokens from the run's input_tokens / output_tokens / total_tokens
                fields (Dify sends them as top-level run fields), else from outputs.usage_metadata; null if absent
Fields a run carried that the Run model has no place for (Dify's file_list, input_attachments, output_attachments,
input_tokens, output_tokens, session_name) are dropped. Runs are listed in the order their create arrived.

Usage: langsmith_runs.py REQUESTS.jsonl OUT_RUNS.json [--project NAME] [--validate]
  --validate  parse every run with langsmith.schemas.Run (needs the langsmith package, e.g. Dify's venv python)
"""
import json, re, sys, uuid
from datetime import datetime, timezone

NS = uuid.UUID("5b0c2f7e-6a38-4f0e-9d2a-0c7c3e1d9a11")  # same namespace as langsmith_capture.py
SPLIT_FIELDS = ("inputs", "outputs", "events", "extra", "error", "serialized")


def project_id(name):
    return str(uuid.uuid5(NS, "project/" + name))


def ops_of(rec):
    """Yield (op, run_dict) for one recorded request."""
    path, method, body, kind = rec["path"], rec["method"], rec["body"], rec["body_kind"]
    p = path[len("/api/v1"):] if path.startswith("/api/v1/") else path
    if rec.get("response_status", 202) >= 400:
        return
    if method == "POST" and p.rstrip("/") == "/runs" and kind == "json":
        yield "post", dict(body)
    elif method == "PATCH" and re.fullmatch(r"/runs/[^/]+/?", p) and kind == "json":
        yield "patch", dict(body, id=p.strip("/").split("/")[1])
    elif method == "POST" and p.rstrip("/") == "/runs/batch" and kind == "json":
        for op in ("post", "patch"):
            for r in body.get(op) or []:
                yield op, dict(r)
    elif method == "POST" and p.rstrip("/") == "/runs/multipart" and kind == "multipart":
        runs = {}
        order = []
        for part in body:
            name = part["name"] or ""
            bits = name.split(".")
            if bits[0] not in ("post", "patch") or len(bits) < 2:
                continue  # feedback.<id>, attachment.<id>.<name>: not run fields
            key = (bits[0], bits[1])
            if key not in runs:
                runs[key] = {}
                order.append(key)
            if len(bits) == 2:
                runs[key].update(part["value"])
            elif len(bits) == 3 and bits[2] in SPLIT_FIELDS:
                runs[key][bits[2]] = part["value"]
        for key in order:
            yield key[0], dict(runs[key], id=runs[key].get("id", key[1]))


def parse_time(v):
    if v is None:
        return None
    d = datetime.fromisoformat(v.replace("Z", "+00:00"))
    if d.tzinfo is not None:
        d = d.astimezone(timezone.utc).replace(tzinfo=None)
    return d


def iso(d):
    return d.strftime("%Y-%m-%dT%H:%M:%S.%f") if d else None


def canon_uuid(v):
    return str(uuid.UUID(str(v))) if v else None


def tokens(run):
    um = run.get("outputs", {}).get("usage_metadata") if isinstance(run.get("outputs"), dict) else None
    um = um if isinstance(um, dict) else {}
    pick = lambda top, sub: run.get(top) if run.get(top) is not None else um.get(sub)
    return pick("input_tokens", "input_tokens"), pick("output_tokens", "output_tokens"), pick("total_tokens", "total_tokens")


def build(requests, project):
    merged, order = {}, []
    for rec in requests:
        for op, r in ops_of(rec):
            rid = canon_uuid(r["id"])
            if rid not in merged:
                merged[rid] = {}
                order.append(rid)
            if op == "post":
                merged[rid].update(r)
            else:
                merged[rid].update({k: v for k, v in r.items() if v is not None})
    out = []
    for rid in order:
        r = merged[rid]
        start, end = parse_time(r.get("start_time")), parse_time(r.get("end_time"))
        parent = canon_uuid(r.get("parent_run_id"))
        dotted = r.get("dotted_order")
        if not dotted and not parent and start:
            dotted = start.strftime("%Y%m%dT%H%M%S%fZ") + rid
        ancestors = [canon_uuid(seg[-36:]) for seg in dotted.split(".")[:-1]] if dotted else None
        err = r.get("error")
        status = "error" if isinstance(err, str) and err != "" else ("success" if end else "pending")
        pt, ct, tt = tokens(r)
        out.append({
            "id": rid, "name": r.get("name"), "run_type": r.get("run_type"),
            "start_time": iso(start), "end_time": iso(end), "status": status, "error": err,
            "inputs": r.get("inputs") or {}, "outputs": r.get("outputs"), "extra": r.get("extra"),
            "tags": r.get("tags"), "events": r.get("events"), "serialized": r.get("serialized"),
            "reference_example_id": canon_uuid(r.get("reference_example_id")),
            "trace_id": canon_uuid(r.get("trace_id")) or rid, "dotted_order": dotted,
            "parent_run_id": parent, "parent_run_ids": ancestors if parent else [],
            "session_id": project_id(r.get("session_name") or project) if r.get("session_id") is None
            else canon_uuid(r["session_id"]),
            "child_run_ids": None,
            "prompt_tokens": pt, "completion_tokens": ct, "total_tokens": tt,
        })
    return {"runs": out, "cursors": {"next": None}}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    project = sys.argv[sys.argv.index("--project") + 1] if "--project" in sys.argv else "dify-langsmith"
    if "--project" in sys.argv:
        args.remove(project)
    if len(args) != 2:
        raise SystemExit(__doc__)
    reqs = [json.loads(l) for l in open(args[0]) if l.strip()]
    res = build(reqs, project)
    if "--validate" in sys.argv:
        from langsmith.schemas import Run
        for r in res["runs"]:
            Run(**r)
        print("validated", len(res["runs"]), "runs with langsmith.schemas.Run")
    json.dump(res, open(args[1], "w"), indent=1, ensure_ascii=False)
    print(args[1], len(res["runs"]), "runs")


if __name__ == "__main__":
    main()
