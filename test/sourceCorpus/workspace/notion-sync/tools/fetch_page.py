from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from utils.http import notion_client


class FetchPageTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        with notion_client(self.runtime.credentials) as client:
            response = client.get(f"/v1/pages/{tool_parameters['page_id']}")
        response.raise_for_status()
        yield self.create_json_message(response.json()["properties"])
