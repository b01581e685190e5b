#!/usr/bin/env python3
"""Stub OpenAI-compatible model server on 127.0.0.1 (default port 4330) for recording Dify LLM / agent / embedding
runs without a real model.  Behaviour is chosen by the model name:
  *-429   -> 429 {"error":{"message":"Rate limit reached ...","type":"requests","code":"rate_limit_exceeded"}}
  *-401   -> 401 {"error":{"message":"Incorrect API key provided ...","type":"invalid_request_error","code":"invalid_api_key"}}
  agent*  -> ReAct-style answers: first a tool-free final answer
  other   -> a deterministic completion echoing the last user message
Supports stream=true (SSE, with a usage chunk) and /v1/embeddings (deterministic 64-dim vectors), /v1/models."""
import hashlib, json, math, sys, time, threading
from http.server import ThreadingHTTPServer
from json_handler import JsonHandler

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 4330
LOG = sys.argv[2] if len(sys.argv) > 2 else None
LOCK = threading.Lock()


def err(status):
    if status == 429:
        return {"error": {"message": "Rate limit reached for stub-model in organization org-rec on requests per min (RPM): "
                                     "Limit 3, Used 3, Requested 1. Please try again in 20s.",
                          "type": "requests", "param": None, "code": "rate_limit_exceeded"}}
    return {"error": {"message": "Incorrect API key provided: sk-rec***. You can find your API key at "
                                 "https://platform.openai.com/account/api-keys.",
                      "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}}


def embed(text, dim=64):
    # a shared base direction plus a small text-dependent part: every pair of texts has cosine similarity ~0.9,
    # so semantic search always returns the segments (Dify drops non-positive scores)
    h = hashlib.sha256(text.encode()).digest()
    v = [1.0 + 0.3 * (((h[i % 32] + i * 7) % 251) / 251.0 - 0.5) for i in range(dim)]
    n = math.sqrt(sum(x * x for x in v)) or 1
    return [x / n for x in v]


class H(JsonHandler):
    def do_GET(self):
        self.send_json(200, {"object": "list", "data": [{"id": "stub-chat", "object": "model", "owned_by": "rec"}]})

    def do_POST(self):
        req = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        model = req.get("model", "")
        if LOG:
            with LOCK, open(LOG, "a") as f:
                f.write(json.dumps({"ts": time.time(), "path": self.path, "model": model, "stream": req.get("stream"),
                                    "n_messages": len(req.get("messages", []))}) + "\n")
        first = (req.get("messages") or [{}])[-1].get("content") if req.get("messages") else req.get("prompt")
        is_ping = first == "ping"  # Dify's credential validation: always succeeds so the model can be saved
        for code in (429, 401):
            if model.endswith("-%d" % code) and not is_ping:
                return self.send_json(code, err(code))
        if self.path.endswith("/embeddings"):
            inp = req.get("input")
            inp = [inp] if isinstance(inp, str) else inp
            return self.send_json(200, {"object": "list", "model": model, "usage": {"prompt_tokens": 8 * len(inp), "total_tokens": 8 * len(inp)},
                                    "data": [{"object": "embedding", "index": i, "embedding": embed(str(t))} for i, t in enumerate(inp)]})
        msgs = req.get("messages") or [{"role": "user", "content": req.get("prompt", "")}]
        last = msgs[-1].get("content") if msgs else ""
        if isinstance(last, list):
            last = " ".join(p.get("text", "") for p in last if isinstance(p, dict))
        if model.startswith("agent"):
            text = ('Thought: I can answer directly.\nAction:\n```\n{"action": "Final Answer", "action_input": '
                    '"The stub agent answers: ' + str(last)[-60:].replace('"', "'").replace("\n", " ") + '"}\n```')
        else:
            text = "Stub answer to: " + str(last)[-200:]
        usage = {"prompt_tokens": 12 + len(str(msgs)) // 4, "completion_tokens": len(text) // 4,
                 "total_tokens": 12 + len(str(msgs)) // 4 + len(text) // 4}
        cid, now = "chatcmpl-rec%d" % int(time.time() * 1000), int(time.time())
        if req.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()

            def chunk(obj):
                data = ("data: " + (obj if isinstance(obj, str) else json.dumps(obj)) + "\n\n").encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            parts = [text[i:i + 24] for i in range(0, len(text), 24)]
            for i, p in enumerate(parts):
                chunk({"id": cid, "object": "chat.completion.chunk", "created": now, "model": model,
                       "choices": [{"index": 0, "delta": ({"role": "assistant"} if i == 0 else {}) | {"content": p},
                                    "finish_reason": None}]})
            chunk({"id": cid, "object": "chat.completion.chunk", "created": now, "model": model,
                   "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            chunk({"id": cid, "object": "chat.completion.chunk", "created": now, "model": model, "choices": [], "usage": usage})
            chunk("[DONE]")
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_json(200, {"id": cid, "object": "chat.completion", "created": now, "model": model,
                         "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                         "usage": usage})


ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()
