#!/usr/bin/env python3
"""Print a markdown table of a topic folder's runs (from expected.json) and its body counts per sink/path."""
import collections, json, os, sys
out = sys.argv[1]
e = json.load(open(os.path.join(out, "expected.json")))
print("| app | variant | kind | status | failing node | exporter half | infra trace recorded | joinable |")
print("|---|---|---|---|---|---|---|---|")
for rid, v in e.items():
    fn = v["failing_node"]
    print(f"| {v['app_name']} | {v['variant']} | {v['kind']} | {v['status']} | "
          f"{(fn['title'] + ' (' + fn['node_type'] + ')') if fn else '-'} | {'yes' if v['app_half_exported'] else 'NO'} | "
          f"{v['infra_trace_recorded']} | {v['trace_link_joinable']} |")
idx = [json.loads(l) for l in open(os.path.join(out, "recordings", "otlp", "index.jsonl"))]
c = collections.Counter((x["sink"], x.get("method", "POST"), x["path"]) for x in idx)
print("\nBodies: %d\n" % len(idx))
for (s, m, p), n in sorted(c.items()):
    print(f"- {s} {m} {p}: {n}")
