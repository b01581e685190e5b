from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from utils.db import connect, fetch_all


class DescribeTableTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        table = tool_parameters["table"]
        with connect(self.runtime.credentials["database_path"]) as connection:
            columns = fetch_all(connection, f"PRAGMA table_info({table})")
        assert columns, f"table {table} has no columns (does it exist?)"
        yield self.create_json_message({"table": table, "columns": [c["name"] for c in columns]})
