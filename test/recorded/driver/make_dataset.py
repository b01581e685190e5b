#!/usr/bin/env python3
"""Create a high-quality (embedding) dataset with one text document through Dify's console + dataset service API
and wait until it is indexed.  Prints the dataset id.  Usage: make_dataset.py NAME EMBED_MODEL EMBED_PROVIDER"""
import json, sys, time, urllib.request
sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
import difyrec

name, model, provider = sys.argv[1:4]
c = difyrec.Console(); c.setup_and_login()
st, r = c.req("POST", "/datasets/api-keys")
key = r["token"]


def svc(method, path, body=None):
    req = urllib.request.Request(difyrec.BASE + "/v1" + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Authorization", "Bearer " + key); req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=120) as resp:
        return json.loads(resp.read() or b"null")


ds = svc("POST", "/datasets", {"name": name, "indexing_technique": "high_quality", "embedding_model": model,
                                "embedding_model_provider": provider,
                                "retrieval_model": {"search_method": "semantic_search", "reranking_enable": False,
                                                    "top_k": 3, "score_threshold_enabled": False}})
text = ("Returns policy: items can be returned within 30 days of delivery with the original receipt.\n\n"
        "Shipping: standard shipping takes 3 to 5 business days; express shipping takes 1 business day.\n\n"
        "Warranty: kettles and toasters carry a two year warranty covering manufacturing defects.")
doc = svc("POST", f"/datasets/{ds['id']}/document/create-by-text",
          {"name": "store-policies.txt", "text": text, "indexing_technique": "high_quality",
           "process_rule": {"mode": "automatic"}})
batch = doc["batch"]
for _ in range(60):
    st = svc("GET", f"/datasets/{ds['id']}/documents/{batch}/indexing-status")
    s = st["data"][0]["indexing_status"]
    if s in ("completed", "error"):
        break
    time.sleep(2)
print(json.dumps({"dataset_id": ds["id"], "document_id": doc["document"]["id"], "indexing_status": st["data"][0]}))
