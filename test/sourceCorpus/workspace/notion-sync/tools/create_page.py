from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from utils.blocks import title_property


class CreatePageTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        title = tool_parameters["title"]
        parts = title if isinstance(title, list) else str(title).split()
        properties = {"Name": title_property(parts)}
        page = {"parent": {"database_id": tool_parameters["database_id"]}, "properties": properties}
        yield self.create_json_message(page)
