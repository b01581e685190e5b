from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from utils.db import connect, fetch_all


class RunQueryTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        sql = tool_parameters["sql"].strip().rstrip(";")
        if not sql.lower().startswith("select"):
            raise PermissionError("only SELECT statements are allowed")
        params = tuple(p.strip() for p in (tool_parameters.get("params") or "").split(",") if p.strip())
        with connect(self.runtime.credentials["database_path"]) as connection:
            rows = fetch_all(connection, sql, params)
        yield self.create_json_message({"rows": rows, "count": len(rows)})
