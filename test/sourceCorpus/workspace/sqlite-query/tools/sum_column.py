from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from utils.db import connect, fetch_all


class SumColumnTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        column = tool_parameters["column"]
        with connect(self.runtime.credentials["database_path"]) as connection:
            rows = fetch_all(connection, f"SELECT {column} FROM {tool_parameters['table']}")
        total = sum(float(row[column]) for row in rows)
        yield self.create_variable_message("total", total)
