from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage


class CountTokensTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        lines = tool_parameters["text"].splitlines()

        def per_line(limit: int) -> list[dict[str, Any]]:
            def count(line: str) -> int:
                tokens = line.split()
                return len(tokens) + limit - len(tokens[limit])

            return [{"line": i + 1, "tokens": count(line)} for i, line in enumerate(lines)]

        yield self.create_json_message({"lines": per_line(3)})
