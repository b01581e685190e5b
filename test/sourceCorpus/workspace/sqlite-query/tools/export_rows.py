from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from utils.db import connect, fetch_all
from utils.formats import render


class ExportRowsTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        with connect(self.runtime.credentials["database_path"]) as connection:
            rows = fetch_all(connection, f"SELECT * FROM {tool_parameters['table']}")
        yield self.create_text_message(render(rows, tool_parameters["format"].lower()))
