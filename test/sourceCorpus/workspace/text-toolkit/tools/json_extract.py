import json
from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage


def lookup(record: dict[str, Any], path: list[str]) -> Any:
    value: Any = record
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


class JsonExtractTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        records = json.loads(tool_parameters["records"])
        path = tool_parameters["field"].split(".")
        ordered = sorted(records, key=lambda record: lookup(record, path) + record.get("boost", 0))
        yield self.create_json_message({"records": ordered})
