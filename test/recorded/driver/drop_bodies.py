#!/usr/bin/env python3
"""Drop recorded bodies whose user agent contains a marker (e.g. a previous Dify's shutdown flush) and renumber the
rest so files stay contiguous.  Usage: drop_bodies.py RECDIR MARKER"""
import json, os, sys
rec, marker = sys.argv[1], sys.argv[2]
d = os.path.join(rec, "otlp")
idx = [json.loads(l) for l in open(os.path.join(d, "index.jsonl"))]
keep, ren = [], {}
for e in idx:
    if marker in (e.get("user_agent") or ""):
        os.remove(os.path.join(d, e["file"])); ren[e["file"]] = None; continue
    new = "%05d.bin" % len(keep)
    if new != e["file"]:
        os.rename(os.path.join(d, e["file"]), os.path.join(d, new + ".tmp"))
    ren[e["file"]] = new; e["file"] = new; keep.append(e)
for e in keep:
    p = os.path.join(d, e["file"] + ".tmp")
    if os.path.exists(p): os.rename(p, os.path.join(d, e["file"]))
open(os.path.join(d, "index.jsonl"), "w").write("".join(json.dumps(e) + "\n" for e in keep))
rq = os.path.join(rec, "requests.jsonl")
if os.path.exists(rq):
    out = []
    for l in open(rq):
        r = json.loads(l)
        if r.get("file") in ren and ren[r["file"]] is None: continue
        if r.get("file") in ren: r["file"] = ren[r["file"]]
        out.append(json.dumps(r) + "\n")
    open(rq, "w").write("".join(out))
print("dropped", sum(1 for v in ren.values() if v is None), "kept", len(keep))
