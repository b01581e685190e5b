import re
from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage


class RegexExtractTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        pattern = re.compile(tool_parameters["pattern"], re.MULTILINE)
        matches = [m.group(0) for m in pattern.finditer(tool_parameters["text"])]
        yield self.create_json_message({"count": len(matches), "matches": matches})
