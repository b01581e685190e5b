#!/usr/bin/env python3
"""Small self-contained client for a local Dify (console + service API) used to record trace exporter traffic.
Only talks HTTP to Dify on 127.0.0.1 and reads its Postgres rows via psql. No Dify code imported."""
import base64, json, os, subprocess, time, urllib.request, urllib.error, http.cookiejar

BASE = os.environ.get("DIFY_BASE", "http://127.0.0.1:5001")
EMAIL = os.environ.get("DIFY_EMAIL", "rec@example.com")
PASSWORD = os.environ.get("DIFY_PASSWORD", "Recorder12345")
PSQL = os.environ.get("DIFY_PSQL", "PGPASSWORD=difyai123456 psql -h 127.0.0.1 -U postgres -d dify -At")


class Console:
    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _csrf(self):
        for c in self.jar:
            if c.name.endswith("csrf_token"):
                return c.value
        return None

    def req(self, method, path, body=None, raw=False):
        data = json.dumps(body).encode() if body is not None else None
        r = urllib.request.Request(BASE + "/console/api" + path, data=data, method=method)
        r.add_header("Content-Type", "application/json")
        if self._csrf():
            r.add_header("X-CSRF-Token", self._csrf())
        try:
            with self.op.open(r, timeout=120) as resp:
                txt = resp.read().decode()
                return resp.status, (txt if raw else (json.loads(txt) if txt else None))
        except urllib.error.HTTPError as e:
            txt = e.read().decode()
            try:
                return e.code, json.loads(txt)
            except Exception:
                return e.code, txt

    def setup_and_login(self):
        st, r = self.req("GET", "/setup")
        if r.get("step") != "finished":
            print("setup", self.req("POST", "/setup", {"email": EMAIL, "name": "rec", "password": PASSWORD}))
        st, r = self.req("POST", "/login", {"email": EMAIL, "password": base64.b64encode(PASSWORD.encode()).decode(),
                                            "remember_me": True})
        if st != 200:  # Dify < 1.10 takes the password as plain text (newer: base64)
            st, r = self.req("POST", "/login", {"email": EMAIL, "password": PASSWORD, "remember_me": True})
        assert st == 200, (st, r)
        return r

    def import_dsl(self, yaml_text, name=None):
        st, r = self.req("POST", "/apps/imports", {"mode": "yaml-content", "yaml_content": yaml_text, "name": name})
        if r.get("status") == "pending":
            st, r = self.req("POST", f"/apps/imports/{r['id']}/confirm")
        assert r.get("app_id"), (st, r)
        return r["app_id"]

    def publish(self, app_id):
        return self.req("POST", f"/apps/{app_id}/workflows/publish", {"marked_name": "", "marked_comment": ""})

    def set_tracing(self, app_id, provider, config):
        st, r = self.req("POST", f"/apps/{app_id}/trace-config", {"tracing_provider": provider, "tracing_config": config})
        if st >= 400:
            st, r = self.req("PATCH", f"/apps/{app_id}/trace-config", {"tracing_provider": provider, "tracing_config": config})
        st2, r2 = self.req("POST", f"/apps/{app_id}/trace", {"enabled": True, "tracing_provider": provider})
        return (st, r), (st2, r2)

    def api_key(self, app_id):
        st, r = self.req("POST", f"/apps/{app_id}/api-keys")
        return r["token"]

    def export(self, app_id):
        st, r = self.req("GET", f"/apps/{app_id}/export?include_secret=false")
        if st != 200:
            return None, r
        return r["data"], None

    def apps(self):
        return self.req("GET", "/apps?page=1&limit=100")[1]["data"]


def service(key, path, body, headers=None):
    r = urllib.request.Request(BASE + "/v1" + path, data=json.dumps(body).encode(), method="POST")
    r.add_header("Content-Type", "application/json")
    r.add_header("Authorization", "Bearer " + key)
    for k, v in (headers or {}).items():
        r.add_header(k, v)
    t0 = time.time()
    try:
        with urllib.request.urlopen(r, timeout=300) as resp:
            status, hdrs, txt = resp.status, dict(resp.headers.items()), resp.read().decode()
    except urllib.error.HTTPError as e:
        status, hdrs, txt = e.code, dict(e.headers.items()), e.read().decode()
    try:
        js = json.loads(txt)
    except Exception:
        js = txt
    return {"request_headers": headers or {}, "http_status": status, "response": js,
            "response_headers": {k.lower(): v for k, v in hdrs.items()}, "t_start": t0, "t_end": time.time()}


def psql_json(sql):
    out = subprocess.run(PSQL + " -c " + json.dumps(sql).replace("$", "\\$"), shell=True, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip() or "null")


def db_rows(run_id):
    run = psql_json(f"select row_to_json(t) from (select id, status, error, type, triggered_from, elapsed_time "
                    f"from workflow_runs where id='{run_id}') t")
    nodes = psql_json(f"select coalesce(json_agg(t order by t.index),'[]') from (select id, index, node_id, node_type, "
                      f"title, status, error, predecessor_node_id, execution_metadata, created_at, finished_at, "
                      f"elapsed_time from workflow_node_executions where workflow_run_id='{run_id}') t")
    for n in nodes:
        if isinstance(n.get("execution_metadata"), str):
            try:
                n["execution_metadata"] = json.loads(n["execution_metadata"])
            except Exception:
                pass
    return {"workflow_run": run, "node_executions": nodes}
