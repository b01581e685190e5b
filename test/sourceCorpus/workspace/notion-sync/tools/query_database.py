import json
from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage


class QueryDatabaseTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        raw_filter = tool_parameters.get("filter") or "{}"
        try:
            notion_filter = json.loads(raw_filter)
        except json.JSONDecodeError as e:
            raise ValueError(f"The filter is not valid JSON: {e.msg} (column {e.colno})") from e

        body = {"filter": notion_filter, "page_size": 50}
        yield self.create_json_message({"database_id": tool_parameters["database_id"], "request": body})
