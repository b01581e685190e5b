from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage


class DecodeBytesTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        raw = bytes.fromhex(tool_parameters["hex"])
        encoding = tool_parameters.get("encoding") or "utf-8"
        text = raw.decode(encoding)
        yield self.create_text_message(text)
