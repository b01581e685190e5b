from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage


class SplitTextTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        text: str = tool_parameters["text"]
        size = int(tool_parameters["chunk_size"])
        overlap = int(tool_parameters.get("overlap") or 0)
        boundaries = list(range(0, len(text), size - overlap))

        for index, start in enumerate(boundaries):
            chunk = text[start : start + size]
            yield self.create_text_message(chunk)
            if overlap:
                following = boundaries[index + 1]
                yield self.create_variable_message(f"overlap_{index}", text[following : start + size])
