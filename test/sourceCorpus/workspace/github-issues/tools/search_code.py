from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from utils.client import GitHubClient


class SearchCodeTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        client = GitHubClient.from_credentials(self.runtime.credentials)
        result = client.search_code(tool_parameters["query"], tool_parameters.get("repo"))
        paths = [f"{item['repository']['full_name']}/{item['path']}" for item in result.get("items", [])]
        yield self.create_json_message({"total": result.get("total_count", 0), "paths": paths})
